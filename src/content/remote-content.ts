/**
 * Remote content and sender warnings in opened messages (issue 6, docs/privacy.md).
 *
 *   reader selectors ──► body (top document or Roundcube's preview frame)
 *        │  once per body element
 *        ▼
 *   neutralise(body)        remote URLs moved to data-cipherpost-*   (neutralise.ts)
 *   gather sender facts     DOM, or Roundcube's raw headers          (sender-facts.ts)
 *   privacy:scan ──► {ticket, show, loaded}
 *        │ show
 *        ▼
 *   <cipherpost-banner> (closed shadow root) ─ banner.html?t=<ticket>, right above the body
 *   TabCommand privacy:restore {ticket} ──► the exact originals back (the background
 *   added its allow rules first); loaded 'sender' in the scan answer restores at once.
 *
 * Tampering: the page cannot reach inside the closed root or the extension frame,
 * but it can hide, restyle, move or remove the host element. An observer on the
 * host (attributes) and its parent (children), plus a check every second of the
 * host's computed style and size, notice that; the host is then replaced by a
 * fresh one with a fresh ticket (the old ticket is bound to the old frame), at most
 * MAX_REINSERTS times per message, and the content script logs it. Covering the
 * banner with another element is not detected (docs/privacy.md §Limits). Blocking
 * does not depend on the banner: a hidden banner only hides the choice and the
 * warning, nothing is loaded.
 */
import type { SenderFacts } from '../messaging/messages';
import type { ProviderSpec } from '../providers/types';
import type { ContentDeps } from './deps';
import { queryAllIn } from './dom';
import { type Change, neutralise, restore } from './neutralise';
import { parseAddresses } from './recipients';
import { createFrame, createHost, HOST_ATTRIBUTE, pin } from './shadow';

export const BANNER_TAG = 'cipherpost-banner';
const INITIAL_HEIGHT = 56;
const MIN_HEIGHT = 32;
const MAX_HEIGHT = 1200;
const MAX_URLS = 500;
const MAX_TRIES = 3;
const MAX_REINSERTS = 3;
const CHECK_MS = 1000;
const HOST_STYLE = { display: 'block', width: '100%', margin: '0 0 8px 0', position: 'static' };

export type GatherFacts = (
  doc: Document,
  message: Element,
  signal: AbortSignal,
) => Promise<SenderFacts | null>;

interface MessageRecord {
  body: Element;
  message: Element;
  urls: string[];
  sheets: string[];
  changes: Change[];
  facts?: SenderFacts;
  ticket?: string;
  host?: HTMLElement;
  frame?: HTMLIFrameElement;
  hostStyle?: string;
  observer?: MutationObserver;
  loaded: 'none' | 'once' | 'sender';
  tries: number;
  sending: boolean;
  reinserts: number;
  done: boolean;
}

export function clampBannerHeight(height: number): number {
  if (!Number.isFinite(height)) return INITIAL_HEIGHT;
  return Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.round(height)));
}

/** The page's own origin (a written about:blank frame in tests has none: its base's then). */
function ownOrigin(doc: Document): string {
  const origin = doc.location?.origin;
  if (origin && origin !== 'null') return origin;
  try {
    return new URL(doc.baseURI).origin;
  } catch {
    return 'null';
  }
}

/** Resolves once `doc` has loaded (at most 5 s), or at once if it has. */
function documentLoaded(doc: Document, signal: AbortSignal): Promise<void> {
  if (doc.readyState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const view = doc.defaultView;
    if (!view) return resolve();
    const done = () => {
      view.clearTimeout(timer);
      resolve();
    };
    const timer = view.setTimeout(done, 5000);
    view.addEventListener('load', done, { once: true, signal });
    signal.addEventListener('abort', done, { once: true });
  });
}

export interface RemoteContentOptions {
  /** Sender facts of an opened message; null when they cannot be read. */
  gatherFacts?: GatherFacts;
  /** Where tampering is reported (console.warn in the browser). */
  log?: (message: string) => void;
}

