/**
 * The harness can drive Cipherpost's own pages in both browsers: open them, type
 * and click, upload and download files, find tabs the extension opens, and stop
 * the background (Chromium's MV3 service worker, Firefox's event page) and see
 * the next message start it again. See docs/testing.md, "Driving extension pages".
 *
 * Assertions stay away from the popup's content (other tests own it): they check
 * where the page lives, that it is an extension page, and use elements the test
 * adds itself.
 */

import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureDownload,
  extensionDir,
  extensionUrl,
  gotoExtensionPage,
  isBackgroundRunning,
  type LaunchedBrowser,
  launch,
  openActionPopup,
  openExtensionPage,
  pageHref,
  removeTempFiles,
  stopBackground,
  waitForBackground,
  waitForExtensionPage,
  writeTempFile,
} from './harness';

/** `chrome` in Chromium; `browser` in Firefox (which has `chrome` too). */
interface ExtensionGlobal {
  runtime: { id: string; sendMessage(message: unknown): Promise<unknown>; openOptionsPage(): Promise<void> };
  tabs: { create(options: { url: string }): Promise<unknown> };
}
declare const chrome: ExtensionGlobal;

/** Facts about the document, read in the page. */
function describePage(page: Page) {
  return page.evaluate(() => ({
    href: location.href,
    protocol: location.protocol,
    host: location.host,
    title: document.title,
    runtimeId: typeof chrome === 'object' ? chrome.runtime?.id : undefined,
  }));
}

function ping(page: Page): Promise<unknown> {
  return page.evaluate(() => chrome.runtime.sendMessage({ type: 'system:ping' }));
}

