/**
 * Reading (docs/webmail-integration.md §Reading): armored blocks in opened
 * messages and `*.cipherpost` attachments are staged with the background
 * (`reader:stage` → ticket), and the block is replaced by the reader frame
 * `reader.html#ticket` in a closed shadow root.
 *
 * The same block is staged once per element: a WeakMap remembers what was staged
 * for each body, so mutations and re-scans do not stage it again; a webmail that
 * re-renders the message (new elements) gets a new frame.
 */
import type { ProviderSpec } from '../providers/types';
import { scanArmor } from './armor-scan';
import type { ContentDeps } from './deps';
import { queryAllIn, smallestHolder, textOf } from './dom';
import { parseAddresses } from './recipients';
import { createFrame, createHost, pin } from './shadow';

const INITIAL_HEIGHT = 160;
const MIN_HEIGHT = 60;
const MAX_HEIGHT = 20_000;
/** Stagings per page: a page churning out forged blocks cannot use up the tab's tickets. */
const MAX_STAGED = 150;
const MAX_ATTACHMENT = 64 * 1024 * 1024;
const MAX_TRIES = 3;
const ATTACHMENT_NAME = /[^\s/\\()]+\.cipherpost(?![\w.])/i;

export function clampHeight(height: number): number {
  if (!Number.isFinite(height)) return INITIAL_HEIGHT;
  return Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.round(height)));
}

/** The `.cipherpost` file name an attachment link shows, or null. */
export function attachmentName(link: Element, nameAttribute?: string): string | null {
  const text = `${nameAttribute ? (link.getAttribute(nameAttribute) ?? '') : ''} ${link.textContent ?? ''}`;
  return ATTACHMENT_NAME.exec(text)?.[0] ?? null;
}

export function createReader(provider: ProviderSpec, deps: ContentDeps, signal: AbortSignal) {
  const spec = provider.reader;
  const staged = new WeakMap<Element, string>();
  const fetched = new WeakSet<Element>();
  const frames = new Map<string, HTMLIFrameElement>();
  const hosts = new Set<HTMLElement>();
  const hidden = new Map<HTMLElement, string>();
  const failures = new WeakMap<Element, number>();
  let stagings = 0;

  function fromOf(message: Element): string {
    if (!spec) return '';
    const el =
      message.querySelector(spec.from.selector) ?? message.ownerDocument.querySelector(spec.from.selector);
    if (!el) return '';
    const text = (spec.from.attribute ? el.getAttribute(spec.from.attribute) : null) || el.textContent || '';
    return parseAddresses(text)[0] ?? '';
  }

  function insertFrame(before: Element, ticket: string): void {
    const doc = before.ownerDocument;
    const { host, root } = createHost(doc, 'cipherpost-reader', {
      display: 'block',
      width: '100%',
      margin: '8px 0',
    });
    const frame = createFrame(
      doc,
      `${deps.getURL('/reader.html')}#${ticket}`,
      deps.message('content_reader_title'),
      {
        width: '100%',
        height: `${INITIAL_HEIGHT}px`,
      },
    );
    root.append(frame);
    before.before(host);
    frames.set(ticket, frame);
    hosts.add(host);
  }

  async function stage(armored: string, from: string, source: 'body' | 'attachment'): Promise<string | null> {
    if (stagings >= MAX_STAGED) return null;
    stagings++;
    const answer = await deps.send({ type: 'reader:stage', armored, from, source });
    return answer.ok && !signal.aborted ? answer.value.ticket : null;
  }

  /**
   * Stages the first armored block in `body` (once per element and text), hides the
   * smallest element holding it and puts the reader frame in its place.
   */
  async function stageBody(body: Element, from: string): Promise<boolean> {
    const hit = scanArmor(textOf(body))[0];
    if (!hit || staged.get(body) === hit.armored) return false;
    staged.set(body, hit.armored);
    const holder = smallestHolder(body, hit.complete) as HTMLElement;
    const ticket = await stage(hit.armored, from, 'body');
    if (!ticket) {
      // The background may be restarting: a later pass tries again, a few times.
      const failed = (failures.get(body) ?? 0) + 1;
      failures.set(body, failed);
      if (failed < MAX_TRIES && !signal.aborted) staged.delete(body);
      return false;
    }
    if (!holder.isConnected) return false;
    insertFrame(holder, ticket);
    hidden.set(holder, holder.style.getPropertyValue('display'));
    pin(holder, { display: 'none' });
    return true;
  }

  async function stageAttachment(link: Element, before: Element, from: string): Promise<boolean> {
    if (!spec || fetched.has(link)) return false;
    fetched.add(link);
    if (!attachmentName(link, spec.attachments.nameAttribute)) return false;
    const href = link.getAttribute('href');
    const doc = link.ownerDocument;
    if (!href) return false;
    let url: URL;
    try {
      url = new URL(href, doc.baseURI);
    } catch {
      return false;
    }
    // Same origin only: the webmail's own download, with the user's session. (A
    // framed about:blank document has no origin of its own: its base URL's then.)
    const own = doc.location?.origin && doc.location.origin !== 'null' ? doc.location.origin : null;
    if (url.origin !== (own ?? new URL(doc.baseURI).origin)) return false;
    let text: string;
    try {
      text = await deps.fetchText(url.href);
    } catch {
      return false;
    }
    if (text.length > MAX_ATTACHMENT || signal.aborted) return false;
    const ticket = await stage(text, from, 'attachment');
    if (!ticket || !before.isConnected) return false;
    insertFrame(before, ticket);
    return true;
  }

  /** Finds opened messages and stages what they hold. Returns how many messages were found. */
  function scan(docs: readonly Document[]): number {
    if (!spec) return 0;
    const messages = queryAllIn(docs, spec.message);
    for (const message of messages) {
      const body = message.matches(spec.body) ? message : message.querySelector(spec.body);
      const from = fromOf(message);
      if (body) void stageBody(body, from);
      for (const link of message.querySelectorAll(spec.attachments.selector)) {
        void stageAttachment(link, body ?? message.firstElementChild ?? message, from);
      }
    }
    return messages.length;
  }

  function resize(ticket: string, height: number): boolean {
    const frame = frames.get(ticket);
    if (!frame?.isConnected) return false;
    pin(frame, { height: `${clampHeight(height)}px` });
    return true;
  }

  function stop(): void {
    for (const host of hosts) host.remove();
    hosts.clear();
    frames.clear();
    for (const [el, display] of hidden) {
      el.style.removeProperty('display');
      if (display) el.style.setProperty('display', display);
    }
    hidden.clear();
  }

  return { scan, stageBody, resize, stop, tickets: () => [...frames.keys()] };
}

export type ReaderManager = ReturnType<typeof createReader>;
