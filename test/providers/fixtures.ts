/** Loads a provider fixture page (test/fixtures/providers/<provider>/<name>.html) as a Document. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderSpec } from '../../src/providers/types';

export const FIXTURES = join(import.meta.dirname, '../fixtures/providers');

export function fixtureHtml(provider: string, name: string): string {
  return readFileSync(join(FIXTURES, provider, `${name}.html`), 'utf8');
}

export function loadFixture(provider: string, name: string): Document {
  return new DOMParser().parseFromString(fixtureHtml(provider, name), 'text/html');
}

/** Every selector of a spec by a stable name. Frame-body editors are counted by their frame. */
export function selectorsOf(spec: ProviderSpec): Record<string, string> {
  const out: Record<string, string> = {};
  if (spec.detect) out.detect = spec.detect;
  spec.frames.forEach((f, i) => {
    out[`frames.${i}`] = f;
  });
  const c = spec.compose;
  if (c) {
    out['compose.root'] = c.root;
    out['compose.to'] = c.to.selector;
    if (c.cc) out['compose.cc'] = c.cc.selector;
    if (c.bcc) out['compose.bcc'] = c.bcc.selector;
    out['compose.subject'] = c.subject;
    for (const b of c.body) out[`compose.body.${b.kind}`] = b.kind === 'frame-body' ? b.frame! : b.selector;
    out['compose.toolbar'] = c.toolbar;
    if (c.fileInput) out['compose.fileInput'] = c.fileInput;
    if (c.attachmentDone) out['compose.attachmentDone'] = c.attachmentDone;
    out['compose.send'] = c.send;
    if (c.expected?.selector) out['compose.expected'] = c.expected.selector;
  }
  const r = spec.reader;
  if (r) {
    out['reader.message'] = r.message;
    out['reader.body'] = r.body;
    out['reader.from'] = r.from.selector;
    if (r.sender) out['reader.sender'] = r.sender.selector;
    out['reader.attachments'] = r.attachments.selector;
    out['reader.reply'] = r.reply;
    out['reader.replyAll'] = r.replyAll;
    out['reader.forward'] = r.forward;
    if (r.expected?.selector) out['reader.expected'] = r.expected.selector;
  }
  return out;
}