describe.each(['chromium', 'firefox'] as const)('%s: extension pages (e2e build)', (name) => {
  let b: LaunchedBrowser;
  beforeAll(async () => {
    b = await launch(name, extensionDir(name, 'e2e'));
  });
  afterAll(async () => {
    await b?.close();
    await removeTempFiles();
  });

  it('opens /popup.html and /options.html in a tab, as extension pages', async () => {
    const page = await openExtensionPage(b, '/popup.html');
    const origin = new URL(extensionUrl(b, '/'));
    for (const path of ['/popup.html', '/options.html']) {
      if (path !== '/popup.html') await gotoExtensionPage(b, page, path);
      const facts = await describePage(page);
      expect(facts.href).toBe(extensionUrl(b, path));
      expect(await pageHref(page)).toBe(facts.href);
      expect(facts.protocol).toBe(origin.protocol);
      expect(facts.host).toBe(origin.host);
      expect(facts.title.length).toBeGreaterThan(0);
      expect(facts.runtimeId).toBe(b.extensionId);
    }
    // Reload: the same URL again gives a new document.
    const before = await page.evaluate(() => performance.timeOrigin);
    await gotoExtensionPage(b, page, '/options.html');
    expect(await page.evaluate(() => performance.timeOrigin)).not.toBe(before);
    await page.close();
  });

  it('refuses a path that is not in the build', async () => {
    await expect(openExtensionPage(b, '/no-such-page.html')).rejects.toThrow(/not in the build/);
  });

  it('types, clicks and reads text in an extension page; it can message the background', async () => {
    const page = await openExtensionPage(b, '/popup.html');
    // Our own elements, so the test does not depend on the popup's markup.
    await page.evaluate(() => {
      const input = Object.assign(document.createElement('input'), { id: 'e2e-input' });
      const button = Object.assign(document.createElement('button'), { id: 'e2e-button', type: 'button' });
      const output = Object.assign(document.createElement('output'), { id: 'e2e-output' });
      button.textContent = 'Go';
      button.addEventListener('click', () => {
        output.textContent = `typed: ${input.value}`;
      });
      document.body.append(input, button, output);
    });
    await page.waitForSelector('#e2e-button', { visible: true });
    await page.type('#e2e-input', 'alice@example.org');
    await page.click('#e2e-button');
    await page.waitForFunction(() => document.querySelector('#e2e-output')?.textContent !== '');
    expect(await page.$eval('#e2e-output', (e) => e.textContent)).toBe('typed: alice@example.org');
    expect(await ping(page)).toMatchObject({ ok: true, value: { version: expect.any(String) } });
    await page.close();
  });

  it('uploads a file into <input type=file> and captures the file the page downloads', async () => {
    const page = await openExtensionPage(b, '/popup.html');
    await page.evaluate(() => {
      const input = Object.assign(document.createElement('input'), { id: 'e2e-file', type: 'file' });
      document.body.append(input);
    });
    const content = `{"cipherpost":"backup","n":${Date.now()},"text":"héllo"}`;
    const upload = await writeTempFile('e2e-backup.json', content);
    const input = (await page.$('#e2e-file')) as ElementHandle<HTMLInputElement> | null;
    await input?.uploadFile(upload);
    expect(
      await page.$eval('#e2e-file', async (e) => {
        const file = (e as HTMLInputElement).files?.[0];
        return file && { name: file.name, text: await file.text() };
      }),
    ).toEqual({ name: 'e2e-backup.json', text: content });

    // Download it again the way the UI exports: a Blob URL and <a download>.
    const download = await captureDownload(b, () =>
      page.$eval('#e2e-file', (e) => {
        const file = (e as HTMLInputElement).files?.[0];
        if (!file) throw new Error('no file');
        const a = Object.assign(document.createElement('a'), {
          href: URL.createObjectURL(file),
          download: 'cipherpost-e2e-export.json',
        });
        document.body.append(a);
        a.click();
        a.remove();
      }),
    );
    expect(download.name).toBe('cipherpost-e2e-export.json');
    expect(download.data.toString('utf8')).toBe(content);
    await page.close();
  });

  it('finds tabs that the extension itself opened (tabs.create, runtime.openOptionsPage)', async () => {
    const page = await openExtensionPage(b, '/popup.html');
    await page.evaluate(() => chrome.tabs.create({ url: '/options.html?from=e2e' }));
    const created = await waitForExtensionPage(b, '/options.html', { ignore: [page] });
    expect(await pageHref(created)).toBe(extensionUrl(b, '/options.html?from=e2e'));
    expect((await describePage(created)).runtimeId).toBe(b.extensionId);
    await created.close();

    await page.evaluate(() => chrome.runtime.openOptionsPage());
    const options = await waitForExtensionPage(b, '/options.html', { ignore: [page, created] });
    expect(await pageHref(options)).toBe(extensionUrl(b, '/options.html'));
    await options.close();
    await page.close();
  });

  it('stops the background; the next message starts a fresh one', async () => {
    const page = await openExtensionPage(b, '/popup.html');
    expect(await ping(page)).toMatchObject({ ok: true });
    await waitForBackground(b);

    // A marker in the background's global scope: a restarted background has none.
    // Chromium: evaluated in the service worker over CDP. Firefox: the event page's
    // window, from runtime.getBackgroundPage() in the extension page.
    const marker = async (set: boolean): Promise<string> => {
      if (name === 'chromium') {
        const worker = await b.browser
          .targets()
          .find((t) => t.type() === 'service_worker' && t.url().startsWith(`${b.extensionOrigin}/`))
          ?.worker();
        if (!worker) throw new Error('no service worker');
        return worker.evaluate((set) => {
          const scope = globalThis as { __e2eMarker?: number };
          if (set) scope.__e2eMarker = 42;
          return String(scope.__e2eMarker);
        }, set);
      }
      return page.evaluate(async (set) => {
        const api = (
          globalThis as unknown as { browser: { runtime: { getBackgroundPage(): Promise<Window> } } }
        ).browser;
        const scope = (await api.runtime.getBackgroundPage()) as Window & { __e2eMarker?: number };
        if (set) scope.__e2eMarker = 42;
        return String(scope.__e2eMarker);
      }, set);
    };

    expect(await marker(true)).toBe('42');
    const started = Date.now();
    await stopBackground(b);
    const stopMs = Date.now() - started;
    expect(await isBackgroundRunning(b)).toBe(false);

    expect(await ping(page)).toMatchObject({ ok: true });
    await waitForBackground(b);
    expect(await marker(false)).toBe('undefined');
    console.info(`[${name}] background stopped in ${stopMs} ms`);

    // And again, with nothing attached to the new worker beforehand.
    await stopBackground(b);
    expect(await isBackgroundRunning(b)).toBe(false);
    expect(await ping(page)).toMatchObject({ ok: true });
    await page.close();
  });

  // Chromium only (Firefox has no way to open the toolbar popup from a test): defined for Chromium alone, not skipped.
  const chromiumOnly = name === 'chromium' ? it : () => undefined;
  chromiumOnly('opens the real toolbar popup (Chromium only)', async () => {
    const popup = await openActionPopup(b);
    const facts = await describePage(popup);
    expect(facts.href).toBe(extensionUrl(b, '/popup.html'));
    expect(facts.runtimeId).toBe(b.extensionId);
    // Chromium counts it as a popup view, unlike popup.html in a tab.
    expect(
      await popup.evaluate(
        () =>
          (
            chrome as unknown as { extension: { getViews(o: { type: string }): unknown[] } }
          ).extension.getViews({ type: 'popup' }).length,
      ),
    ).toBe(1);
    await popup.close();
  });
});
