/**
 * The document of the sandboxed frame that shows an HTML body (issue 5). Its first
 * element is the CSP: nothing but inline styles and data:/blob: images may load, even if
 * the sanitizer missed something (and, once the user chose to load them, images from the
 * origins the sanitizer kept: srcdocCsp). The frame itself has `sandbox="allow-same-origin"`
 * (no allow-scripts), so scripts cannot run at all; same-origin lets the reader measure
 * the height of the document and open links in a new tab.
 */

export const SRCDOC_CSP = "default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'";

/** What a CSP source list may name here: an http(s) origin, nothing that could end the directive. */
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/;

/**
 * The CSP of a render with remote images (issue 6, "Load this time"): SRCDOC_CSP with
 * img-src widened to exactly `imageOrigins` (sanitizeHtmlReport's `origins`), nothing
 * else. Still `default-src 'none'`: no script, style sheet, font, media or frame may load.
 * Throws on anything that is not a bare http(s) origin, so a bug cannot widen it.
 */
export function srcdocCsp(imageOrigins: readonly string[] = []): string {
  for (const o of imageOrigins) if (!ORIGIN.test(o)) throw new Error(`srcdocCsp: not an origin: ${o}`);
  if (imageOrigins.length === 0) return SRCDOC_CSP;
  return `default-src 'none'; img-src data: blob: ${[...new Set(imageOrigins)].join(' ')}; style-src 'unsafe-inline'`;
}

const BASE_STYLE =
  'html{color-scheme:light}body{margin:8px;font:14px/1.45 system-ui,sans-serif;color:#111;background:#fff;' +
  'overflow-wrap:anywhere}img{max-width:100%;height:auto}pre{white-space:pre-wrap}';

/** `safeHtml` must come from sanitizeHtml (sanitize.ts), `imageOrigins` from its report. */
export function buildSrcdoc(safeHtml: string, imageOrigins: readonly string[] = []): string {
  return (
    `<meta http-equiv="Content-Security-Policy" content="${srcdocCsp(imageOrigins)}">` +
    '<meta name="referrer" content="no-referrer">' +
    `<style>${BASE_STYLE}</style>` +
    `<body>${safeHtml}</body>`
  );
}
