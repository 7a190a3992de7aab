/**
 * Issue #3 end to end, with the built extension in real headless Chromium and
 * Firefox ESR: onboarding through the popup, a wrong passphrase, lock and
 * unlock, the session across a background stop (Chromium's service worker, Firefox's event page), and an encrypted
 * backup exported from one browser profile and imported into a new profile of
 * the other browser, where a message made before the export decrypts.
 */
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { dearmor, encryptMessage, openIdentity, parseKeyBundle } from '../../src/crypto';
import { armor } from '../../src/crypto/armor';
import {
  captureDownload,
  extensionDir,
  type LaunchedBrowser,
  launch,
  openExtensionPage,
  removeTempFiles,
  stopBackground,
  writeTempFile,
} from './harness';

const PASSPHRASE = 'orbit cactus lantern meadow';
type Name = 'chromium' | 'firefox';

/** What each browser's run leaves for the other: its backup and a message to its key. */
const exported = new Map<Name, { backup: Buffer; armoredMessage: string; address: string }>();
const open: LaunchedBrowser[] = [];

afterAll(async () => {
  for (const b of open) await b.close();
  await removeTempFiles();
});

async function start(name: Name): Promise<LaunchedBrowser> {
  const b = await launch(name, extensionDir(name, 'e2e'));
  open.push(b);
  return b;
}

/** The text of `selector`, once it is there (pages render after their messages are answered). */
async function text(page: Page, selector: string): Promise<string> {
  await page.waitForSelector(selector, { timeout: 30_000 });
  return page.$eval(selector, (e) => e.textContent ?? '');
}

async function waitForState(page: Page, state: string): Promise<void> {
  await page.waitForSelector(`[data-testid=vault-state][data-state=${state}]`, { timeout: 30_000 });
}

