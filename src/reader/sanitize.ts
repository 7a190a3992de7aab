/**
 * HTML sanitizer for decrypted bodies (reader) and rich drafts (compose), issue 5.
 *
 * Security caveats:
 * - This is one layer of three. The HTML is shown in an `<iframe sandbox="allow-same-origin">`
 *   (no scripts) whose srcdoc starts with a CSP allowing only data:/blob: images and inline
 *   styles (srcdoc.ts). The sanitizer alone must still leave nothing executable or remote.
 * - Remote loads (tracking pixels, CSS url(), srcset, <link>, <base>) are dropped, not
 *   rewritten. Links (<a href> to http, https or mailto) are kept as navigation the user
 *   chooses, opened in a new tab with rel="noopener noreferrer".
 * - DOMPurify returns its input unchanged when the DOM it runs on is not supported, and a
 *   non-conforming DOM can make it keep what it should drop. So the sanitizer checks itself
 *   once on a known payload and fails closed (returns '') when that check fails.
 */
import createDOMPurify, { type Config, type DOMPurify } from 'dompurify';

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
      else if (name === 'src' && !(tag === 'img' && SAFE_IMAGE.test(value))) el.removeAttribute(attr.name);
      else if (name === 'href' && !(tag === 'a' && SAFE_LINK.test(value))) el.removeAttribute(attr.name);
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
  const purify = purifier(win);
  if (!purify) return '';
  let out = html;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = serialize(purify.sanitize(out, { ...CONFIG, RETURN_DOM: true }) as HTMLElement);
    if (next === out) return out;
    out = next;
  }
  return '';
}

/**
 * An image left without a safe source was a tracker or a remote picture: drop the element.
 * Done after DOMPurify's walk, not in a hook: removing nodes while it walks makes some DOMs
 * skip the next node.
 */
function serialize(body: HTMLElement): string {
  for (const img of Array.from(body.querySelectorAll('img:not([src])'))) img.remove();
  return body.innerHTML;
}

/** True when the sanitizer works in this DOM (the self-check passed). */
export function sanitizerWorks(win: Window = window): boolean {
  return purifier(win) !== null;
}
