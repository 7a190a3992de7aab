/**
 * Browser test harness: a loopback HTTP server for test pages, and launchers that
 * start headless Chromium or Firefox ESR (both from Debian) with a built Cipherpost
 * extension loaded, each in a fresh profile, and helpers that drive the extension's own
 * pages, stop its background, and capture downloads. See docs/testing.md.
 *
 * A missing browser is an error, never a skip: the tests must be able to fail.
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page, type Target } from 'puppeteer-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const FIREFOX_PATH = '/usr/bin/firefox-esr';

export type BrowserName = 'chromium' | 'firefox';
export type BuildMode = 'e2e' | 'production';

/** `.output/<target>-mv3[-e2e]`: `npm run build` / `npm run build:e2e` write these. */
export function extensionDir(browser: BrowserName, mode: BuildMode): string {
  const target = browser === 'chromium' ? 'chrome-mv3' : 'firefox-mv3';
  return join(ROOT, '.output', mode === 'e2e' ? `${target}-e2e` : target);
}

/** Reads a built manifest, failing with a hint when the build is missing. */
export async function readManifest(extDir: string): Promise<Record<string, unknown>> {
  const file = join(extDir, 'manifest.json');
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`npm run build:e2e\` (or \`npm run build\`) first`);
  }
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------
// Loopback server

export interface TestServer {
  /** e.g. `http://127.0.0.1:40123` */
  origin: string;
  port: number;
  url(path: string): string;
  /** Serves `html` at `path` (replacing what was there). */
  setPage(path: string, html: string): void;
  close(): Promise<void>;
}

export const SMOKE_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Cipherpost smoke page</title></head>
<body><h1>Cipherpost smoke page</h1><p>Served on loopback for the browser tests.</p></body>
</html>
`;

/** Starts an HTTP server on 127.0.0.1 with a random free port. */
export async function startTestServer(
  pages: Record<string, string> = { '/smoke.html': SMOKE_PAGE },
): Promise<TestServer> {
  const routes = new Map(Object.entries(pages));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const body = routes.get(path);
    if (req.method !== 'GET' || body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    url: (path) => new URL(path, origin).href,
    setPage: (path, html) => void routes.set(path, html),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

// ---------------------------------------------------------------------------
// Browsers

export interface LaunchedBrowser {
  name: BrowserName;
  browser: Browser;
  /** `browser.runtime.id` of the loaded extension. */
  extensionId: string;
  /** The extension's origin, e.g. `chrome-extension://<id>` or `moz-extension://<uuid>`. */
  extensionOrigin: string;
  /** The built extension this browser loaded (`.output/...`). */
  extDir: string;
  /** The fresh profile directory (removed by close()). */
  profileDir: string;
  /**
   * Where the browser saves downloads, without asking (removed by close()). Use
   * `captureDownload`, and `writeTempFile` to carry a file over to another profile.
   */
  downloadDir: string;
  /** Opens a new tab. */
  newPage(): Promise<Page>;
  /** Closes the browser and removes its profile and download directory. Safe to call twice. */
  close(): Promise<void>;
}

function requireBinary(path: string, name: string): void {
  if (!existsSync(path)) {
    throw new Error(
      `${name} not found at ${path}. Install it with: ` +
        'apt-get install -y --no-install-recommends chromium firefox-esr (see .ci/run)',
    );
  }
}

async function closer(browser: Browser, dirs: string[]): Promise<() => Promise<void>> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    try {
      await browser.close();
    } finally {
      for (const dir of dirs) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  };
}

