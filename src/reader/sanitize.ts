/**
 * HTML sanitizer for decrypted bodies (reader) and rich drafts (compose), issue 5.
 *
 * Security caveats:
 * - This is one layer of three. The HTML is shown in an `<iframe sandbox="allow-same-origin">`
 *   (no scripts) whose srcdoc starts with a CSP allowing only data:/blob: images and inline
 *   styles (srcdoc.ts). The sanitizer alone must still leave nothing executable or remote.
 * - Remote loads (tracking pixels, CSS url(), srcset, <link>, <base>) are dropped, not
 *   rewritten, and reported (issue 6: sanitizeHtmlReport, remote-urls.ts). Links (<a href>
 *   to http, https or mailto) are kept as navigation the user chooses, opened in a new tab
 *   with rel="noopener noreferrer".
 * - Only when the user chose to load remote content ("Load this time", "Always for this
 *   sender") are remote images kept: `<img src>` and `<img srcset>` with https URLs (http
 *   too only on a second, explicit choice). Nothing else remote ever is: no CSS url() or
 *   @import, no fonts, media, frames, links or scripts. The srcdoc CSP then allows exactly
 *   those images' origins (srcdoc.ts).
 * - DOMPurify returns its input unchanged when the DOM it runs on is not supported, and a
 *   non-conforming DOM can make it keep what it should drop. So the sanitizer checks itself
 *   once on a known payload and fails closed (returns '') when that check fails.
 */
import createDOMPurify, { type Config, type DOMPurify } from 'dompurify';
import { absoluteRemote, imageOrigin, isRemoteUrl, remoteUrls, srcsetUrls } from './remote-urls';

/** Elements that load, run or submit things, or restyle the page: dropped with their content. */
const FORBID_TAGS = [
  'script',
  'style',
  'link',
  'meta',
  'base',
  'title',
  'form',
  'input',
  'button',
  'select',
  'option',
  'optgroup',
  'textarea',
  'fieldset',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'portal',
  'audio',
  'video',
  'source',
  'track',
  'picture',
  'template',
  'noscript',
  'svg',
  'math',
  'canvas',
  'dialog',
  'map',
  'area',
];

/** Attributes that load or submit remote things, or reach outside the message. */
const FORBID_ATTR = [
  'srcset',
  'background',
  'poster',
  'action',
  'formaction',
  'ping',
  'xlink:href',
  'usemap',
  'lowsrc',
  'dynsrc',
  'longdesc',
  'manifest',
  'codebase',
  'data',
  'download',
  'id',
  'name',
  'form',
  'autofocus',
  'tabindex',
  'contenteditable',
];

const CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS,
  FORBID_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: true,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  WHOLE_DOCUMENT: false,
  RETURN_TRUSTED_TYPE: false,
};

/** For a render with remote images: srcset is checked candidate by candidate in the hook. */
const REMOTE_IMAGES_CONFIG: Config = { ...CONFIG, FORBID_ATTR: FORBID_ATTR.filter((a) => a !== 'srcset') };

/**
 * Which remote images a render keeps: none (the default), https ones, or http ones too.
 * Read by the hook; set only for the duration of one synchronous sanitizeHtmlReport call.
 */
export type RemoteImages = 'none' | 'https' | 'http-too';
let remoteImages: RemoteImages = 'none';

/** A remote image URL this render keeps, made absolute (`//host` is https), else null. */
function keptRemoteImage(url: string): string | null {
  if (remoteImages === 'none' || !isRemoteUrl(url)) return null;
  return imageOrigin(url, remoteImages === 'http-too') ? absoluteRemote(url) : null;
}

/** A srcset keeping only remote candidates this render allows, or null if none is left. */
function keptSrcset(value: string): string | null {
  const kept: string[] = [];
  for (const { url, descriptor } of srcsetUrls(value)) {
    const abs = keptRemoteImage(url);
    if (abs && !/[\s,]/.test(abs) && /^(?:\d+(?:\.\d+)?[wx])?$/.test(descriptor)) {
      kept.push(descriptor ? `${abs} ${descriptor}` : abs);
    }
  }
  return kept.length > 0 ? kept.join(', ') : null;
}

/** http(s) and mailto only, absolute: a relative link would resolve against the extension page. */
const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;
/** True for a link the reader may open in a new tab. */
export function isSafeLink(href: string): boolean {
  return SAFE_LINK.test(href.trim());
}

/** Inline images only; never image/svg+xml (SVG documents can carry scripts if ever opened). */
const SAFE_IMAGE = /^(?:data:image\/(?:png|gif|jpeg|jpg|webp|avif|bmp);base64,[a-z0-9+/=\s]*$|blob:)/i;
/**
 * CSS that could load something or run something in old engines. Escapes are refused
 * outright: `u\72l(` is `url(` to a CSS parser.
 */
