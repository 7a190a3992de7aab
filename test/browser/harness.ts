/**
 * Browser test harness: a loopback HTTP server for test pages, and launchers that
 * start headless Chromium or Firefox ESR (both from Debian) with a built Cipherpost
 * extension loaded, each in a fresh profile. See docs/testing.md.
 *
 * A missing browser is an error, never a skip: the tests must be able to fail.
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

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
  /** The fresh profile directory (removed by close()). */
  profileDir: string;
  /** Opens a new tab. */
  newPage(): Promise<Page>;
  /** Closes the browser and removes its profile. Safe to call twice. */
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

async function closer(browser: Browser, profileDir: string): Promise<() => Promise<void>> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    try {
      await browser.close();
    } finally {
      await rm(profileDir, { recursive: true, force: true, maxRetries: 3 });
    }
  };
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
  const profileDir = await mkdtemp(join(tmpdir(), 'cipherpost-chromium-'));
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
    throw error;
  }
  const close = await closer(browser, profileDir);
  try {
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
      profileDir,
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
 * - The remaining ones keep a headless test profile quiet and offline (no update
 *   checks, no telemetry, no first-run pages).
 */
function firefoxPrefs(geckoId: string, uuid: string): Record<string, unknown> {
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
  };
}

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
  const profileDir = await mkdtemp(join(tmpdir(), 'cipherpost-firefox-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      userDataDir: profileDir,
      extraPrefsFirefox: { ...firefoxPrefs(geckoId, uuid), ...options.prefs },
    });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
  const close = await closer(browser, profileDir);
  try {
    const extensionId = await browser.installExtension(extDir);
    if (extensionId !== geckoId) throw new Error(`installed ${extensionId}, expected ${geckoId}`);
    return {
      name: 'firefox',
      browser,
      extensionId,
      extensionOrigin: `moz-extension://${uuid}`,
      profileDir,
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
