/**
 * Neutralising remote content in an opened message's DOM (issue 6,
 * docs/privacy.md §How). The browser rules (src/background/remote-rules.ts)
 * already stop the requests; this takes the URLs out of the message so nothing
 * is even attempted, counts them for the banner, and can put back the exact
 * originals when the user chooses to load them.
 *
 * A URL is remote when it resolves (against the document's base, as the
 * browser would) to http(s) on another origin than the webmail page's. data:,
 * cid:, blob: and same-origin URLs (the webmail's own attachments and proxies)
 * are left alone.
 *
 * Each moved attribute keeps its value in `data-cipherpost-<name>` (so tests and
 * curious users can see what was blocked); a rewritten style sheet or style
 * attribute keeps its original text the same way. Restoring uses the values
 * remembered here, not what the page may since have written in those attributes.
 */

const PREFIX = 'data-cipherpost-';
/** What a neutralised CSS url() points to: never fetched (CSS Values §4.5 uses it for invalid URLs). */
const INERT_URL = 'about:invalid';

/** Plain URL attributes, by element local name (lower case; SVG's `feImage` too). */
const URL_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  img: ['src', 'lowsrc'],
  source: ['src'],
  video: ['src', 'poster'],
  audio: ['src'],
  track: ['src'],
  iframe: ['src'],
  frame: ['src'],
  embed: ['src'],
  object: ['data'],
  input: ['src'],
  link: ['href'],
  image: ['href', 'xlink:href'],
  feimage: ['href', 'xlink:href'],
  use: ['href', 'xlink:href'],
};
/** Attributes that load on any element: table/body backgrounds, `<a ping>`. */
const ANY_ELEMENT = ['background', 'ping'];
const SRCSET_ELEMENTS = new Set(['img', 'source']);

export type Change =
  | { kind: 'attribute'; el: Element; name: string; value: string }
  | { kind: 'style-attribute'; el: Element; value: string }
  | { kind: 'style-text'; el: Element; value: string };

/** An attribute as it was: namespace (xlink:href), qualified name, value. */
type Attr3 = [ns: string | null, name: string, value: string];

export interface Neutralised {
  /** The remote URLs taken out, absolute, deduplicated, in document order. */
  urls: string[];
  /** Those of them that are style sheets (`<link rel=stylesheet>`, `@import`). */
  sheets: string[];
  changes: Change[];
}

/**
 * Each changed element's attributes before the change, in order: restore puts
 * them back in that order, so the element is exactly as it was (a WeakMap: the
 * page sees nothing of it).
 */
const originals = new WeakMap<Element, Attr3[]>();

function remember(el: Element): void {
  if (!originals.has(el))
    originals.set(
      el,
      [...el.attributes].map((a) => [a.namespaceURI, a.name, a.value]),
    );
}

/** The absolute URL if `raw` is remote for a page of origin `own`, else null. */
export function remoteUrl(raw: string, base: string, own: string): string | null {
  // Browsers drop tabs and newlines anywhere in a URL (URL Standard §4.4).
  const cleaned = raw.replace(/[\t\n\r]/g, '').trim();
  if (cleaned === '') return null;
  let url: URL;
  try {
    url = new URL(cleaned, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.origin === own ? null : url.href;
}

/** The URLs of a `srcset` (HTML §4.8.4.3.10 parsing, without the descriptors). */
export function srcsetUrls(value: string): string[] {
  const out: string[] = [];
  const space = /[\s]/;
  let i = 0;
  while (i < value.length) {
    while (i < value.length && (space.test(value[i]!) || value[i] === ',')) i++;
    if (i >= value.length) break;
    const start = i;
    while (i < value.length && !space.test(value[i]!)) i++;
    let url = value.slice(start, i);
    if (url.endsWith(',')) url = url.replace(/,+$/, '');
    else {
      // Descriptors up to the next comma outside parentheses.
      let depth = 0;
      while (i < value.length) {
        const c = value[i]!;
        if (c === '(') depth++;
        else if (c === ')') depth = Math.max(0, depth - 1);
        else if (c === ',' && depth === 0) break;
        i++;
      }
    }
    if (url) out.push(url);
  }
  return out;
}

/**
 * CSS escapes decoded (`\75 rl(` is `url(`, CSS Syntax §4.3.7), so an escaped
 * url() or URL cannot slip past the patterns below. It can change the meaning of
 * an escaped selector in a hostile mail's sheet; only sheets with a backslash pay.
 */
export function decodeCssEscapes(css: string): string {
  if (!css.includes('\\')) return css;
  return css.replace(/\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\([^\n\r\f0-9a-fA-F])/g, (_, hex, ch) => {
    if (ch !== undefined) return ch;
    const cp = Number.parseInt(hex, 16);
    return cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
  });
}

const URL_FUNCTION = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)/gi;
const IMPORT_STRING = /(@import\s+)(?:"([^"]*)"|'([^']*)')/gi;
const IMPORT_ANY = /@import\s+(?:url\(\s*)?(?:"([^"]*)"|'([^']*)'|([^)"'\s;]+))/gi;
const IMAGE_SET = /((?:-webkit-)?image-set\()([^)]*)/gi;
const QUOTED = /"([^"]*)"|'([^']*)'/g;

