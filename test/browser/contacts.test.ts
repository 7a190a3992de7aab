/**
 * Issue #3, contacts through the options page, with the built extension in
 * real headless Chromium and Firefox ESR: import a contact's public key (made
 * in Node with the crypto core, as another Cipherpost would make it), mark it
 * verified after comparing fingerprints, see a newer key for the same address
 * flagged loudly and reset to unverified, see an older key refused as a
 * rollback, and delete the contact through the page's confirm() dialog
 * (puppeteer's `dialog` event: CDP in Chromium, WebDriver BiDi in Firefox,
 * where it works for extension pages too).
 */

import type { Page } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { armorPublicKey, formatFingerprint, openIdentity } from '../../src/crypto';
import type { ContactView } from '../../src/messaging/messages';
import { extensionDir, type LaunchedBrowser, launch, openExtensionPage } from './harness';
import { fill, onboardThroughPopup, sendFromExtensionPage, text, waitForState } from './vault-ui';

const BOB = 'bob@example.test';
const CONTACT = `[data-testid=contact][data-address="${BOB}"]`;

/** Bob's first key, and the one he makes a day later (a reinstall, or an impostor). */
async function bobKey(seedByte: number, created: number) {
  const identity = await openIdentity(new Uint8Array(32).fill(seedByte), { addresses: [BOB], created });
  return {
    armored: armorPublicKey(identity.bundle.bytes),
    fingerprint: formatFingerprint(identity.bundle.fingerprint),
  };
}

const open: LaunchedBrowser[] = [];
afterAll(async () => {
  for (const b of open) await b.close();
});

async function importKey(options: Page, armored: string): Promise<string> {
  await fill(options, '[data-testid=contact-key-text]', armored);
  await options.click('[data-testid=contact-import]');
  // The textarea empties once the background has taken the key.
  await options.waitForFunction(
    () =>
      (document.querySelector('[data-testid=contact-key-text]') as HTMLTextAreaElement).value === '' ||
      document.querySelector('[data-testid=contacts-tab] [data-testid=error]'),
    { timeout: 30_000 },
  );
  expect(await options.$('[data-testid=contacts-tab] [data-testid=error]')).toBeNull();
  return text(options, '[data-testid=notice]');
}

async function trust(options: Page, expected: string): Promise<void> {
  await options.waitForSelector(`${CONTACT} [data-testid=trust][data-trust=${expected}]`, {
    timeout: 30_000,
  });
}

/** The history list as the page shows it (opening the `<details>` first). */
async function history(options: Page): Promise<string[]> {
  if (!(await options.$(`${CONTACT} details[open]`))) await options.click(`${CONTACT} details summary`);
  await options.waitForSelector(`${CONTACT} details[open]`);
  return options.$$eval(`${CONTACT} details li`, (items) => items.map((li) => li.textContent ?? ''));
}

