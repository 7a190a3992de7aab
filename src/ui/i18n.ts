/**
 * UI strings through `browser.i18n` (public/_locales/{en,ja}/messages.json).
 * A missing key shows the key itself, so a gap is visible, never blank.
 */
import { browser } from 'wxt/browser';

// Keys are built at run time (`state_${state}`), so use the untyped signature;
// test/ui/locales.test.ts checks that every key the code uses exists in every locale.
const getMessage = browser.i18n.getMessage as (key: string, substitutions?: string | string[]) => string;

export function t(key: string, substitutions?: string | string[]): string {
  const text = getMessage(key, substitutions);
  return text === '' ? key : text;
}
