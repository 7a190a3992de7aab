/**
 * The document of the sandboxed frame that shows an HTML body (issue 5). Its first
 * element is the CSP: nothing but inline styles and data:/blob: images may load, even if
 * the sanitizer missed something. The frame itself has `sandbox="allow-same-origin"`
 * (no allow-scripts), so scripts cannot run at all; same-origin lets the reader measure
 * the height of the document and open links in a new tab.
 */

export const SRCDOC_CSP = "default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'";

const BASE_STYLE =
  'html{color-scheme:light}body{margin:8px;font:14px/1.45 system-ui,sans-serif;color:#111;background:#fff;' +
  'overflow-wrap:anywhere}img{max-width:100%;height:auto}pre{white-space:pre-wrap}';

/** `safeHtml` must come from sanitizeHtml (sanitize.ts). */
export function buildSrcdoc(safeHtml: string): string {
  return (
    `<meta http-equiv="Content-Security-Policy" content="${SRCDOC_CSP}">` +
    '<meta name="referrer" content="no-referrer">' +
    `<style>${BASE_STYLE}</style>` +
    `<body>${safeHtml}</body>`
  );
}
