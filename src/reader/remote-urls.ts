/**
 * Remote URLs in a message's HTML (issue 6): what the sanitizer blocks, so the reader can
 * say "N remote items blocked", and which origins an image render may load from.
 *
 * Security caveats:
 * - This only reports. Blocking is sanitize.ts's job and the srcdoc CSP's (srcdoc.ts):
 *   a URL this scan misses is still dropped, only not counted.
 * - The scan reads the parsed input (an inert DOMParser document: nothing loads), never
 *   the live frame. It counts loads, not navigation: `<a href>` is a link the user
 *   chooses and is not counted.
 */

/** A remote (network) URL: http, https or protocol-relative `//host`. */
const REMOTE = /^(?:https?:)?\/\//i;

export function isRemoteUrl(url: string): boolean {
  return REMOTE.test(url.trim());
}

/** `//host/x` as `https://host/x`: in the srcdoc it would resolve against the extension's URL. */
export function absoluteRemote(url: string): string {
  const u = url.trim();
  return u.startsWith('//') ? `https:${u}` : u;
}

/**
 * The URLs of a srcset (HTML §4.8.4.3.10, simplified): candidates are separated by commas,
 * a URL runs to the next whitespace, and a URL ending in a comma has no descriptor.
 */
export function srcsetUrls(srcset: string): { url: string; descriptor: string }[] {
  const out: { url: string; descriptor: string }[] = [];
  let i = 0;
  const s = srcset;
  while (i < s.length) {
    while (i < s.length && /[\s,]/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let j = i;
    while (j < s.length && !/\s/.test(s[j]!)) j++;
    let url = s.slice(i, j);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      let k = j;
      let depth = 0;
      while (k < s.length && (depth > 0 || s[k] !== ',')) {
        if (s[k] === '(') depth++;
        else if (s[k] === ')') depth = Math.max(0, depth - 1);
        k++;
      }
      descriptor = s.slice(j, k).trim();
      j = k;
    }
    if (url) out.push({ url, descriptor });
    i = j;
  }
  return out;
}

/** CSS escapes decoded (`u\72l(` is `url(`), so obfuscated URLs are counted too. */
function decodeCssEscapes(css: string): string {
  return css
    .replace(/\\([0-9a-f]{1,6})\s?/gi, (_, hex: string) => {
      const cp = Number.parseInt(hex, 16);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
    })
    .replace(/\\\n/g, '')
    .replace(/\\(.)/g, '$1');
}

/** Every URL a stylesheet or style attribute could load: url(), @import "…", image-set("…"). */
export function cssUrls(css: string): string[] {
  const text = decodeCssEscapes(css.replace(/\/\*[\s\S]*?\*\//g, ''));
  const out: string[] = [];
  for (const m of text.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)/gi)) {
    out.push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  for (const m of text.matchAll(/@import\s+(?:"([^"]*)"|'([^']*)')/gi)) out.push(m[1] ?? m[2] ?? '');
  for (const m of text.matchAll(/image-set\(([^)]*)\)/gi)) {
    for (const s of m[1]!.matchAll(/"([^"]*)"|'([^']*)'/g)) out.push(s[1] ?? s[2] ?? '');
  }
  return out.map((u) => u.trim()).filter((u) => u !== '');
}

/** Attributes whose value is one URL that loads (or pings) without the user choosing it. */
const URL_ATTRS = ['src', 'poster', 'background', 'data', 'lowsrc', 'dynsrc', 'ping', 'codebase', 'manifest'];
/** `href` loads on these elements (on `a` and `area` it is a link the user clicks). */
const HREF_LOADS = new Set(['link', 'image', 'use', 'feimage', 'script']);

/** The remote URLs an element would load, in attribute order. */
function elementUrls(el: Element): string[] {
  const tag = el.localName.toLowerCase();
  const out: string[] = [];
  for (const attr of Array.from(el.attributes)) {
    const name = attr.name.toLowerCase();
    const value = attr.value;
    if (URL_ATTRS.includes(name)) {
      // `ping` holds a space-separated list.
      out.push(...(name === 'ping' ? value.split(/\s+/) : [value]));
    } else if (name === 'srcset' || name === 'imagesrcset') {
      out.push(...srcsetUrls(value).map((c) => c.url));
    } else if ((name === 'href' || name === 'xlink:href') && HREF_LOADS.has(tag)) {
      out.push(value);
    } else if (name === 'style') {
      out.push(...cssUrls(value));
    } else if (name === 'content' && tag === 'meta') {
      const refresh = /url\s*=\s*['"]?([^'"\s;]+)/i.exec(value)?.[1];
      if (refresh) out.push(refresh);
    }
  }
  if (tag === 'style') out.push(...cssUrls(el.textContent ?? ''));
  return out;
}

/**
 * The distinct remote URLs in `html`, in document order, as written (protocol-relative
 * ones made https). A URL used twice is one item: the browser would fetch it once.
 */
export function remoteUrls(html: string, win: Window = window): string[] {
  const doc = new (win as Window & typeof globalThis).DOMParser().parseFromString(html, 'text/html');
  const seen = new Set<string>();
  for (const el of Array.from(doc.querySelectorAll('*'))) {
    for (const url of elementUrls(el)) {
      if (isRemoteUrl(url)) seen.add(absoluteRemote(url));
    }
  }
  return [...seen];
}

/** A CSP host-source we can write safely: scheme, a DNS name or IPv4, an optional port. */
const CSP_ORIGIN = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/;

/**
 * The origin of an image URL the reader may load, or null: http(s) only (https only unless
 * `http` is allowed), no user name or password, a host a CSP source expression can name.
 */
export function imageOrigin(url: string, allowHttp: boolean): string | null {
  let u: URL;
  try {
    u = new URL(absoluteRemote(url));
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && !(allowHttp && u.protocol === 'http:')) return null;
  if (u.username !== '' || u.password !== '') return null;
  return CSP_ORIGIN.test(u.origin) ? u.origin : null;
}
