/**
 * Smoke test: the built extension loads in headless Chromium and Firefox ESR, its
 * content script runs on a loopback page (e2e build only), sends a typed
 * `system:ping`, and the background's router answers it.
 *
 * `npm run test:browser` builds both the e2e and the production extension first.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_RESULT_ATTRIBUTE } from '../../src/shell/build-mode';
import {
  type BrowserName,
  extensionDir,
  type LaunchedBrowser,
  launch,
  launchChromium,
  pollAttribute,
  ROOT,
  readManifest,
  startTestServer,
  type TestServer,
  watchContentScriptWorlds,
} from './harness';

const PKG = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** Records window `message` events, so the test can check the page is not told anything. */
const SMOKE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><title>Cipherpost smoke page</title>
<script>
  window.__pageSaw = [];
  addEventListener('message', (e) => window.__pageSaw.push(String(e.data && e.data.type || e.data)));
</script>
</head>
<body><h1>Cipherpost smoke page</h1></body>
</html>
`;

const BUILD_TARGET: Record<BrowserName, string> = { chromium: 'chrome', firefox: 'firefox' };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ '/smoke.html': SMOKE_PAGE });
});
afterAll(async () => {
  await server?.close();
});

describe.each(['chromium', 'firefox'] as const)('%s, e2e build', (name) => {
  let b: LaunchedBrowser;
  beforeAll(async () => {
    b = await launch(name, extensionDir(name, 'e2e'));
  });
  afterAll(async () => {
    await b?.close();
  });

  it('the content script pings the background and gets {ok: true, value}', async () => {
    const page = await b.newPage();
    await page.goto(server.url('/smoke.html'));
    const raw = await pollAttribute(page, E2E_RESULT_ATTRIBUTE, 15_000);
    expect(raw, `no ${E2E_RESULT_ATTRIBUTE} attribute: the content script did not report`).not.toBeNull();
    expect(JSON.parse(raw as string)).toEqual({
      ok: true,
      value: { version: PKG.version, browser: BUILD_TARGET[name] },
    });
    // WXT's "script started" window.postMessage is switched off: the page hears nothing.
    expect(await page.evaluate(() => (window as unknown as { __pageSaw: string[] }).__pageSaw)).toEqual([]);
    await page.close();
  });

  it('reports where the extension lives', () => {
    expect(b.extensionOrigin).toMatch(
      name === 'chromium' ? /^chrome-extension:\/\/[a-p]{32}$/ : /^moz-extension:\/\/[0-9a-f-]{36}$/,
    );
    if (name === 'firefox') expect(b.extensionId).toBe('cipherpost@cipherpost.dev');
  });
});

describe('production build', () => {
  for (const name of ['chromium', 'firefox'] as const) {
    it(`${name}: manifest and bundles give no access to loopback`, async () => {
      const dir = extensionDir(name, 'production');
      const manifest = (await readManifest(dir)) as {
        host_permissions?: string[];
        content_scripts?: { matches: string[]; js: string[] }[];
      };
      const matches = manifest.content_scripts?.flatMap((c) => c.matches) ?? [];
      expect(matches.length).toBeGreaterThan(0);
      for (const pattern of [...matches, ...(manifest.host_permissions ?? [])]) {
        expect(pattern).toMatch(/^https:\/\//);
        expect(pattern).not.toMatch(/127\.0\.0\.1|localhost/);
      }
      for (const file of ['background.js', ...(manifest.content_scripts?.flatMap((c) => c.js) ?? [])]) {
        const code = await readFile(join(dir, file), 'utf8');
        // The loopback match pattern of the e2e build grants nothing here. (The
        // background may mention 127.0.0.1:8787: the default directory URL for the
        // local directory that `npm start` runs is a setting, not host access.)
        expect(code, file).not.toContain('http://127.0.0.1/*');
        expect(code, file).not.toContain(E2E_RESULT_ATTRIBUTE);
      }
      for (const file of manifest.content_scripts?.flatMap((c) => c.js) ?? []) {
        expect(await readFile(join(dir, file), 'utf8'), file).not.toContain('127.0.0.1');
      }
    });
  }

  it('chromium: the production content script is not injected into a loopback page', async () => {
    // Positive control first: the e2e build's content script shows up as an
    // isolated world, so the watcher does see content scripts.
    const runs: Record<string, string[]> = {};
    for (const mode of ['e2e', 'production'] as const) {
      const b = await launchChromium(extensionDir('chromium', mode));
      try {
        const page = await b.newPage();
        const worlds = await watchContentScriptWorlds(page);
        await page.goto(server.url('/smoke.html'), { waitUntil: 'load' });
        if (mode === 'e2e') expect(await pollAttribute(page, E2E_RESULT_ATTRIBUTE, 15_000)).not.toBeNull();
        else await new Promise((r) => setTimeout(r, 1_500)); // document_idle has long passed
        runs[mode] = worlds.origins().filter((o) => o === b.extensionOrigin);
        expect(
          await page.evaluate((a) => document.documentElement.hasAttribute(a), E2E_RESULT_ATTRIBUTE),
        ).toBe(mode === 'e2e');
        await worlds.stop();
      } finally {
        await b.close();
      }
    }
    expect(runs.e2e?.length).toBeGreaterThan(0);
    expect(runs.production).toEqual([]);
  });
});