async function onboard(page: Page, address: string): Promise<string> {
  await waitForState(page, 'uninitialized');
  await page.type('[data-testid=address]', address);
  await page.type('[data-testid=passphrase]', PASSPHRASE);
  await page.type('[data-testid=passphrase-repeat]', PASSPHRASE);
  await page.click('[data-testid=create]');
  await page.waitForSelector('[data-testid=recovery-code]', { timeout: 60_000 });
  const code = (await text(page, '[data-testid=recovery-code]')).trim();
  expect(code).toMatch(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
  // The security marker is shown, and the user is told about it.
  await page.waitForSelector('[data-testid=security-marker]');
  await page.click('[data-testid=recovery-written]');
  // A wrong code is refused; the right one finishes onboarding.
  await page.type('[data-testid=recovery-input]', code.replace(/^./, code[0] === 'A' ? 'B' : 'A'));
  await page.click('[data-testid=recovery-confirm]');
  await page.waitForSelector('[data-testid=error]');
  await page.$eval('[data-testid=recovery-input]', (e) => {
    (e as HTMLInputElement).value = '';
  });
  await page.type('[data-testid=recovery-input]', code.toLowerCase());
  await page.click('[data-testid=recovery-confirm]');
  await page.waitForSelector('[data-testid=status] [data-testid=fingerprint]', { timeout: 30_000 });
  await waitForState(page, 'unlocked');
  return code;
}

async function unlock(page: Page, passphrase: string): Promise<void> {
  await page.$eval('[data-testid=unlock-passphrase]', (e) => {
    (e as HTMLInputElement).value = '';
  });
  await page.type('[data-testid=unlock-passphrase]', passphrase);
  await page.click('[data-testid=unlock]');
}

describe.each(['chromium', 'firefox'] as const)('%s: keyring end to end', (name) => {
  const address = `${name}-user@example.test`;

  it('onboards through the popup, refuses a wrong passphrase, locks and unlocks', async () => {
    const b = await start(name);
    const popup = await openExtensionPage(b, '/popup.html');
    await onboard(popup, address);
    expect(await text(popup, '[data-testid=identity-address]')).toBe(address);
    const fingerprint = await text(popup, '[data-testid=fingerprint]');
    expect(fingerprint).toMatch(/^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);

    await popup.click('[data-testid=lock]');
    await waitForState(popup, 'locked');
    await unlock(popup, 'not the passphrase');
    await popup.waitForFunction(
      () => document.querySelector('[data-testid=error]')?.textContent?.includes('Wrong passphrase'),
      { timeout: 30_000 },
    );
    await waitForState(popup, 'locked');
    await unlock(popup, PASSPHRASE);
    await waitForState(popup, 'unlocked');
    expect(await text(popup, '[data-testid=fingerprint]')).toBe(fingerprint);

    // The options page: the public key, then a message made to it in Node
    // (another implementation's sender), then the encrypted backup.
    const options = await openExtensionPage(b, '/options.html');
    await waitForState(options, 'unlocked');
    await options.waitForSelector('[data-testid=public-key]');
    const publicKey = await options.$eval(
      '[data-testid=public-key]',
      (e) => (e as HTMLTextAreaElement).value,
    );
    const bundle = await parseKeyBundle(dearmor(publicKey, 'PUBLIC KEY'));
    expect(bundle.addresses).toEqual([address]);
    const sender = await openIdentity(new Uint8Array(32).fill(9), { addresses: ['sender@example.test'] });
    const armoredMessage = armor(
      await encryptMessage(
        {
          subject: `Before the export (${name})`,
          body: { type: 'text/plain', text: 'Made before the backup.' },
        },
        { sender, senderAddress: 'sender@example.test', recipients: [{ address, bundle }] },
      ),
    );
    const download = await captureDownload(b, () => options.click('[data-testid=export-backup]'));
    expect(download.name).toMatch(/^cipherpost-backup-\d{4}-\d{2}-\d{2}\.cpbackup$/);
    expect(download.data.length).toBeGreaterThan(1000);
    // The backup holds no plaintext secret: not the address, not the passphrase.
    expect(download.data.includes(Buffer.from(address))).toBe(false);
    expect(download.data.includes(Buffer.from(PASSPHRASE))).toBe(false);
    exported.set(name, { backup: download.data, armoredMessage, address });

    // And the message decrypts here too.
    await options.click('[data-testid=tab-decrypt]');
    await options.type('[data-testid=armored]', armoredMessage.slice(0, 200));
    await options.$eval(
      '[data-testid=armored]',
      (e, v) => {
        const t = e as HTMLTextAreaElement;
        t.value = v;
        t.dispatchEvent(new Event('input', { bubbles: true }));
      },
      armoredMessage,
    );
    await options.click('[data-testid=decrypt]');
    await options.waitForSelector('[data-testid=decrypted-subject]', { timeout: 30_000 });
    expect(await text(options, '[data-testid=decrypted-subject]')).toBe(`Before the export (${name})`);

    // The background is stopped as the browser does when idle (Chromium: the MV3
    // service worker, over CDP; Firefox: the event page). The session survives
    // through storage.session: still unlocked, same key, no passphrase asked.
    await stopBackground(b);
    const again = await openExtensionPage(b, '/popup.html');
    await waitForState(again, 'unlocked');
    expect(await text(again, '[data-testid=fingerprint]')).toBe(fingerprint);
    await b.close();
  });
});

describe.each([
  ['firefox', 'chromium'],
  ['chromium', 'firefox'],
] as const)('backup from %s restored into a new %s profile', (from, into) => {
  it('imports the backup with the passphrase and decrypts the earlier message', async () => {
    const source = exported.get(from);
    expect(source, `the ${from} run must have exported a backup`).toBeDefined();
    const b = await start(into);
    const options = await openExtensionPage(b, '/options.html');
    await waitForState(options, 'uninitialized');
    const file = await writeTempFile(`${from}.cpbackup`, source!.backup);
    const input = (await options.$('[data-testid=backup-file]')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(file);
    await options.type('[data-testid=backup-secret]', PASSPHRASE);
    await options.waitForSelector('[data-testid=import-backup]:not([disabled])');
    await options.click('[data-testid=import-backup]');
    await waitForState(options, 'unlocked');
    await options.click('[data-testid=tab-decrypt]');
    await options.$eval(
      '[data-testid=armored]',
      (e, v) => {
        const t = e as HTMLTextAreaElement;
        t.value = v;
        t.dispatchEvent(new Event('input', { bubbles: true }));
      },
      source!.armoredMessage,
    );
    await options.click('[data-testid=decrypt]');
    await options.waitForSelector('[data-testid=decrypted-subject]', { timeout: 30_000 });
    expect(await text(options, '[data-testid=decrypted-subject]')).toBe(`Before the export (${from})`);
    expect(await text(options, '[data-testid=decrypted-body]')).toBe('Made before the backup.');
    await b.close();
  });
});
