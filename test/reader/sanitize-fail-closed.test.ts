// @vitest-environment happy-dom
/**
 * Without the standard nodeName getter (happy-dom as shipped), DOMPurify keeps what it
 * should drop. The sanitizer's self-check must notice and return nothing at all.
 * (Separate file: the fix in sanitize.test.ts patches the window for its whole file.)
 */
import { describe, expect, it } from 'vitest';
import { sanitizeHtml, sanitizerWorks } from '../../src/reader/sanitize';

describe('sanitizeHtml on a non-conforming DOM', () => {
  it('fails closed', () => {
    expect(sanitizerWorks()).toBe(false);
    expect(sanitizeHtml('<p>hello</p><img src=x onerror=alert(1)>')).toBe('');
  });
});
