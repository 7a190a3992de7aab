/**
 * Who sent a runtime message? Pure functions, so every rule is unit tested.
 *
 * Modelled on Bitwarden's `senderIsInternal` (same extension id, then the sender's
 * origin compared with the extension's own) and uBlock Origin's privileged ports
 * (only top-level extension pages get the privileged channel). Every message is
 * classified before dispatch; a sender that fits no kind is refused.
 *
 * Rules:
 * 1. `sender.id` must equal our runtime id (no other extension, no web page).
 * 2. The sender's origin is `sender.origin` when the browser gives it (Chrome),
 *    else `sender.url` (Firefox). Missing, unparsable or opaque (`null`,
 *    `about:blank`, `data:`) is refused. Origins compare by scheme, host and port.
 * 3. Extension origin, top frame (`frameId` 0 or absent), no tab or a tab that
 *    shows one of our pages: `extension-page`.
 * 4. Extension origin in a sub-frame (`frameId` > 0): `extension-frame`.
 * 5. Any other origin: a `content-script` only from the top frame (`frameId` 0) of
 *    a tab (`sender.tab`) whose URL, and the sender's origin, match the content
 *    script's host patterns. Sub-frames of web pages are refused.
 */

import { BUILD_MATCHES } from '../shell/build-mode';
import type { SenderKind } from './messages';

/** The parts of `runtime.MessageSender` the checks read. Real senders are assignable. */
export interface SenderLike {
  id?: string | undefined;
  url?: string | undefined;
  origin?: string | undefined;
  frameId?: number | undefined;
  tab?: { id?: number | undefined; url?: string | undefined } | undefined;
}

export type TrustedSender =
  | { kind: 'extension-page'; origin: string; url: string | undefined; tabId: number | undefined }
  | {
      kind: 'extension-frame';
      origin: string;
      url: string | undefined;
      tabId: number | undefined;
      frameId: number;
    }
  | { kind: 'content-script'; origin: string; url: string | undefined; tabId: number; tabUrl: string };

export type Classification = { ok: true; sender: TrustedSender } | { ok: false; reason: string };

/** The content-script host patterns of this build (webmail, plus loopback in e2e). */
export const BUILD_CONTENT_HOSTS: readonly string[] = BUILD_MATCHES;

export interface ParsedOrigin {
  /** Lower-case scheme without the colon, e.g. `https`, `chrome-extension`. */
  scheme: string;
  host: string;
  /** '' for the scheme's default port. */
  port: string;
}

/** Parses a URL or origin string down to scheme, host and port; null if it has no host. */
export function parseOrigin(raw: unknown): ParsedOrigin | null {
  if (typeof raw !== 'string' || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.hostname === '') return null;
  return { scheme: url.protocol.slice(0, -1).toLowerCase(), host: url.hostname, port: url.port };
}

export function sameOrigin(a: ParsedOrigin, b: ParsedOrigin): boolean {
  return a.scheme === b.scheme && a.host === b.host && a.port === b.port;
}

export function formatOrigin(o: ParsedOrigin): string {
  return `${o.scheme}://${o.host}${o.port === '' ? '' : `:${o.port}`}`;
}

interface ParsedPattern {
  schemes: readonly string[];
  /** Exact host, or `*.`-prefixed for a host and its subdomains, or `*` for any. */
  host: string;
  /** null: any port (match patterns without a port match every port). */
  port: string | null;
  path: RegExp;
}

const PATTERN_RE = /^(\*|[a-z][a-z0-9+.-]*):\/\/(\*|(?:\*\.)?[^/*:]+)(?::(\d+))?(\/.*)$/;

/** Parses a WebExtension match pattern (`<all_urls>` is deliberately not supported). */
export function parseMatchPattern(pattern: string): ParsedPattern | null {
  const m = PATTERN_RE.exec(pattern);
  if (!m) return null;
  const [, scheme, host, port, path] = m;
  if (scheme === undefined || host === undefined || path === undefined) return null;
  const escaped = path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return {
    schemes: scheme === '*' ? ['http', 'https'] : [scheme],
    host: host.toLowerCase(),
    port: port ?? null,
    path: new RegExp(`^${escaped}$`),
  };
}

function hostMatches(patternHost: string, host: string): boolean {
  if (patternHost === '*') return true;
  if (patternHost.startsWith('*.')) {
    const base = patternHost.slice(2);
    return host === base || host.endsWith(`.${base}`);
  }
  return host === patternHost;
}

function patternMatchesOrigin(pattern: ParsedPattern, origin: ParsedOrigin): boolean {
  return (
    pattern.schemes.includes(origin.scheme) &&
    hostMatches(pattern.host, origin.host) &&
    (pattern.port === null || pattern.port === origin.port)
  );
}

/** Does an origin (scheme, host, port; no path) fall under one of the patterns? */
export function originMatches(origin: ParsedOrigin, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    const pattern = parseMatchPattern(p);
    return pattern !== null && patternMatchesOrigin(pattern, origin);
  });
}

