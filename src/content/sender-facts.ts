/**
 * What an opened message says about its sender, for the spoofed-sender checks
 * (issue 6, docs/sender-warnings.md). Runs in the content script, so it stays
 * small: no public suffix list, no confusables data (those run in the background,
 * src/privacy/sender-check.ts). It only reads.
 *
 *   provider.reader.sender ──► display name + address  (source 'dom')
 *   Roundcube only: same-origin ?_action=viewsource ──► header block ──► headers.ts
 *                                                        (source 'headers')
 *
 * Roundcube serves the raw message on its own origin (`_action=viewsource`), so the
 * checks there see Reply-To, Sender, Return-Path and Authentication-Results. Only
 * the header block is read: the stream is cancelled at the first empty line or at
 * 64 KiB, so a large message body is never downloaded in full.
 *
 * Fetching: in Chrome a content script's fetch() is made as the page (same-origin,
 * the page's cookies). In Firefox the content script's own fetch() runs with the
 * extension's expanded principal, sends no Origin or Referer and may be treated
 * as cross-site for SameSite cookies; `content.fetch()` makes the request as the
 * page does (MDN, "Content scripts: XHR and Fetch"). So `content.fetch` is used
 * when it exists.
 */
import type { SenderFacts } from '../messaging/messages';
import { MAX_HEADER_BYTES, parseAddressList, senderFactsFromHeaders } from '../privacy/headers';
import type { ProviderSpec, SenderSpec } from '../providers/types';

export interface GatherOptions {
  signal?: AbortSignal;
  /** For tests; by default Firefox's `content.fetch`, else the global fetch. */
  fetch?: typeof fetch;
}

const MAX_TEXT = 1024;

function read(el: Element, how: SenderSpec['address']): string {
  const text = how === 'text' ? el.textContent : el.getAttribute(how.attribute);
  return (text ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
}

/** The displayed sender, from the provider's `reader.sender` selectors. */
export function senderFromDom(spec: SenderSpec, messageDoc: Document): SenderFacts | null {
  const el = messageDoc.querySelector(spec.selector);
  if (!el) return null;
  let address = read(el, spec.address);
  let name = read(el, spec.name);
  if (spec.address === 'text') {
    // "Name <addr>" in one text (Outlook's persona).
    const mailbox = parseAddressList(address)[0];
    address = mailbox?.address ?? '';
    if (spec.name === 'text') name = mailbox?.name ?? '';
  }
  if (!address.includes('@')) return null;
  return {
    source: 'dom',
    fromName: name,
    fromAddress: address,
    replyTo: [],
    sender: '',
    returnPath: '',
    authResults: [],
  };
}

/** The page's own fetch in Firefox (requests made as the page); the global one elsewhere. */
function pageFetch(): typeof fetch {
  const content = (globalThis as { content?: { fetch?: typeof fetch } }).content;
  return typeof content?.fetch === 'function' ? content.fetch.bind(content) : fetch.bind(globalThis);
}

/**
 * Roundcube's message source URL for the opened message: `_uid` and `_mbox` from
 * the preview frame's URL (`_action=preview` or `show`), or else from Roundcube's
 * "Open in new window" link in the same document. Null when neither has them.
 */
export function roundcubeSourceUrl(messageDoc: Document): URL | null {
  const location = messageDoc.location?.href ?? '';
  const base = /^https?:/.test(location) ? location : messageDoc.baseURI;
  const candidates = [
    location,
    messageDoc.querySelector('a.extwin[href*="_uid="]')?.getAttribute('href') ?? '',
  ];
  for (const candidate of candidates) {
    let params: URLSearchParams;
    try {
      params = new URL(candidate, base).searchParams;
    } catch {
      continue;
    }
    const uid = params.get('_uid') ?? '';
    const mbox = params.get('_mbox') ?? '';
    // IMAP UIDs are numbers (RFC 3501 §2.3.1.1); Roundcube may list several as "1,2" or "*" — one only here.
    if (!/^\d{1,10}$/.test(uid) || !mbox || mbox.length > 1024) continue;
    const url = new URL(base);
    url.search = '';
    url.hash = '';
    url.searchParams.set('_task', 'mail');
    url.searchParams.set('_uid', uid);
    url.searchParams.set('_mbox', mbox);
    url.searchParams.set('_action', 'viewsource');
    return url;
  }
  return null;
}

/** Reads a response body up to the end of the header block (or MAX_HEADER_BYTES), then cancels. */
export async function readHeaderBlock(response: Response, signal?: AbortSignal): Promise<string> {
  const body = response.body;
  if (!body) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  let text = '';
  try {
    while (text.length < MAX_HEADER_BYTES) {
      if (signal?.aborted) break;
      const { done, value } = await reader.read();
      if (done) break;
      // Look from a little before the new chunk: the empty line may straddle two chunks.
      const from = Math.max(0, text.length - 3);
      text += decoder.decode(value, { stream: true });
      const end = text.slice(from).search(/\r?\n\r?\n/);
      if (end >= 0) return text.slice(0, from + end);
    }
    return text.slice(0, MAX_HEADER_BYTES);
  } finally {
    // The body may be megabytes of attachments: stop the download.
    reader.cancel().catch(() => {});
  }
}

async function roundcubeHeaders(messageDoc: Document, opts: GatherOptions): Promise<SenderFacts | null> {
  const url = roundcubeSourceUrl(messageDoc);
  if (!url) return null;
  const response = await (opts.fetch ?? pageFetch())(url.href, {
    credentials: 'same-origin',
    cache: 'no-store',
    signal: opts.signal ?? null,
  });
  // A lapsed session answers with the login page (HTML), and a redirect may leave the origin: not headers.
  const type = response.headers.get('content-type') ?? '';
  if (
    !response.ok ||
    !/^text\/plain\b/i.test(type) ||
    new URL(response.url || url.href).origin !== url.origin
  ) {
    response.body?.cancel().catch(() => {});
    return null;
  }
  return senderFactsFromHeaders(await readHeaderBlock(response, opts.signal));
}

/**
 * The sender facts of the message shown in `messageDoc` (the document holding the
 * provider's reader: Roundcube's preview frame, or the top document). From raw
 * headers where the provider serves them (Roundcube), else from the page. Null
 * when the page shows no sender. Never throws, except an AbortError when
 * `signal` aborts.
 */
export async function gatherSenderFacts(
  provider: ProviderSpec,
  messageDoc: Document,
  opts: GatherOptions = {},
): Promise<SenderFacts | null> {
  const spec = provider.reader?.sender;
  const dom = spec ? senderFromDom(spec, messageDoc) : null;
  if (provider.id !== 'roundcube') return dom;
  try {
    const headers = await roundcubeHeaders(messageDoc, opts);
    // The source fetched must be the message shown: a stale _uid would describe another mail.
    if (headers && dom && headers.fromAddress.toLowerCase() !== dom.fromAddress.toLowerCase()) return dom;
    return headers ?? dom;
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    return dom;
  }
}
