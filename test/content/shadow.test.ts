/**
 * Host elements (src/content/shadow.ts): a page that defines one of our tag names
 * as a custom element first must not own the host, or ElementInternals would hand
 * it the closed shadow root (found by test/browser/privacy-banner-hostile.test.ts).
 */
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { createHost, HOST_ATTRIBUTE, hostSelector } from '../../src/content/shadow';

describe('createHost', () => {
  it('uses our tag while the page has not defined it, with a closed root', () => {
    const doc = new Window().document as unknown as Document;
    const { host, root } = createHost(doc, 'cipherpost-reader', { display: 'block' });
    expect(host.localName).toBe('cipherpost-reader');
    expect(host.hasAttribute(HOST_ATTRIBUTE)).toBe(false);
    expect(host.shadowRoot).toBeNull();
    expect(root.mode).toBe('closed');
    expect(host.style.getPropertyPriority('display')).toBe('important');
  });

  it('falls back to a span, named by an attribute, when the page defined the tag first', () => {
    const doc = new Window().document as unknown as Document;
    // happy-dom does not match :defined for defined custom elements (real browsers do, which
    // test/browser/privacy-banner-hostile.test.ts checks), so the page's definition is
    // stood in for by an element that says it is defined.
    const create = doc.createElement.bind(doc);
    const made: Element[] = [];
    doc.createElement = ((name: string) => {
      const el = create(name);
      if (name === 'cipherpost-banner') {
        el.matches = (selector: string) =>
          selector === ':defined' || Element.prototype.matches.call(el, selector);
        made.push(el);
      }
      return el;
    }) as Document['createElement'];
    const { host, root } = createHost(doc, 'cipherpost-banner', {});
    expect(made).toHaveLength(1);
    expect(host).not.toBe(made[0]);
    expect(host.localName).toBe('span');
    expect(host.getAttribute(HOST_ATTRIBUTE)).toBe('cipherpost-banner');
    expect(root.mode).toBe('closed');
    expect(host.shadowRoot).toBeNull();
    // The page's element got no shadow root at all.
    expect((made[0] as HTMLElement).shadowRoot).toBeNull();
    doc.body.append(host);
    expect(doc.querySelectorAll(hostSelector('cipherpost-banner'))).toHaveLength(1);
    expect(doc.querySelectorAll(hostSelector('cipherpost-reader'))).toHaveLength(0);
  });
});