/** A fresh profile directory and a download directory next to it (not inside it). */
async function freshDirs(name: BrowserName): Promise<{ profileDir: string; downloadDir: string }> {
  const profileDir = await mkdtemp(join(tmpdir(), `cipherpost-${name}-`));
  const downloadDir = await mkdtemp(join(tmpdir(), `cipherpost-${name}-downloads-`));
  return { profileDir, downloadDir };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless Chromium with the unpacked extension at `extDir`. Puppeteer loads it over
 * the CDP pipe (`Extensions.loadUnpacked`, which needs `pipe: true` and
 * `--enable-unsafe-extension-debugging`, both set by `enableExtensions`).
 */
export async function launchChromium(extDir: string): Promise<LaunchedBrowser> {
  requireBinary(CHROMIUM_PATH, 'Chromium');
  await readManifest(extDir);
  const { profileDir, downloadDir } = await freshDirs('chromium');
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      pipe: true,
      enableExtensions: [extDir],
      userDataDir: profileDir,
      args: CHROMIUM_ARGS,
    });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    await rm(downloadDir, { recursive: true, force: true });
    throw error;
  }
  const close = await closer(browser, [profileDir, downloadDir]);
  try {
    await watchChromiumDownloads(browser, downloadDir);
    // The background service worker's URL names the extension's id.
    const worker = await browser.waitForTarget(
      (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
      { timeout: 20_000 },
    );
    // (URL#origin is "null" for non-special schemes such as chrome-extension:.)
    const workerUrl = new URL(worker.url());
    const extensionOrigin = `${workerUrl.protocol}//${workerUrl.host}`;
    const extensionId = workerUrl.host;
    return {
      name: 'chromium',
      browser,
      extensionId,
      extensionOrigin,
      extDir,
      profileDir,
      downloadDir,
      newPage: () => browser.newPage(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Firefox prefs for the test profile.
 *
 * - `extensions.webextensions.uuids` fixes the extension's moz-extension:// UUID so the
 *   tests know its origin (Firefox otherwise picks a random one per profile).
 * - `browser.download.*` save every download to `downloadDir` without a prompt.
 * - The remaining ones keep a headless test profile quiet and offline (no update
 *   checks, no telemetry, no first-run pages).
 */
function firefoxPrefs(geckoId: string, uuid: string, downloadDir: string): Record<string, unknown> {
  return {
    'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: uuid }),
    // MV3 host permissions are optional in Firefox. With this pref (Firefox's own
    // default since 127, pinned here so a changed default cannot silently stop the
    // content script), the install grants the manifest's host_permissions, as a
    // user's install from the prompt would. With it false, nothing is granted and
    // the content script never runs (see docs/testing.md).
    'extensions.originControls.grantByDefault': true,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'app.update.enabled': false,
    'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.enabled': false,
    'browser.download.dir': downloadDir,
    'browser.download.folderList': 2, // 2: use browser.download.dir
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.start_downloads_in_tmp_dir': false,
    'browser.download.manager.showWhenStarting': false,
    'browser.download.panel.shown': true,
  };
}

/**
 * `--remote-allow-system-access` lets the WebDriver BiDi client (puppeteer, and only
 * it: Firefox allows one session) navigate tabs to `moz-extension://` URLs and run
 * script in the browser's own (chrome) windows. openExtensionPage, stopBackground and
 * captureDownload need it; see docs/testing.md, "Driving extension pages". Test
 * profiles only.
 */
export const FIREFOX_ARGS = ['--remote-allow-system-access'];

/**
 * Headless Firefox ESR with the extension at `extDir` installed as a temporary
 * add-on over WebDriver BiDi (`webExtension.install`).
 */
export async function launchFirefox(
  extDir: string,
  options: { prefs?: Record<string, unknown> } = {},
): Promise<LaunchedBrowser> {
  requireBinary(FIREFOX_PATH, 'Firefox ESR');
  const manifest = await readManifest(extDir);
  const geckoId = (manifest.browser_specific_settings as { gecko?: { id?: string } } | undefined)?.gecko?.id;
  if (!geckoId) throw new Error(`${extDir}/manifest.json has no browser_specific_settings.gecko.id`);
  const uuid = randomUUID();
  const { profileDir, downloadDir } = await freshDirs('firefox');
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      userDataDir: profileDir,
      args: FIREFOX_ARGS,
      extraPrefsFirefox: { ...firefoxPrefs(geckoId, uuid, downloadDir), ...options.prefs },
    });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    await rm(downloadDir, { recursive: true, force: true });
    throw error;
  }
  const close = await closer(browser, [profileDir, downloadDir]);
  try {
    const extensionId = await browser.installExtension(extDir);
    if (extensionId !== geckoId) throw new Error(`installed ${extensionId}, expected ${geckoId}`);
    return {
      name: 'firefox',
      browser,
      extensionId,
      extensionOrigin: `moz-extension://${uuid}`,
      extDir,
      profileDir,
      downloadDir,
      newPage: () => browser.newPage(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export function launch(name: BrowserName, extDir: string): Promise<LaunchedBrowser> {
  return name === 'chromium' ? launchChromium(extDir) : launchFirefox(extDir);
}

// ---------------------------------------------------------------------------
// Page helpers

export interface ContentScriptWorlds {
  /** Origins of extension isolated worlds created in the page so far. */
  origins(): string[];
  stop(): Promise<void>;
}

/**
 * Chromium only: records the isolated worlds (content scripts) that extensions
 * create in `page`, over CDP `Runtime.executionContextCreated`. Start it before
 * navigating. A content script of ours shows up as a world whose origin is the
 * extension's origin.
 */
export async function watchContentScriptWorlds(page: Page): Promise<ContentScriptWorlds> {
  const cdp = await page.createCDPSession();
  const seen: string[] = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => {
    const aux = context.auxData as { type?: string } | undefined;
    if (aux?.type === 'isolated' && /^(chrome|moz)-extension:/.test(context.origin))
      seen.push(context.origin);
  });
  await cdp.send('Runtime.enable');
  return { origins: () => [...seen], stop: () => cdp.detach() };
}

/**
 * Polls `document.documentElement.getAttribute(name)` until it is set or the timeout
 * passes; resolves to the value, or null on timeout.
 */
export async function pollAttribute(page: Page, name: string, timeoutMs = 10_000): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate((attr) => document.documentElement.getAttribute(attr), name);
    if (value !== null || Date.now() >= deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------
// Extension pages (popup, options) and the background. See docs/testing.md,
// "Driving extension pages".

/** `chrome-extension://<id>/popup.html` or `moz-extension://<uuid>/popup.html` for `/popup.html`. */
export function extensionUrl(b: LaunchedBrowser, path: string): string {
  if (!path.startsWith('/'))
    throw new Error(`an extension path starts with '/', got ${JSON.stringify(path)}`);
  return `${b.extensionOrigin}${path}`;
}

/**
 * The document's real URL. Use it instead of `page.url()`: in Firefox, puppeteer
 * never hears about navigations in extension pages, so `page.url()` stays
 * `about:blank` there.
 */
export function pageHref(page: Page): Promise<string> {
  return page.evaluate(() => location.href);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `promise`, or a rejection with `message` after `ms` (the timer is cleared either way). */
async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The slice of puppeteer's (internal) WebDriver BiDi connection the Firefox helpers use. */
interface BidiConnection {
  send(method: string, params: object): Promise<{ result: unknown }>;
}

/**
 * Firefox only: puppeteer's WebDriver BiDi connection. `BidiBrowser#connection` is
 * not in puppeteer's public types, so check it is still there.
 */
function bidi(b: LaunchedBrowser): BidiConnection {
  const connection = (b.browser as unknown as { connection?: Partial<BidiConnection> }).connection;
  if (b.name !== 'firefox' || typeof connection?.send !== 'function') {
    throw new Error(
      `${b.name}: no WebDriver BiDi connection (Firefox only; did puppeteer's internals change?)`,
    );
  }
  return connection as BidiConnection;
}

/** Firefox only: the BiDi browsing-context id of the page's top frame (`Frame#_id`, internal). */
function bidiContextId(page: Page): string {
  const id = (page.mainFrame() as unknown as { _id?: unknown })._id;
  if (typeof id !== 'string') throw new Error('no BiDi context id on the page (did puppeteer change?)');
  return id;
}

/**
 * Firefox only: evaluates `expression` (which must produce a string or a promise of
 * one) in the browser's own chrome window, with system privileges. Needs
 * `--remote-allow-system-access` (FIREFOX_ARGS).
 */
async function firefoxChromeEval(b: LaunchedBrowser, expression: string): Promise<string> {
  const connection = bidi(b);
  const tree = (await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome', maxDepth: 0 }))
    .result as { contexts: { context: string }[] };
  const context = tree.contexts[0]?.context;
  if (context === undefined)
    throw new Error('Firefox: no chrome window (is --remote-allow-system-access set?)');
  const answer = (
    await connection.send('script.evaluate', {
      expression,
      target: { context },
      awaitPromise: true,
      resultOwnership: 'none',
    })
  ).result as
    | { type: 'success'; result: { type: string; value?: unknown } }
    | { type: 'exception'; exceptionDetails: { text: string } };
  if (answer.type === 'exception')
    throw new Error(`Firefox chrome script failed: ${answer.exceptionDetails.text}`);
  if (answer.result.type !== 'string') throw new Error(`Firefox chrome script gave ${answer.result.type}`);
  return answer.result.value as string;
}

/**
 * Loads the extension page at `path` (e.g. `/popup.html`, `/options.html?tab=keys`)
 * into `page` and waits for its `load` event. The page runs as a normal tab, not
 * as the toolbar popup (see openActionPopup for that, Chromium only).
 *
 * - Chromium: `page.goto('chrome-extension://<id>/<path>')`.
 * - Firefox: BiDi `browsingContext.navigate` (`wait: 'none'`), allowed for
 *   `moz-extension:` URLs by `--remote-allow-system-access`, then polls the
 *   document (puppeteer gets no navigation events from extension pages, so
 *   `page.goto` would time out).
 *
 * Throws, before navigating, if the build has no such file: Firefox would show an
 * empty document for it, not an error.
 */
export async function gotoExtensionPage(
  b: LaunchedBrowser,
  page: Page,
  path: string,
  { timeoutMs = 15_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const url = extensionUrl(b, path);
  const file = join(b.extDir, decodeURIComponent(new URL(url).pathname));
  if (!existsSync(file)) throw new Error(`${path}: ${file} is not in the build`);
  if (b.name === 'chromium') {
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  } else {
    // A new document has a new timeOrigin: this tells a reload of the same URL
    // from the old document.
    const before = await page.evaluate(() => performance.timeOrigin).catch(() => -1);
    await bidi(b).send('browsingContext.navigate', { context: bidiContextId(page), url, wait: 'none' });
    const deadline = Date.now() + timeoutMs;
    let seen: unknown = null;
    for (;;) {
      seen = await page
        .evaluate(() => ({ href: location.href, state: document.readyState, t: performance.timeOrigin }))
        .catch((error: Error) => error.message); // the old document may be going away
      if (
        typeof seen === 'object' &&
        seen !== null &&
        (seen as { href: string }).href === url &&
        (seen as { state: string }).state === 'complete' &&
        (seen as { t: number }).t !== before
      )
        break;
      if (Date.now() >= deadline) {
        throw new Error(`${url} did not load within ${timeoutMs} ms (last seen: ${JSON.stringify(seen)})`);
      }
      await sleep(50);
    }
  }
  const documentUri = await page.evaluate(() => document.documentURI);
  if (documentUri !== url) throw new Error(`${url} did not load as an extension page (got ${documentUri})`);
}

/** A new tab showing the extension page at `path` (see gotoExtensionPage). */
export async function openExtensionPage(
  b: LaunchedBrowser,
  path: string,
  options: { timeoutMs?: number } = {},
): Promise<Page> {
  const page = await b.newPage();
  try {
    await gotoExtensionPage(b, page, path, options);
  } catch (error) {
    await page.close().catch(() => {});
    throw error;
  }
  return page;
}

/**
 * Waits for a tab that the extension itself opened (`tabs.create`,
 * `runtime.openOptionsPage`) to show `path` (query and hash may follow
 * unless `path` has them), and to finish loading. Newest tabs are checked first;
 * pages in `ignore` are skipped. Works in both browsers (Firefox: by asking each
 * tab for `location.href`, since `page.url()` is stale there).
 */
export async function waitForExtensionPage(
  b: LaunchedBrowser,
  path: string,
  { timeoutMs = 15_000, ignore = [] }: { timeoutMs?: number; ignore?: Page[] } = {},
): Promise<Page> {
  const url = extensionUrl(b, path);
  const fits = (href: string) => href === url || href.startsWith(`${url}?`) || href.startsWith(`${url}#`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const page of (await b.browser.pages()).reverse()) {
      if (ignore.includes(page)) continue;
      if (b.name === 'chromium' && !fits(page.url())) continue;
      const state = await page
        .evaluate(() => ({ href: location.href, state: document.readyState }))
        .catch(() => null);
      if (state && fits(state.href) && state.state === 'complete') return page;
    }
    if (Date.now() >= deadline) throw new Error(`no tab showed ${url} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Chromium only: opens the real toolbar popup (`action.default_popup`) with
 * puppeteer's `page.triggerExtensionAction` (CDP), as a click on the toolbar
 * button would, and returns it once loaded. The popup is a small window of its
 * own; `page` (default: a new tab) is the tab the action is triggered for.
 * Firefox has no equivalent: use openExtensionPage(b, '/popup.html') there.
 */
export async function openActionPopup(
  b: LaunchedBrowser,
  { page, timeoutMs = 15_000 }: { page?: Page; timeoutMs?: number } = {},
): Promise<Page> {
  if (b.name !== 'chromium') throw new Error('openActionPopup is Chromium only');
  const extension = (await b.browser.extensions()).get(b.extensionId);
  if (!extension) throw new Error(`extension ${b.extensionId} not found`);
  const tab = page ?? (await b.newPage());
  const existing = new Set(b.browser.targets());
  const popupTarget = b.browser.waitForTarget(
    (t) => !existing.has(t) && t.type() === 'page' && t.url().startsWith(`${b.extensionOrigin}/`),
    { timeout: timeoutMs },
  );
  await tab.triggerExtensionAction(extension);
  const popup = await (await popupTarget).asPage();
  await popup.waitForFunction(() => document.readyState === 'complete', { timeout: timeoutMs });
  return popup;
}

function isOurWorker(b: LaunchedBrowser, t: Target): boolean {
  return t.type() === 'service_worker' && t.url().startsWith(`${b.extensionOrigin}/`);
}

/** Firefox: `WebExtensionPolicy#extension.backgroundState` (starting, running, suspending, stopped). */
function firefoxBackgroundState(b: LaunchedBrowser): Promise<string> {
  return firefoxChromeEval(
    b,
    `String(WebExtensionPolicy.getByID(${JSON.stringify(b.extensionId)})?.extension?.backgroundState)`,
  );
}

/**
 * Is the extension's background running right now? Chromium: a service-worker
 * target of ours exists. Firefox: the event page's state is `running`.
 */
export async function isBackgroundRunning(b: LaunchedBrowser): Promise<boolean> {
  if (b.name === 'chromium') return b.browser.targets().some((t) => isOurWorker(b, t));
  return (await firefoxBackgroundState(b)) === 'running';
}

/** Waits until the background runs (e.g. after a message woke it up). */
export async function waitForBackground(
  b: LaunchedBrowser,
  { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isBackgroundRunning(b))) {
    if (Date.now() >= deadline) throw new Error(`the background did not start within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * Stops the extension's background, as the browser does when it is idle; the
 * next event (a message, an alarm) starts it again with fresh globals. Resolves
 * once it is stopped; a background that is not running is left alone.
 *
 * - Chromium: the MV3 service worker's target is closed over CDP and puppeteer's
 *   session to it detached (`WebWorker#close`: `Target.closeTarget` +
 *   `Target.detachFromTarget`), then the target's destruction is awaited. Do not
 *   keep your own CDP session to the worker: an attached session keeps it alive,
 *   and `ServiceWorker.stopAllWorkers` or a bare `Target.closeTarget` then leave
 *   it unable to answer messages.
 * - Firefox: the event page is terminated through
 *   `ExtensionParent.DebugUtils.terminateBackgroundScript` (what about:debugging's
 *   "Terminate background script" does), run in the chrome window over BiDi.
 */
export async function stopBackground(
  b: LaunchedBrowser,
  { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  if (b.name === 'chromium') {
    const target = b.browser.targets().find((t) => isOurWorker(b, t));
    if (!target) return;
    let onDestroyed: (t: Target) => void = () => {};
    const destroyed = new Promise<void>((done) => {
      onDestroyed = (t) => t === target && done();
      b.browser.on('targetdestroyed', onDestroyed);
    });
    try {
      const worker = await target.worker();
      if (!worker) throw new Error('no worker for the service-worker target');
      await worker.close();
      await withTimeout(destroyed, timeoutMs, `the service worker did not stop within ${timeoutMs} ms`);
    } finally {
      b.browser.off('targetdestroyed', onDestroyed);
    }
    return;
  }
  const id = JSON.stringify(b.extensionId);
  await firefoxChromeEval(
    b,
    `ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs')` +
      `.ExtensionParent.DebugUtils.terminateBackgroundScript(${id}).then(() => 'ok')`,
  );
  const deadline = Date.now() + timeoutMs;
  let state = await firefoxBackgroundState(b);
  while (state !== 'stopped') {
    if (Date.now() >= deadline)
      throw new Error(`the background is ${state}, not stopped, after ${timeoutMs} ms`);
    await sleep(50);
    state = await firefoxBackgroundState(b);
  }
}

// ---------------------------------------------------------------------------
// Files: downloads and uploads

export interface Download {
  /** The file's name on disk (the `download` attribute, unless the browser had to change it). */
  name: string;
  /** Full path, inside `b.downloadDir` (removed by `b.close()`). */
  path: string;
  data: Buffer;
}

type ChromiumDownloadEvent =
  | { kind: 'begin'; guid: string; suggestedFilename: string }
  | { kind: 'end'; guid: string; state: 'completed' | 'canceled'; filePath?: string };

/** Chromium: the browser-level CDP session that reports downloads, per browser. */
const chromiumDownloads = new WeakMap<
  Browser,
  { on(listener: (e: ChromiumDownloadEvent) => void): () => void }
>();

/**
 * Chromium: `Browser.setDownloadBehavior` (`allow`, into `downloadDir`, with
 * events) on a browser-level CDP session that lives as long as the browser: the
 * setting belongs to the session that made it. Every download, extension pages'
 * included, is saved without a prompt, and `Browser.downloadProgress` says when
 * it is complete and where it went.
 */
async function watchChromiumDownloads(browser: Browser, downloadDir: string): Promise<void> {
  const session = await browser.target().createCDPSession();
  const listeners = new Set<(e: ChromiumDownloadEvent) => void>();
  const emit = (e: ChromiumDownloadEvent) => {
    for (const listener of listeners) listener(e);
  };
  session.on('Browser.downloadWillBegin', (e) =>
    emit({ kind: 'begin', guid: e.guid, suggestedFilename: e.suggestedFilename }),
  );
  session.on('Browser.downloadProgress', (e) => {
    if (e.state === 'completed' || e.state === 'canceled') {
      emit({ kind: 'end', guid: e.guid, state: e.state, ...(e.filePath ? { filePath: e.filePath } : {}) });
    }
  });
  await session.send('Browser.setDownloadBehavior', {
    behavior: 'allow',
    downloadPath: downloadDir,
    eventsEnabled: true,
  });
  chromiumDownloads.set(browser, {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
}

interface FirefoxDownload {
  path: string;
  succeeded: boolean;
  stopped: boolean;
  error: string | null;
}

/** Firefox: every download this profile knows, oldest first (the Downloads module, in the chrome window). */
async function firefoxDownloads(b: LaunchedBrowser): Promise<FirefoxDownload[]> {
  const json = await firefoxChromeEval(
    b,
    `(async () => {
      const { Downloads } = ChromeUtils.importESModule('resource://gre/modules/Downloads.sys.mjs');
      const all = await (await Downloads.getList(Downloads.ALL)).getAll();
      return JSON.stringify(all.map((d) => ({
        path: d.target.path,
        succeeded: d.succeeded,
        stopped: d.stopped,
        error: d.error ? String(d.error.message || d.error) : null,
      })));
    })()`,
  );
  return JSON.parse(json) as FirefoxDownload[];
}

/**
 * Runs `action` (e.g. a click on "Export backup") and resolves to the first file
 * the browser downloads after it starts, once the browser reports it complete:
 * Chromium through CDP `Browser.downloadProgress`, Firefox through its Downloads
 * list (over BiDi, in the chrome window). Watching the directory is not enough:
 * Firefox writes under temporary names first. A canceled or failed download throws.
 */
export async function captureDownload(
  b: LaunchedBrowser,
  action: () => Promise<unknown>,
  { timeoutMs = 15_000 }: { timeoutMs?: number } = {},
): Promise<Download> {
  const deadline = Date.now() + timeoutMs;
  const done = async (path: string): Promise<Download> => ({
    name: basename(path),
    path,
    data: await readFile(path),
  });

  if (b.name === 'chromium') {
    const downloads = chromiumDownloads.get(b.browser);
    if (!downloads) throw new Error('download events are not set up for this browser');
    let first: string | undefined;
    let finish: (e: ChromiumDownloadEvent & { kind: 'end' }) => void = () => {};
    const ended = new Promise<ChromiumDownloadEvent & { kind: 'end' }>((resolve) => {
      finish = resolve;
    });
    const names = new Map<string, string>();
    const off = downloads.on((e) => {
      if (e.kind === 'begin') {
        first ??= e.guid;
        names.set(e.guid, e.suggestedFilename);
      } else if (e.guid === first) {
        finish(e);
      }
    });
    try {
      await action();
      const end = await withTimeout(
        ended,
        Math.max(0, deadline - Date.now()),
        `no complete download within ${timeoutMs} ms`,
      );
      if (end.state !== 'completed') throw new Error(`the download of ${names.get(end.guid)} was canceled`);
      return await done(end.filePath ?? join(b.downloadDir, names.get(end.guid) ?? end.guid));
    } finally {
      off();
    }
  }

  const known = (await firefoxDownloads(b)).length;
  await action();
  for (;;) {
    const download = (await firefoxDownloads(b))[known];
    if (download?.succeeded) return await done(download.path);
    if (download?.error) throw new Error(`the download of ${download.path} failed: ${download.error}`);
    if (download?.stopped) throw new Error(`the download of ${download.path} was canceled`);
    if (Date.now() >= deadline) {
      throw new Error(
        `no complete download within ${timeoutMs} ms (${JSON.stringify(download ?? 'none started')})`,
      );
    }
    await sleep(50);
  }
}

let tempFilesDir: string | undefined;

/**
 * Writes `data` to a file named `name` in a temporary directory and returns its
 * path: for `ElementHandle#uploadFile`, e.g. to import a backup downloaded from
 * one browser profile into another (whose `downloadDir` is gone with `close()`).
 * Call `removeTempFiles()` in `afterAll` (vitest's workers do not run exit hooks).
 */
export async function writeTempFile(name: string, data: string | Uint8Array): Promise<string> {
  tempFilesDir ??= await mkdtemp(join(tmpdir(), 'cipherpost-files-'));
  const path = join(tempFilesDir, basename(name));
  await writeFile(path, data);
  return path;
}

/** Removes the files written by writeTempFile. */
export async function removeTempFiles(): Promise<void> {
  const dir = tempFilesDir;
  tempFilesDir = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// Content scripts: run code in our content script's world

/**
 * Evaluates `expression` (JavaScript source whose value may be a promise) in
 * Cipherpost's content-script world of `page`'s top frame, as if the content
 * script itself ran it, and resolves to the value, JSON-serialised there and
 * parsed here. The world has the content script's `chrome.runtime` (`browser`
 * in Firefox), so a test can send any message with a real content-script sender
 * and see what the background's router answers. Throws if the content script is
 * not in the page within `timeoutMs`, or if the expression throws or rejects.
 *
 * - Chromium: the content script's isolated world is an execution context over
 *   CDP (`Runtime.enable` reports it, with the extension's origin and the frame);
 *   `Runtime.evaluate` runs there.
 * - Firefox: BiDi does not expose content-script sandboxes. With
 *   `--remote-allow-system-access` (FIREFOX_ARGS) the harness runs chrome code
 *   that finds the tab's `<browser>` (`NavigableManager.getBrowserById` with the
 *   page's BiDi context id) and loads a frame script into it; in the content
 *   process, `ExtensionContent.getContextByExtensionId(id, content).sandbox` is
 *   the content script's sandbox, and `Cu.evalInSandbox` runs the expression there.
 *
 * Nothing in the extension changes for this: it is test-side access only.
 */
export async function evaluateInContentScript<T = unknown>(
  b: LaunchedBrowser,
  page: Page,
  expression: string,
  { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
): Promise<T> {
  const source = `(async () => JSON.stringify(await (${expression}) ?? null))()`;
  const deadline = Date.now() + timeoutMs;
  if (b.name === 'chromium') {
    const cdp = await page.createCDPSession();
    try {
      const { frameTree } = await cdp.send('Page.getFrameTree');
      const contexts: { id: number; origin: string; auxData?: Record<string, unknown> }[] = [];
      cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
      // Runtime.enable reports every existing context first, then new ones.
      await cdp.send('Runtime.enable');
      const ours = () =>
        contexts.find(
          (c) =>
            c.origin === b.extensionOrigin &&
            c.auxData?.type === 'isolated' &&
            c.auxData?.frameId === frameTree.frame.id,
        );
      while (!ours()) {
        if (Date.now() >= deadline) throw new Error(`no content script of ours in ${page.url()}`);
        await sleep(50);
      }
      const answer = await cdp.send('Runtime.evaluate', {
        contextId: ours()!.id,
        expression: source,
        awaitPromise: true,
        returnByValue: true,
        timeout: Math.max(1, deadline - Date.now()),
      });
      if (answer.exceptionDetails) {
        const e = answer.exceptionDetails;
        throw new Error(`content-script evaluation failed: ${e.exception?.description ?? e.text}`);
      }
      return JSON.parse(answer.result.value as string) as T;
    } finally {
      await cdp.detach().catch(() => {});
    }
  }

  const reply = `cipherpost-test:${randomUUID()}`;
  const frameScript = `(() => {
    const reply = ${JSON.stringify(reply)};
    const { ExtensionContent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionContent.sys.mjs');
    const deadline = Date.now() + ${timeoutMs};
    const run = async () => {
      let context;
      while (!(context = ExtensionContent.getContextByExtensionId(${JSON.stringify(b.extensionId)}, content))) {
        if (Date.now() >= deadline) throw new Error('no content script of ours in ' + content.location.href);
        await new Promise((r) => content.setTimeout(r, 50));
      }
      return await Cu.evalInSandbox(${JSON.stringify(source)}, context.sandbox);
    };
    run().then(
      (value) => sendAsyncMessage(reply, { ok: true, value }),
      (error) => sendAsyncMessage(reply, { ok: false, error: String(error && error.message || error) }),
    );
  })();`;
  const json = await firefoxChromeEval(
    b,
    `(async () => {
      const { NavigableManager } = ChromeUtils.importESModule('chrome://remote/content/shared/NavigableManager.sys.mjs');
      const browser = NavigableManager.getBrowserById(${JSON.stringify(bidiContextId(page))});
      if (!browser) return JSON.stringify({ ok: false, error: 'no <browser> for the page' });
      const mm = browser.messageManager;
      const answer = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ ok: false, error: 'no answer from the frame script' }), ${timeoutMs + 1_000});
        const listener = (m) => {
          clearTimeout(timer);
          mm.removeMessageListener(${JSON.stringify(reply)}, listener);
          resolve(m.data);
        };
        mm.addMessageListener(${JSON.stringify(reply)}, listener);
        mm.loadFrameScript('data:,' + encodeURIComponent(${JSON.stringify(frameScript)}), false);
      });
      return JSON.stringify(answer);
    })()`,
  );
  const answer = JSON.parse(json) as { ok: true; value: string } | { ok: false; error: string };
  if (!answer.ok) throw new Error(`content-script evaluation failed: ${answer.error}`);
  return JSON.parse(answer.value) as T;
}

// ---------------------------------------------------------------------------
// Exported for test/browser/webmail-helpers.ts (extension frames inside web pages,
// Firefox's browsing-context tree). Thin wrappers: the functions above are unchanged.

/** Firefox only: puppeteer's WebDriver BiDi connection (`send(method, params)`). */
export function firefoxBidi(b: LaunchedBrowser): {
  send(method: string, params: object): Promise<{ result: unknown }>;
} {
  return bidi(b);
}

/** Firefox only: the BiDi browsing-context id of a page's top frame. */
export function firefoxContextId(page: Page): string {
  return bidiContextId(page);
}

/** Firefox only: evaluates `expression` (a string, or a promise of one) in the chrome window. */
export function firefoxChromeEvaluate(b: LaunchedBrowser, expression: string): Promise<string> {
  return firefoxChromeEval(b, expression);
}

/**
 * Chromium with extra command-line arguments (e.g. `--host-resolver-rules=...`,
 * `--ignore-certificate-errors`) besides CHROMIUM_ARGS; otherwise as launchChromium.
 */
export async function launchChromiumWith(extDir: string, extraArgs: string[]): Promise<LaunchedBrowser> {
  CHROMIUM_ARGS.push(...extraArgs);
  try {
    return await launchChromium(extDir);
  } finally {
    CHROMIUM_ARGS.splice(CHROMIUM_ARGS.length - extraArgs.length, extraArgs.length);
  }
}