/** Does a full URL (including its path) match one of the patterns? */
export function urlMatches(raw: unknown, patterns: readonly string[]): boolean {
  const origin = parseOrigin(raw);
  if (origin === null) return false;
  const url = new URL(raw as string);
  return patterns.some((p) => {
    const pattern = parseMatchPattern(p);
    return (
      pattern !== null &&
      patternMatchesOrigin(pattern, origin) &&
      pattern.path.test(url.pathname + url.search)
    );
  });
}

const refuse = (reason: string): Classification => ({ ok: false, reason });

/**
 * Classifies a message sender, or refuses it with a reason (for logs and tests).
 *
 * @param extensionId `browser.runtime.id`
 * @param extensionOrigin the extension's own origin, e.g. from `browser.runtime.getURL('/')`
 * @param contentHosts match patterns a content-script sender's tab must match
 */
export function classifySender(
  sender: unknown,
  extensionId: string,
  extensionOrigin: string,
  contentHosts: readonly string[] = BUILD_CONTENT_HOSTS,
): Classification {
  if (typeof sender !== 'object' || sender === null) return refuse('no sender');
  const s = sender as SenderLike;
  if (typeof extensionId !== 'string' || extensionId === '') return refuse('extension id unknown');
  if (s.id !== extensionId) return refuse('sender is another extension or not an extension');

  const ownOrigin = parseOrigin(extensionOrigin);
  if (ownOrigin === null) return refuse('extension origin unknown');

  // Chrome gives `origin` (which is also right for about:blank / srcdoc frames and
  // says `null` for opaque ones); Firefox gives only `url`. When `origin` is present
  // it alone decides: an opaque origin must not fall back to a real-looking url.
  const rawOrigin = typeof s.origin === 'string' ? s.origin : s.url;
  const origin = parseOrigin(rawOrigin);
  if (origin === null) return refuse('sender origin missing or opaque');

  const frameId = s.frameId;
  if (frameId !== undefined && (typeof frameId !== 'number' || !Number.isInteger(frameId) || frameId < 0)) {
    return refuse('malformed frameId');
  }
  const tab = s.tab;
  if (tab !== undefined && (typeof tab !== 'object' || tab === null)) return refuse('malformed tab');
  const tabId = typeof tab?.id === 'number' ? tab.id : undefined;
  const url = typeof s.url === 'string' ? s.url : undefined;

  if (sameOrigin(origin, ownOrigin)) {
    const originText = formatOrigin(origin);
    if (frameId !== undefined && frameId > 0) {
      return { ok: true, sender: { kind: 'extension-frame', origin: originText, url, tabId, frameId } };
    }
    if (tab !== undefined) {
      // A top-level extension page in a tab: the browser always reports the frame
      // and, for our own pages, the tab's URL; it must be one of ours too.
      if (frameId === undefined) return refuse('extension page in a tab without frameId');
      const tabOrigin = parseOrigin(tab.url);
      if (tabOrigin !== null && !sameOrigin(tabOrigin, ownOrigin)) {
        return refuse('extension-origin top frame in a foreign tab');
      }
    }
    return { ok: true, sender: { kind: 'extension-page', origin: originText, url, tabId } };
  }

  // Not our origin: only our content script in the top frame of a webmail tab.
  if (tab === undefined || tabId === undefined) return refuse('web sender without a tab');
  if (frameId !== 0) return refuse('web sender in a sub-frame');
  if (!originMatches(origin, contentHosts)) return refuse('sender origin is not a content-script host');
  if (typeof tab.url !== 'string' || !urlMatches(tab.url, contentHosts)) {
    return refuse('tab URL is not a content-script host');
  }
  return {
    ok: true,
    sender: { kind: 'content-script', origin: formatOrigin(origin), url, tabId, tabUrl: tab.url },
  };
}

/** True when a classified sender may send a message declared for `allowed` kinds. */
export function senderAllowed(sender: TrustedSender, allowed: readonly SenderKind[]): boolean {
  return allowed.includes(sender.kind);
}