/** CSS text with every remote url(), `@import "…"` and image-set string made inert. */
export function neutraliseCss(
  css: string,
  base: string,
  own: string,
): { text: string; urls: string[]; sheets: string[] } | null {
  if (!/url|@import|image-set|\\/i.test(css)) return null;
  const urls: string[] = [];
  const sheets: string[] = [];
  const check = (raw: string): boolean => {
    const url = remoteUrl(raw, base, own);
    if (url) urls.push(url);
    return url !== null;
  };
  let text = decodeCssEscapes(css);
  for (const m of text.matchAll(IMPORT_ANY)) {
    const url = remoteUrl(m[1] ?? m[2] ?? m[3] ?? '', base, own);
    if (url) sheets.push(url);
  }
  text = text.replace(URL_FUNCTION, (whole, d, s, u) =>
    check(d ?? s ?? u ?? '') ? `url("${INERT_URL}")` : whole,
  );
  text = text.replace(IMPORT_STRING, (whole, at, d, s) =>
    check(d ?? s ?? '') ? `${at}"${INERT_URL}"` : whole,
  );
  text = text.replace(
    IMAGE_SET,
    (_, fn, args: string) =>
      fn + args.replace(QUOTED, (whole, d, s) => (check(d ?? s ?? '') ? `"${INERT_URL}"` : whole)),
  );
  return urls.length > 0 ? { text, urls, sheets } : null;
}

function dataName(name: string): string {
  return PREFIX + name.replace(':', '-');
}

/** Moves the remote URLs out of `root` and everything under it. */
export function neutralise(root: Element, own: string): Neutralised {
  const doc = root.ownerDocument;
  const base = doc.baseURI;
  const urls = new Set<string>();
  const sheets = new Set<string>();
  const changes: Change[] = [];

  const moveAttribute = (el: Element, name: string, found: string[]) => {
    if (found.length === 0) return;
    const value = el.getAttribute(name)!;
    for (const u of found) urls.add(u);
    remember(el);
    el.removeAttribute(name);
    el.setAttribute(dataName(name), value);
    changes.push({ kind: 'attribute', el, name, value });
  };

  const visit = (el: Element) => {
    const tag = el.localName.toLowerCase();
    for (const name of [...(URL_ATTRIBUTES[tag] ?? []), ...ANY_ELEMENT]) {
      const value = el.getAttribute(name);
      if (value === null) continue;
      // `ping` holds a space-separated list of URLs.
      const parts = name === 'ping' ? value.split(/\s+/) : [value];
      const found = parts.map((p) => remoteUrl(p, base, own)).filter((u): u is string => u !== null);
      if (tag === 'link' && /(^|\s)stylesheet(\s|$)/i.test(el.getAttribute('rel') ?? ''))
        for (const u of found) sheets.add(u);
      moveAttribute(el, name, found);
    }
    if (SRCSET_ELEMENTS.has(tag)) {
      const value = el.getAttribute('srcset');
      if (value !== null)
        moveAttribute(
          el,
          'srcset',
          srcsetUrls(value)
            .map((p) => remoteUrl(p, base, own))
            .filter((u): u is string => u !== null),
        );
    }
    const style = el.getAttribute('style');
    if (style !== null) {
      const css = neutraliseCss(style, base, own);
      if (css) {
        for (const u of css.urls) urls.add(u);
        for (const u of css.sheets) sheets.add(u);
        remember(el);
        el.setAttribute('style', css.text);
        el.setAttribute(`${PREFIX}style`, style);
        changes.push({ kind: 'style-attribute', el, value: style });
      }
    }
    if (tag === 'style') {
      const text = el.textContent ?? '';
      const css = neutraliseCss(text, base, own);
      if (css) {
        for (const u of css.urls) urls.add(u);
        for (const u of css.sheets) sheets.add(u);
        remember(el);
        el.textContent = css.text;
        el.setAttribute(`${PREFIX}css`, text);
        changes.push({ kind: 'style-text', el, value: text });
      }
    }
  };

  visit(root);
  for (const el of root.querySelectorAll('*')) visit(el);
  return { urls: [...urls], sheets: [...sheets], changes };
}

/**
 * Puts back exactly what `neutralise` took out: the original values, and each
 * element's attributes in their original order (attributes the page added since
 * stay, after them). Each attribute is set once, so an image is fetched once.
 * Returns how many changes were undone.
 */
export function restore(changes: readonly Change[]): number {
  const byElement = new Map<Element, Change[]>();
  for (const change of changes) {
    const list = byElement.get(change.el) ?? [];
    list.push(change);
    byElement.set(change.el, list);
  }
  for (const [el, list] of byElement) {
    const moved = new Map<string, string>();
    for (const change of list) {
      if (change.kind === 'attribute') moved.set(change.name, change.value);
      else if (change.kind === 'style-attribute') moved.set('style', change.value);
      else el.textContent = change.value;
    }
    const ours = (name: string) => name.startsWith(PREFIX);
    const current = new Map<string, Attr3>();
    for (const a of el.attributes) if (!ours(a.name)) current.set(a.name, [a.namespaceURI, a.name, a.value]);
    const target: Attr3[] = [];
    for (const [ns, name] of originals.get(el) ?? []) {
      if (moved.has(name)) target.push([ns, name, moved.get(name)!]);
      else if (current.has(name)) target.push(current.get(name)!);
      current.delete(name);
    }
    target.push(...current.values());
    for (const a of [...el.attributes]) el.removeAttributeNode(a);
    for (const [ns, name, value] of target) {
      if (ns) el.setAttributeNS(ns, name, value);
      else el.setAttribute(name, value);
    }
    originals.delete(el);
  }
  // A <video>/<audio> chose its source when it was inserted (with none left) and
  // does not look again when a src comes back (HTML §4.8.11.5): load() reruns it.
  const media = new Set<HTMLMediaElement>();
  for (const el of byElement.keys()) {
    const m = el.closest('video, audio') as HTMLMediaElement | null;
    if (m && typeof m.load === 'function') media.add(m);
  }
  for (const m of media) m.load();
  return changes.length;
}
