/**
 * Everything Cipherpost draws in a webmail page lives in a host element with a
 * CLOSED shadow root: the page sees the host's tag name (stable, so the end-to-end
 * tests can find our button by position) and nothing inside it, not even the
 * ticket in a frame's URL (docs/webmail-integration.md §Tickets).
 *
 * Tag names (page-visible): `cipherpost-encrypt` (the compose button),
 * `cipherpost-compose` (the compose overlay), `cipherpost-reader` (a reader frame),
 * `cipherpost-lock` (generic mode's compose button), `cipherpost-banner` (the privacy
 * banner above an opened message, issue 6: src/content/remote-content.ts).
 */

export type HostTag =
  | 'cipherpost-encrypt'
  | 'cipherpost-compose'
  | 'cipherpost-reader'
  | 'cipherpost-lock'
  | 'cipherpost-banner';

export interface Host {
  host: HTMLElement;
  root: ShadowRoot;
}

/** Sets inline styles as `!important`, which page style sheets cannot override without inline styles of their own. */
export function pin(el: HTMLElement, styles: Record<string, string>): void {
  for (const [name, value] of Object.entries(styles)) el.style.setProperty(name, value, 'important');
}

/** Set on a fallback host (a `span`) to name the host tag it stands for. */
export const HOST_ATTRIBUTE = 'data-cipherpost-host';

/**
 * A host element in `doc` with a closed shadow root; not yet in the document.
 *
 * A page that defines one of our tag names as a custom element before we draw
 * would own the host: its constructor runs on our element, and a shadow root
 * attached to a custom element is "available to element internals" (DOM §4.2.14,
 * attachShadow step 7), so `ElementInternals.shadowRoot` would hand the page our
 * closed root, the frame URL with its ticket included. `:defined` tells (an
 * undefined autonomous name never matches it); then the host is a `span`, which
 * no page can define (customized built-ins need `is` at creation, which we never
 * give). Defining the name later does not help the page: the root was attached
 * while the element was not custom. Found by test/browser/privacy-banner-hostile.test.ts.
 */
export function createHost(doc: Document, tag: HostTag, hostStyle: Record<string, string>): Host {
  let host = doc.createElement(tag);
  if (host.matches(':defined')) {
    host = doc.createElement('span');
    host.setAttribute(HOST_ATTRIBUTE, tag);
  }
  pin(host, { all: 'initial', ...hostStyle });
  const root = host.attachShadow({ mode: 'closed' });
  return { host, root };
}

/** Our hosts of one kind in `root`: the tag, or the fallback span standing for it. */
export function hostSelector(tag: HostTag): string {
  return `${tag}, span[${HOST_ATTRIBUTE}="${tag}"]`;
}

/** An extension-page iframe for a closed shadow root. */
export function createFrame(
  doc: Document,
  src: string,
  title: string,
  style: Record<string, string>,
): HTMLIFrameElement {
  const frame = doc.createElement('iframe');
  frame.src = src;
  frame.title = title;
  frame.setAttribute('allowtransparency', 'true');
  pin(frame, {
    border: 'none',
    display: 'block',
    margin: '0',
    padding: '0',
    background: 'transparent',
    ...style,
  });
  return frame;
}

/** The button style of the Encrypt and lock buttons. */
export const BUTTON_STYLE: Record<string, string> = {
  all: 'initial',
  'box-sizing': 'border-box',
  display: 'inline-flex',
  'align-items': 'center',
  gap: '6px',
  height: '32px',
  padding: '0 12px',
  margin: '0 6px',
  border: '1px solid #1d4ed8',
  'border-radius': '6px',
  background: '#1d4ed8',
  color: '#ffffff',
  font: '600 13px/1 system-ui, sans-serif',
  cursor: 'pointer',
  'white-space': 'nowrap',
};

/** A small padlock, drawn with DOM calls (no innerHTML anywhere in the content script). */
export function lockIcon(doc: Document): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  const body = doc.createElementNS(ns, 'rect');
  for (const [k, v] of Object.entries({
    x: '3',
    y: '7',
    width: '10',
    height: '8',
    rx: '1.5',
    fill: 'currentColor',
  }))
    body.setAttribute(k, v);
  const shackle = doc.createElementNS(ns, 'path');
  for (const [k, v] of Object.entries({
    d: 'M5 7V5a3 3 0 0 1 6 0v2',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '1.6',
  }))
    shackle.setAttribute(k, v);
  svg.append(body, shackle);
  return svg;
}
