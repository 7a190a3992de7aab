// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"disableJavaScriptEvaluation":true,"disableJavaScriptFileLoading":true,"disableCSSFileLoading":true,"disableIframePageLoading":true,"handleDisabledFileLoadingAsSuccess":true}}
/**
 * Every selector of every provider spec, counted on each fixture page (in the
 * manner of refined-github's selectors.ts). A selector missing from a row must
 * match nothing there, so a spec change that starts matching more is caught too.
 *
 * Roundcube's pages are captured from the real Roundcube on loopback
 * (test/fixtures/providers/roundcube/capture.ts); Gmail's, Outlook's and Yahoo's
 * are built from the shared webmail facts.
 */
import { describe, expect, it } from 'vitest';
import { gmail } from '../../src/providers/gmail';
import { outlook } from '../../src/providers/outlook';
import { roundcube } from '../../src/providers/roundcube';
import type { ProviderSpec } from '../../src/providers/types';
import { yahoo } from '../../src/providers/yahoo';
import { loadFixture, selectorsOf } from './fixtures';

const TABLE: { spec: ProviderSpec; page: string; counts: Record<string, number> }[] = [
  { spec: roundcube, page: 'login', counts: { detect: 2 } },
  {
    spec: roundcube,
    page: 'mail-list',
    counts: {
      detect: 1,
      'frames.0': 1,
      'reader.reply': 1,
      'reader.replyAll': 1,
      'reader.forward': 1,
      // The list page has an upload form too (it is never used without a compose root).
      'compose.fileInput': 1,
    },
  },
  {
    spec: roundcube,
    page: 'compose-plain',
    counts: {
      detect: 1,
      'compose.root': 1,
      'compose.to': 1,
      'compose.cc': 1,
      'compose.bcc': 1,
      'compose.subject': 1,
      'compose.body.textarea': 1,
      'compose.toolbar': 1,
      'compose.fileInput': 1,
      'compose.send': 1,
    },
  },
  {
    spec: roundcube,
    page: 'compose-html',
    counts: {
      detect: 1,
      'compose.root': 1,
      'compose.to': 1,
      'compose.cc': 1,
      'compose.bcc': 1,
      'compose.subject': 1,
      // TinyMCE hides the textarea and edits in the frame.
      'compose.body.frame-body': 1,
      'compose.body.textarea': 1,
      'compose.toolbar': 1,
      'compose.fileInput': 1,
      'compose.send': 1,
    },
  },
  {
    spec: roundcube,
    page: 'preview',
    counts: { 'reader.message': 1, 'reader.body': 1, 'reader.from': 1, 'reader.sender': 1 },
  },
  {
    spec: roundcube,
    page: 'preview-attachment',
    counts: {
      'reader.message': 1,
      'reader.body': 1,
      'reader.from': 1,
      'reader.sender': 1,
      'reader.attachments': 1,
    },
  },
  {
    spec: gmail,
    page: 'compose',
    counts: {
      'compose.root': 1,
      'compose.to': 2,
      'compose.subject': 1,
      'compose.body.contenteditable': 1,
      'compose.toolbar': 1,
      'compose.fileInput': 1,
      'compose.send': 1,
    },
  },
  {
    spec: gmail,
    page: 'message',
    counts: {
      'reader.message': 1,
      'reader.body': 1,
      // The name span and its inner span both carry email=; the first is read.
      'reader.from': 2,
      'reader.sender': 2,
      'reader.attachments': 1,
      'reader.reply': 1,
      'reader.replyAll': 1,
      'reader.forward': 1,
    },
  },
  {
    spec: outlook,
    page: 'compose',
    counts: {
      'compose.root': 1,
      'compose.to': 2,
      'compose.cc': 1,
      'compose.bcc': 1,
      'compose.subject': 1,
      'compose.body.contenteditable': 1,
      'compose.toolbar': 1,
      'compose.fileInput': 1,
      'compose.send': 1,
    },
  },
  {
    spec: outlook,
    page: 'message',
    counts: {
      'reader.message': 1,
      'reader.body': 1,
      'reader.from': 1,
      'reader.sender': 1,
      'reader.attachments': 1,
      'reader.reply': 1,
      'reader.replyAll': 1,
      'reader.forward': 1,
    },
  },
  {
    spec: yahoo,
    page: 'compose',
    counts: {
      'compose.root': 1,
      'compose.to': 2,
      'compose.cc': 1,
      'compose.bcc': 1,
      'compose.subject': 1,
      'compose.body.contenteditable': 1,
      'compose.toolbar': 1,
      'compose.fileInput': 1,
      'compose.send': 1,
    },
  },
  {
    spec: yahoo,
    page: 'message',
    counts: {
      'reader.message': 1,
      'reader.body': 1,
      'reader.from': 1,
      'reader.sender': 1,
      'reader.attachments': 1,
      'reader.reply': 1,
      'reader.replyAll': 1,
      'reader.forward': 1,
    },
  },
];

describe('provider selectors on fixture pages', () => {
  it.each(TABLE.map((row) => [`${row.spec.id}/${row.page}`, row] as const))('%s', (_, row) => {
    const doc = loadFixture(row.spec.id, row.page);
    const selectors = selectorsOf(row.spec);
    for (const name of Object.keys(row.counts))
      expect(selectors, `unknown selector name ${name}`).toHaveProperty(name);
    const actual = Object.fromEntries(
      Object.entries(selectors).map(([name, selector]) => [name, doc.querySelectorAll(selector).length]),
    );
    const expected = Object.fromEntries(Object.keys(selectors).map((name) => [name, row.counts[name] ?? 0]));
    expect(actual).toEqual(expected);
  });

  it('every selector of every provider matches somewhere in its fixtures', () => {
    for (const spec of [roundcube, gmail, outlook, yahoo]) {
      const rows = TABLE.filter((row) => row.spec === spec);
      for (const name of Object.keys(selectorsOf(spec))) {
        const seen = rows.some((row) => (row.counts[name] ?? 0) > 0);
        // Roundcube's uploaded-attachment item only exists after an upload (checked in compose tests).
        if (spec === roundcube && name === 'compose.attachmentDone') continue;
        expect(seen, `${spec.id} ${name} is never checked against a fixture`).toBe(true);
      }
    }
  });

  it('Roundcube fixtures are scrubbed of session tokens', async () => {
    for (const page of [
      'login',
      'mail-list',
      'compose-plain',
      'compose-html',
      'preview',
      'preview-attachment',
    ]) {
      const html = (await import('./fixtures')).fixtureHtml('roundcube', page);
      expect(html).not.toMatch(/"request_token":"(?!XXX)/);
      expect(html).not.toMatch(/name="_token" value="(?!XXX)/);
      expect(html).not.toMatch(/_token=(?!XXX)\w/);
    }
  });
});