/** Polls `done` (in Node) until it holds, for at most `ms`. */
async function until(done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function listContacts(options: Page): Promise<ContactView[]> {
  const answer = await sendFromExtensionPage<{ ok: true; value: ContactView[] }>(options, {
    type: 'contacts:list',
  });
  expect(answer.ok).toBe(true);
  return answer.value;
}

/** Bundles carry seconds: the second key is a day newer than the first, `older` a day older. */
const now = Math.floor(Date.now() / 1000);
const first = await bobKey(0x42, now - 86_400);
const second = await bobKey(0x43, now);
const older = await bobKey(0x44, now - 2 * 86_400);
const short = (fingerprint: string) => fingerprint.slice(0, 19); // what a history line shows

describe.each(['chromium', 'firefox'] as const)('%s: contacts in the options page', (name) => {
  it('imports, verifies, flags a changed key, refuses a rollback, deletes', async () => {
    expect(first.fingerprint).not.toBe(second.fingerprint);
    const b = await launch(name, extensionDir(name, 'e2e'));
    open.push(b);
    await onboardThroughPopup(b, `${name}-alice@example.test`);
    const options = await openExtensionPage(b, '/options.html');
    await waitForState(options, 'unlocked');
    await options.click('[data-testid=tab-contacts]');
    await options.waitForSelector('[data-testid=contacts-tab]');
    expect(await options.$$('[data-testid=contact]')).toHaveLength(0);

    // 1. Import: unverified, with the fingerprint the crypto core computes.
    expect(await importKey(options, first.armored)).toBe('Key imported.');
    await trust(options, 'unverified');
    expect(await text(options, `${CONTACT} [data-testid=fingerprint]`)).toBe(first.fingerprint);
    expect(await options.$(`${CONTACT} [data-testid=key-changed]`)).toBeNull();
    const seen = await history(options);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('Key first seen');
    expect(seen[0]).toContain(short(first.fingerprint));

    // 2. Compare, then mark verified.
    await options.click(`${CONTACT} [data-testid=verify]`);
    await options.click(`${CONTACT} [data-testid=confirm-verified]`);
    await trust(options, 'verified');
    expect(await text(options, `${CONTACT} [data-testid=trust]`)).toBe('Verified by you');
    expect(await options.$(`${CONTACT} [data-testid=verify]`)).toBeNull();
    const verified = await history(options);
    expect(verified).toHaveLength(2);
    expect(verified[1]).toContain('Marked verified');
    expect(verified[1]).toContain(short(first.fingerprint));

    // 3. A newer key for the same address: loud banner, back to unverified.
    expect(await importKey(options, second.armored)).toBe(
      `The key of ${BOB} has CHANGED. Compare fingerprints before you trust it.`,
    );
    await options.waitForSelector(`${CONTACT} [data-testid=key-changed]`, { visible: true });
    const banner = await options.$eval(`${CONTACT} [data-testid=key-changed]`, (e) => ({
      role: e.getAttribute('role'),
      className: e.className,
      text: e.textContent ?? '',
      first: e.parentElement?.firstElementChild === e,
    }));
    expect(banner).toMatchObject({ role: 'alert', className: 'danger', first: true });
    expect(banner.text).toContain('Key changed');
    expect(banner.text).toContain(`${BOB} now has a different key`);
    await trust(options, 'unverified');
    expect(await text(options, `${CONTACT} [data-testid=fingerprint]`)).toBe(second.fingerprint);
    expect(await options.$(`${CONTACT} [data-testid=verify]`)).not.toBeNull();
    const changed = await history(options);
    expect(changed).toHaveLength(3);
    expect(changed[2]).toContain('Key changed');
    expect(changed[2]).toContain(short(second.fingerprint));
    expect(changed.slice(0, 2).every((line) => line.includes(short(first.fingerprint)))).toBe(true);
    // The background's view has both fingerprints in full.
    const [bob] = await listContacts(options);
    expect(bob).toMatchObject({
      address: BOB,
      fingerprint: second.fingerprint,
      trust: 'unverified',
      keyChanged: true,
      previousFingerprint: first.fingerprint,
    });
    expect(bob?.history.at(-1)).toMatchObject({
      event: 'key-changed',
      fingerprint: second.fingerprint,
      previousFingerprint: first.fingerprint,
    });

    // 4. No rollback. The retired key again changes nothing (the page just says
    //    "Key imported."); a never-seen older key is recorded, not used.
    expect(await importKey(options, first.armored)).toBe('Key imported.');
    const [replayed] = await listContacts(options);
    expect(replayed?.fingerprint).toBe(second.fingerprint);
    expect(replayed?.history).toHaveLength(3);
    expect(await importKey(options, older.armored)).toBe('Key imported.');
    await options.waitForFunction(
      (selector) => document.querySelectorAll(selector).length === 4,
      { timeout: 30_000 },
      `${CONTACT} details li`,
    );
    const withOlder = await history(options);
    expect(withOlder[3]).toContain('An older key was seen (not used)');
    expect(withOlder[3]).toContain(short(older.fingerprint));
    expect(await text(options, `${CONTACT} [data-testid=fingerprint]`)).toBe(second.fingerprint);
    expect(await options.$(`${CONTACT} [data-testid=key-changed]`)).not.toBeNull();
    await trust(options, 'unverified');
    const [afterRollback] = await listContacts(options);
    expect(afterRollback).toMatchObject({ fingerprint: second.fingerprint, keyChanged: true });
    expect(afterRollback?.history.at(-1)).toMatchObject({
      event: 'older-key-seen',
      fingerprint: older.fingerprint,
    });

    // 5. Verifying the new key acknowledges the change: the banner goes.
    await options.click(`${CONTACT} [data-testid=verify]`);
    await options.click(`${CONTACT} [data-testid=confirm-verified]`);
    await trust(options, 'verified');
    await options.waitForFunction(
      (selector) => document.querySelector(selector) === null,
      { timeout: 30_000 },
      `${CONTACT} [data-testid=key-changed]`,
    );

    // 6. Delete: the page asks with confirm(). "Cancel" keeps the contact, "OK" deletes it.
    const dialogs: string[] = [];
    let answer = false;
    options.on('dialog', async (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      await (answer ? dialog.accept() : dialog.dismiss());
    });
    await options.click(`${CONTACT} .danger-button`);
    await until(() => dialogs.length === 1);
    expect(dialogs).toEqual([`confirm: Delete ${BOB} and all their keys?`]);
    expect(await listContacts(options)).toHaveLength(1);
    expect(await options.$(CONTACT)).not.toBeNull();
    answer = true;
    await options.click(`${CONTACT} .danger-button`);
    await until(() => dialogs.length === 2);
    await options.waitForFunction(
      (selector) => document.querySelector(selector) === null,
      { timeout: 30_000 },
      CONTACT,
    );
    expect(dialogs[1]).toBe(`confirm: Delete ${BOB} and all their keys?`);
    expect(await listContacts(options)).toEqual([]);
    await b.close();
  });
});