export function createRemoteContent(
  provider: ProviderSpec,
  deps: ContentDeps,
  signal: AbortSignal,
  options: RemoteContentOptions = {},
  /** The top document's window: its navigations are the background's to see. */
  topView: Window | null = null,
) {
  const spec = provider.reader;
  const log = options.log ?? (() => {});
  const records = new WeakMap<Element, MessageRecord>();
  /** Records with a ticket or a host, to check and to find by ticket. */
  const live = new Set<MessageRecord>();
  let timer: number | null = null;

  /** What the message view shows as From, when the facts module cannot say more. */
  function domFacts(message: Element): SenderFacts {
    let fromName = '';
    let fromAddress = '';
    if (spec) {
      const el =
        message.querySelector(spec.from.selector) ?? message.ownerDocument.querySelector(spec.from.selector);
      if (el) {
        const text =
          (spec.from.attribute ? el.getAttribute(spec.from.attribute) : null) || el.textContent || '';
        fromAddress = parseAddresses(text)[0] ?? '';
        const shown = (el.textContent ?? '').trim();
        if (shown !== fromAddress) fromName = shown.slice(0, 1024);
      }
    }
    return { source: 'dom', fromName, fromAddress, replyTo: [], sender: '', returnPath: '', authResults: [] };
  }

  function frameUrl(ticket: string): string {
    return `${deps.getURL('/banner.html')}?t=${encodeURIComponent(ticket)}`;
  }

  function removeHost(record: MessageRecord): void {
    // The document may be gone (Roundcube loaded the next message into the frame):
    // Firefox then throws "can't access dead object" for anything of it.
    try {
      record.observer?.disconnect();
      record.host?.remove();
    } catch {
      // Gone with its document.
    }
    record.observer = undefined;
    record.host = undefined;
    record.frame = undefined;
  }

  function insertBanner(record: MessageRecord, ticket: string): void {
    const doc = record.body.ownerDocument;
    const { host, root } = createHost(doc, BANNER_TAG, HOST_STYLE);
    const frame = createFrame(doc, frameUrl(ticket), deps.message('content_banner_title'), {
      width: '100%',
      height: `${INITIAL_HEIGHT}px`,
    });
    root.append(frame);
    record.body.before(host);
    record.host = host;
    record.frame = frame;
    record.hostStyle = host.getAttribute('style') ?? '';
    const Observer = doc.defaultView?.MutationObserver ?? MutationObserver;
    const observer = new Observer(() => check(record));
    observer.observe(host, { attributes: true });
    if (host.parentNode) observer.observe(host.parentNode, { childList: true });
    record.observer = observer;
    startChecks();
  }

  /** Sends privacy:scan for the record; draws the banner when the background says so. */
  async function report(record: MessageRecord): Promise<void> {
    if (record.sending || record.done || signal.aborted) return;
    record.sending = true;
    try {
      if (!record.facts) {
        let facts: SenderFacts | null = null;
        try {
          // Not while the webmail's own document is still loading: Roundcube's
          // viewsource request then raced its preview's (the reader frame of the
          // first message opened never came, in real Chromium and Firefox).
          await documentLoaded(record.body.ownerDocument, signal);
          facts = (await options.gatherFacts?.(record.body.ownerDocument, record.message, signal)) ?? null;
        } catch {
          // Headers unreadable (network, parse): the From the page shows still counts.
        }
        record.facts = facts ?? domFacts(record.message);
      }
      if (signal.aborted) return;
      const answer = await deps.send({
        type: 'privacy:scan',
        provider: provider.id,
        facts: record.facts,
        remote: record.urls.slice(0, MAX_URLS),
        ...(record.sheets.length > 0 ? { sheets: record.sheets.slice(0, MAX_URLS) } : {}),
      });
      if (signal.aborted || !attached(record)) return;
      if (!answer.ok) {
        // The background may be restarting: later passes try again, a few times.
        record.tries++;
        if (record.tries >= MAX_TRIES) record.done = true;
        return;
      }
      record.done = true;
      record.ticket = answer.value.ticket;
      live.add(record);
      if (answer.value.loaded === 'sender' && record.loaded === 'none') {
        restore(record.changes);
        record.loaded = 'sender';
        leaveWithFrame(record);
      }
      removeHost(record);
      if (answer.value.show) insertBanner(record, answer.value.ticket);
    } finally {
      record.sending = false;
    }
  }

  /** False once the record's body left its document, or its document is gone (dead in Firefox). */
  function attached(record: MessageRecord): boolean {
    try {
      return record.body.isConnected;
    } catch {
      return false;
    }
  }

  /** Finds opened message bodies and neutralises each once. Returns how many it saw. */
  function scan(docs: readonly Document[]): number {
    if (!spec || signal.aborted) return 0;
    for (const record of [...live]) if (!attached(record)) forget(record);
    const messages = queryAllIn(docs, spec.message);
    for (const message of messages) {
      const body = message.matches(spec.body) ? message : message.querySelector(spec.body);
      if (!body) continue;
      let record = records.get(body);
      if (!record) {
        const { urls, sheets, changes } = neutralise(body, ownOrigin(body.ownerDocument));
        record = {
          body,
          message,
          urls,
          sheets,
          changes,
          loaded: 'none',
          tries: 0,
          sending: false,
          reinserts: 0,
          done: false,
        };
        records.set(body, record);
      }
      if (!record.done) void report(record);
    }
    return messages.length;
  }

  /**
   * Content of this record's message (in a frame) was allowed: the tab's allow
   * rules must go before the frame's next document can ask for the same URLs,
   * and that document's own scan comes after it did. Two signals, whichever is
   * first, each sending privacy:leave once per allowed message:
   * - any pointer or key press in the top document (outside the message frame):
   *   in Roundcube that is the click or arrow key in the list that loads the next
   *   message, tens of milliseconds before its request; it also drops them when
   *   the user merely clicks elsewhere, after which what the message loads late
   *   (lazy images, a video's data) stays blocked (docs/privacy.md §Limits);
   * - `beforeunload` of the frame's document, for navigations the page starts
   *   by itself.
   * The top document's own navigations are the background's (tabs.onUpdated); a
   * beforeunload listener there would cost the page its back-forward cache.
   */
  function leaveWithFrame(record: MessageRecord): void {
    const view = record.body.ownerDocument.defaultView;
    if (!view || !topView || view === topView) return;
    const armed = new AbortController();
    const stopAll = AbortSignal.any([signal, armed.signal]);
    const leave = () => {
      if (armed.signal.aborted) return;
      armed.abort();
      void deps.send({ type: 'privacy:leave' });
    };
    const options = { capture: true, passive: true, signal: stopAll } as const;
    topView.document.addEventListener('pointerdown', leave, options);
    topView.document.addEventListener('keydown', leave, options);
    view.addEventListener('beforeunload', leave, { signal: stopAll });
  }

  function forget(record: MessageRecord): void {
    removeHost(record);
    live.delete(record);
  }

  /** Why the host no longer shows the banner as we drew it; null when it does. */
  function tampering(record: MessageRecord): string | null {
    const host = record.host;
    if (!host) return null;
    if (!host.isConnected) return 'removed';
    if (host.parentNode !== record.body.parentNode) return 'moved';
    if ((host.getAttribute('style') ?? '') !== record.hostStyle) return 'restyled';
    // style, plus the fallback span's name (createHost).
    if (host.attributes.length !== (host.hasAttribute(HOST_ATTRIBUTE) ? 2 : 1)) return 'attributes added';
    const view = host.ownerDocument.defaultView;
    if (!view) return null;
    const style = view.getComputedStyle(host);
    if (style.display === 'none') return 'display none';
    if (style.visibility === 'hidden' || style.visibility === 'collapse') return 'invisible';
    const opacity = Number.parseFloat(style.opacity);
    if (Number.isFinite(opacity) && opacity < 0.5) return 'transparent';
    // Sizes only while the message itself is laid out (a collapsed thread message
    // hides both, which is the webmail's right).
    const body = record.body.getBoundingClientRect();
    if (body.width > 0 && body.height > 0) {
      const rect = host.getBoundingClientRect();
      if (rect.height < MIN_HEIGHT / 2 || rect.width < Math.min(100, body.width / 2)) return 'shrunk';
    }
    return null;
  }

  function check(record: MessageRecord): void {
    if (signal.aborted || !record.host) return;
    if (!attached(record)) {
      forget(record);
      return;
    }
    let why: string | null;
    try {
      why = tampering(record);
    } catch {
      // Its document went away between the two checks.
      forget(record);
      return;
    }
    if (!why) return;
    removeHost(record);
    if (record.reinserts >= MAX_REINSERTS) {
      log(`Cipherpost: the page keeps hiding the privacy banner (${why}); not drawn again`);
      return;
    }
    record.reinserts++;
    log(`Cipherpost: the page tampered with the privacy banner (${why}); drawn again`);
    // A fresh frame needs a fresh ticket: the old one is bound to the old frame.
    record.done = false;
    record.tries = 0;
    void report(record);
  }

  function startChecks(): void {
    if (timer !== null || signal.aborted) return;
    const tick = () => {
      timer = null;
      if (signal.aborted) return;
      for (const record of [...live]) check(record);
      if ([...live].some((r) => r.host)) timer = deps.setTimeout(tick, CHECK_MS);
    };
    timer = deps.setTimeout(tick, CHECK_MS);
  }

  /** TabCommand privacy:restore: the background allowed this message's URLs. */
  function restoreTicket(ticket: string): boolean {
    for (const record of live) {
      if (record.ticket !== ticket || !attached(record)) continue;
      if (record.loaded === 'none') restore(record.changes);
      record.loaded = 'once';
      leaveWithFrame(record);
      return true;
    }
    return false;
  }

  function resize(ticket: string, height: number): boolean {
    for (const record of live) {
      if (record.ticket !== ticket || !attached(record) || !record.frame?.isConnected) continue;
      pin(record.frame, { height: `${clampBannerHeight(height)}px` });
      return true;
    }
    return false;
  }

  function stop(): void {
    if (timer !== null) deps.clearTimeout(timer);
    timer = null;
    for (const record of live) removeHost(record);
    live.clear();
  }

  return {
    scan,
    restore: restoreTicket,
    resize,
    stop,
    /** Runs the tamper checks now (tests; normally every second and on mutations). */
    checkAll: () => {
      for (const record of [...live]) check(record);
    },
    tickets: () => [...live].filter((r) => r.host).map((r) => r.ticket!),
  };
}

export type RemoteContent = ReturnType<typeof createRemoteContent>;
