/**
 * Shared steps for browser tests that need a set-up vault: onboarding through
 * the popup (as a user does it), and reading what the extension's pages show.
 * keyring.test.ts tests the onboarding itself, wrong inputs included; these
 * helpers take the straight path.
 */
import type { Page } from 'puppeteer-core';
import { type LaunchedBrowser, openExtensionPage } from './harness';

export const PASSPHRASE = 'orbit cactus lantern meadow';

/** The text of `selector`, once it is there (pages render after their messages are answered). */
export async function text(page: Page, selector: string): Promise<string> {
  await page.waitForSelector(selector, { timeout: 30_000 });
  return page.$eval(selector, (e) => e.textContent ?? '');
}

/** Waits until the page's header shows the vault in `state` (`uninitialized`, `locked`, `unlocked`). */
export async function waitForState(page: Page, state: string): Promise<void> {
  await page.waitForSelector(`[data-testid=vault-state][data-state=${state}]`, { timeout: 30_000 });
}

/** Sets a text field's value at once and tells Preact (typing a 10 kB armored key is slow). */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  await page.waitForSelector(selector, { timeout: 30_000 });
  await page.$eval(
    selector,
    (e, v) => {
      const field = e as HTMLInputElement | HTMLTextAreaElement;
      field.value = v;
      field.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
}

export interface SetUpVault {
  /** The popup tab that did the onboarding, now showing the unlocked status. */
  popup: Page;
  address: string;
  recoveryCode: string;
  /** As the popup shows it: 16 groups of 4 upper-case hex digits. */
  fingerprint: string;
  /** The per-install security marker's word, as the popup's header shows it. */
  markerWord: string;
}

/**
 * Opens the popup in a tab and onboards `address` with PASSPHRASE: create,
 * read the recovery code, type it back. Resolves once the popup shows the
 * unlocked vault with its fingerprint.
 */
export async function onboardThroughPopup(b: LaunchedBrowser, address: string): Promise<SetUpVault> {
  const popup = await openExtensionPage(b, '/popup.html');
  await waitForState(popup, 'uninitialized');
  await popup.type('[data-testid=address]', address);
  await popup.type('[data-testid=passphrase]', PASSPHRASE);
  await popup.type('[data-testid=passphrase-repeat]', PASSPHRASE);
  await popup.click('[data-testid=create]');
  const recoveryCode = (await text(popup, '[data-testid=recovery-code]')).trim();
  const markerWord = (await text(popup, '[data-testid=security-marker] .marker-word')).trim();
  await popup.click('[data-testid=recovery-written]');
  await popup.type('[data-testid=recovery-input]', recoveryCode);
  await popup.click('[data-testid=recovery-confirm]');
  await popup.waitForSelector('[data-testid=status] [data-testid=fingerprint]', { timeout: 30_000 });
  await waitForState(popup, 'unlocked');
  const fingerprint = (await text(popup, '[data-testid=status] [data-testid=fingerprint]')).trim();
  return { popup, address, recoveryCode, fingerprint, markerWord };
}

/**
 * Sends `message` to the background from an extension page (`chrome.runtime`,
 * which Firefox also provides) and resolves to the router's answer,
 * `{ ok: true, value } | { ok: false, code, message }`. For reading state the
 * page does not show; the page's sender is an `extension-page`.
 */
export function sendFromExtensionPage<T = unknown>(page: Page, message: object): Promise<T> {
  return page.evaluate(
    (m) =>
      (
        globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }
      ).chrome.runtime.sendMessage(m),
    message,
  ) as Promise<T>;
}