const UNSAFE_CSS =
  /url\s*\(|image-set|image\s*\(|@import|expression\s*\(|behavior|-moz-binding|javascript:|\\|&#|src\s*\(/i;

function addHooks(purify: DOMPurify): void {
  purify.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (typeof el.getAttribute !== 'function') return;
    const tag = el.tagName.toLowerCase();
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim();
      if (name === 'style' && UNSAFE_CSS.test(value)) el.removeAttribute(attr.name);
      else if (name === 'src' && tag === 'img' && !SAFE_IMAGE.test(value)) {
        const kept = keptRemoteImage(value);
        if (kept) el.setAttribute(attr.name, kept);
        else el.removeAttribute(attr.name);
      } else if (name === 'src' && tag !== 'img') el.removeAttribute(attr.name);
      else if (name === 'srcset') {
        const kept = tag === 'img' ? keptSrcset(value) : null;
        if (kept) el.setAttribute(attr.name, kept);
        else el.removeAttribute(attr.name);
      } else if (name === 'href' && !(tag === 'a' && SAFE_LINK.test(value))) el.removeAttribute(attr.name);
      else if (name === 'target' || name === 'rel') el.removeAttribute(attr.name);
    }
    if (tag === 'a' && el.hasAttribute('href')) {
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

/** A payload every working sanitizer must defuse; used once to check the DOM DOMPurify runs on. */
const CANARY = '<b>ok</b><img src="http://x.invalid/p.png" onerror="alert(1)"><script>alert(1)</script>';

let instance: DOMPurify | null = null;
let working: boolean | null = null;

function purifier(win: Window): DOMPurify | null {
  if (!instance) {
    instance = createDOMPurify(win as unknown as Window & typeof globalThis);
    addHooks(instance);
  }
  if (working === null) {
    const out = instance.isSupported
      ? serialize(instance.sanitize(CANARY, { ...CONFIG, RETURN_DOM: true }) as HTMLElement)
      : '';
    working = out === '<b>ok</b>';
  }
  return working ? instance : null;
}

/** Passes until the output is stable; more means something keeps changing it: refuse. */
const MAX_PASSES = 4;

/**
 * Sanitized HTML for display in the sandboxed frame or for a rich draft. Returns '' when
 * DOMPurify cannot run correctly here (fail closed: the caller then shows nothing).
 *
 * The output is sanitized again until it no longer changes: a removed element's content
 * is hoisted into its place, and a DOM whose tree walk does not follow the removal (as in
 * happy-dom) would leave that content unchecked; re-parsing the output also catches markup
 * that serializes into something else (mutation XSS).
 */
export function sanitizeHtml(html: string, win: Window = window): string {
  return sanitizeHtmlReport(html, 'none', win).html;
}

/** A sanitized body and what it left out (issue 6). */
export interface SanitizedHtml {
  /** Safe HTML for the sandboxed frame; '' when the sanitizer refused (fail closed). */
  html: string;
  /** Distinct remote URLs in the message (remote-urls.ts), in document order. */
  remote: string[];
  /** The remote image URLs this render keeps (absolute), in document order. */
  images: string[];
  /** Their origins, for the srcdoc CSP's img-src (srcdoc.ts); [] when none. */
  origins: string[];
}

/**
 * sanitizeHtml, and what was blocked: every remote URL of the input is counted (the
 * sanitizer drops them all), and with `images` other than 'none' remote images are kept
 * and listed with their origins. `remote` minus `images` is what stays blocked.
 */
export function sanitizeHtmlReport(
  html: string,
  images: RemoteImages = 'none',
  win: Window = window,
): SanitizedHtml {
  const refused: SanitizedHtml = { html: '', remote: [], images: [], origins: [] };
  const purify = purifier(win);
  if (!purify) return refused;
  const config = images === 'none' ? CONFIG : REMOTE_IMAGES_CONFIG;
  let out = html;
  let stable = false;
  remoteImages = images;
  try {
    for (let pass = 0; pass < MAX_PASSES && !stable; pass++) {
      const next = serialize(purify.sanitize(out, { ...config, RETURN_DOM: true }) as HTMLElement);
      stable = next === out;
      out = next;
    }
  } finally {
    remoteImages = 'none';
  }
  if (!stable) return refused;
  const kept = images === 'none' ? [] : keptImages(out, win);
  const origins = [
    ...new Set(kept.map((u) => imageOrigin(u, images === 'http-too')).filter((o) => o !== null)),
  ];
  return { html: out, remote: remoteUrls(html, win), images: kept, origins };
}

/** The remote image URLs left in sanitized output (img src and srcset only can hold them). */
function keptImages(safeHtml: string, win: Window): string[] {
  const doc = new (win as Window & typeof globalThis).DOMParser().parseFromString(safeHtml, 'text/html');
  const seen = new Set<string>();
  for (const img of Array.from(doc.querySelectorAll('img'))) {
    const src = img.getAttribute('src') ?? '';
    if (isRemoteUrl(src)) seen.add(src);
    for (const c of srcsetUrls(img.getAttribute('srcset') ?? '')) if (isRemoteUrl(c.url)) seen.add(c.url);
  }
  return [...seen];
}

/**
 * An image left without a safe source was a tracker or a remote picture: drop the element
 * (a srcset survives only in a render with remote images, and only with kept candidates).
 * Done after DOMPurify's walk, not in a hook: removing nodes while it walks makes some DOMs
 * skip the next node.
 */
function serialize(body: HTMLElement): string {
  for (const img of Array.from(body.querySelectorAll('img:not([src]):not([srcset])'))) img.remove();
  return body.innerHTML;
}

/** True when the sanitizer works in this DOM (the self-check passed). */
export function sanitizerWorks(win: Window = window): boolean {
  return purifier(win) !== null;
}
