/**
 * Helpers for the privacy browser tests (issue 6): a browser without Cipherpost
 * for the controls, HTML mails full of remote content pointing at the loopback
 * tracker (tracker-server.ts), and Cipherpost's banner in Roundcube's preview.
 *
 * The banner (H6b's DOM contract): for an opened message with remote content or a
 * suspicious sender, the content script puts `<cipherpost-banner>` (closed shadow
 * root) in the page, holding the extension frame `banner.html?t=…` with
 * `main#banner[data-severity][data-loaded]`, `#remote[data-count]`, `#load-once`,
 * `#load-sender`, `#sender-warning [data-reason]` and `details#why`. Benign mail
 * without remote content: no banner.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Frame, type Page } from 'puppeteer-core';
import {
  type BrowserName,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  FIREFOX_ARGS,
  FIREFOX_PATH,
  type LaunchedBrowser,
} from './harness';
import type { Tracker } from './tracker-server';
import { type ExtensionFrame, extensionFrame, extensionFrames, T, until } from './webmail-helpers';

export { rawHtmlMail, rawTextMail } from './webmail-helpers';

// ---------------------------------------------------------------------------
// A browser without Cipherpost (the control).

/**
 * The same headless browser as `launch(name, …)` (same binary, same flags, fresh
 * profile) with no extension at all. Returned as a LaunchedBrowser so the webmail
 * helpers (`login`, `openRow`) take it; its extension fields are empty.
 */
export async function launchWithoutExtension(name: BrowserName): Promise<LaunchedBrowser> {
  const profileDir = await mkdtemp(join(tmpdir(), `cipherpost-${name}-plain-`));
  let browser: Browser;
  try {
    browser =
      name === 'chromium'
        ? await puppeteer.launch({
            executablePath: CHROMIUM_PATH,
            headless: true,
            pipe: true,
            userDataDir: profileDir,
            args: CHROMIUM_ARGS,
          })
        : await puppeteer.launch({
            browser: 'firefox',
            executablePath: FIREFOX_PATH,
            headless: true,
            userDataDir: profileDir,
            args: FIREFOX_ARGS,
            extraPrefsFirefox: {
              'app.update.enabled': false,
              'browser.shell.checkDefaultBrowser': false,
              'datareporting.policy.dataSubmissionEnabled': false,
              'toolkit.telemetry.enabled': false,
            },
          });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    name,
    browser,
    extensionId: '',
    extensionOrigin: '',
    extDir: '',
    profileDir,
    downloadDir: profileDir,
    newPage: () => browser.newPage(),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await browser.close();
      } finally {
        await rm(profileDir, { recursive: true, force: true, maxRetries: 3 });
      }
    },
  };
}

// ---------------------------------------------------------------------------
// Mails with remote content.

/** One remote resource in a tracking mail: its kind and the tracker path it uses. */
export interface RemoteItem {
  kind: string;
  path: string;
}

/**
 * Every kind of remote reference the mail carries, each at its own path under
 * `/<segment>/`. `nested` ones are not in the mail: the tracker's stylesheet
 * refers to them (`@import` and `url()` inside `style.css`).
 */
export function remoteItems(segment: string): { inMail: RemoteItem[]; nested: RemoteItem[] } {
  const p = (file: string) => `/${segment}/${file}`;
  return {
    inMail: [
      { kind: 'img src (tracking pixel)', path: p('pixel.gif') },
      { kind: 'style attribute url()', path: p('style-attr.gif') },
      { kind: '<style> url()', path: p('style-element.gif') },
      { kind: '@font-face src', path: p('font.woff') },
      { kind: '<style> @import', path: p('style-import.css') },
      { kind: 'img srcset', path: p('srcset-2x.gif') },
      { kind: 'img src beside srcset', path: p('srcset-src.gif') },
      { kind: '<picture><source srcset>', path: p('picture-source.gif') },
      { kind: '<picture><img src>', path: p('picture-img.gif') },
      { kind: 'table background attribute', path: p('table-background.gif') },
      { kind: 'td background attribute', path: p('td-background.gif') },
      { kind: 'video poster', path: p('poster.gif') },
      { kind: 'video <source src>', path: p('video.webm') },
      { kind: 'input type=image src', path: p('input-image.gif') },
      { kind: 'svg <image href>', path: p('svg-image.gif') },
      { kind: 'iframe src', path: p('frame.html') },
      { kind: '<link rel=stylesheet>', path: p('style.css') },
      { kind: '<link rel=prefetch>', path: p('prefetch.gif') },
      { kind: '<link rel=preload as=image>', path: p('preload.gif') },
    ],
    nested: [
      { kind: 'stylesheet @import (nested)', path: p('imported.css') },
      { kind: 'stylesheet url() (nested)', path: p('nested.gif') },
      { kind: 'imported stylesheet url() (nested)', path: p('imported-bg.gif') },
    ],
  };
}

/** The HTML body: every item of remoteItems(segment) at `tracker`, plus a visible marker text. */
export function trackingHtml(tracker: Tracker, segment: string, marker: string): string {
  const u = (file: string) => tracker.url(`/${segment}/${file}`);
  // Roundcube drops a whole <style> element that contains @import
  // (rcmail_action_mail_index::washtml_callback), so the @import has its own.
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Newsletter</title>
<style>
.cp-style-element { background-image: url(${u('style-element.gif')}); width: 20px; height: 20px; }
@font-face { font-family: cptrackerfont; src: url(${u('font.woff')}); }
.cp-font { font-family: cptrackerfont; }
</style>
<style>@import url(${u('style-import.css')});</style>
<link rel="stylesheet" href="${u('style.css')}">
<link rel="prefetch" href="${u('prefetch.gif')}">
<link rel="preload" as="image" href="${u('preload.gif')}">
<link rel="dns-prefetch" href="//${segment.toLowerCase()}.tracker.invalid">
</head>
<body>
<p>${marker}</p>
<p><img src="${u('pixel.gif')}" width="1" height="1" alt=""></p>
<div style="background-image: url(${u('style-attr.gif')}); width: 20px; height: 20px;"></div>
<div class="cp-style-element"></div>
<p class="cp-font">Text in a remote font.</p>
<p><img src="${u('srcset-src.gif')}" srcset="${u('srcset-2x.gif')} 2x" width="20" height="20" alt="srcset"></p>
<picture><source srcset="${u('picture-source.gif')}" type="image/gif"><img src="${u('picture-img.gif')}" width="20" height="20" alt="picture"></picture>
<table background="${u('table-background.gif')}" width="40" height="20"><tr><td background="${u('td-background.gif')}">cell</td></tr></table>
<video poster="${u('poster.gif')}" width="40" height="30" preload="metadata"><source src="${u('video.webm')}" type="video/webm"></video>
<form><input type="image" src="${u('input-image.gif')}" alt="go"></form>
<svg width="20" height="20" xmlns="http://www.w3.org/2000/svg"><image href="${u('svg-image.gif')}" width="20" height="20"/></svg>
<iframe src="${u('frame.html')}" width="40" height="20"></iframe>
<p>End of the newsletter.</p>
</body></html>
`;
}

/**
 * The distinct tracker URLs under `/<segment>/` that the preview frame's message
 * body holds as Roundcube delivered it (attributes, style attributes, `<style>`
 * text): the remote items the page would load. Read in the control browser.
 */
export async function remoteUrlsInPreview(
  preview: Frame,
  tracker: Tracker,
  segment: string,
): Promise<string[]> {
  const html = await preview.$eval('#messagebody', (e) => e.innerHTML);
  const prefix = tracker.url(`/${segment}/`).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = html.match(new RegExp(`${prefix}[A-Za-z0-9._-]+`, 'g')) ?? [];
  return [...new Set(found)].sort();
}

/**
 * Clears Roundcube's list selection and blanks the preview frame
 * (`rcmail.show_contentframe(false)`), so the next click on a row loads that
 * message again even if it was the one shown (Roundcube ignores a click on the
 * selected row).
 */
export async function showNothing(page: Page): Promise<void> {
  await page.evaluate(() => {
    const rc = (
      window as unknown as {
        rcmail: { message_list?: { clear_selection(): void }; show_contentframe(show: boolean): void };
      }
    ).rcmail;
    rc.message_list?.clear_selection();
    rc.show_contentframe(false);
  });
  await until(
    () => !page.frames().some((f) => f.url().includes('_action=preview')),
    'the preview frame blanked',
    10_000,
  );
}

// ---------------------------------------------------------------------------
// The banner.

/** The preview frame's `<cipherpost-banner>` elements (closed shadow roots: only the hosts). */
export function bannerHosts(preview: Frame | Page): Promise<ElementHandle<Element>[]> {
  return preview.$$('cipherpost-banner, span[data-cipherpost-host="cipherpost-banner"]') as Promise<
    ElementHandle<Element>[]
  >;
}

/**
 * Every `<cipherpost-banner>` in the page: in the top document and in every
 * same-origin child frame (Roundcube's preview). Returns how many of each.
 */
export async function countBannerHosts(page: Page): Promise<number> {
  let n = 0;
  for (const f of page.frames()) {
    if (f.detached) continue;
    n += await f
      .$$eval('cipherpost-banner, span[data-cipherpost-host="cipherpost-banner"]', (all) => all.length)
      .catch(() => 0);
  }
  return n;
}

/** The banner frame (banner.html) in `page` (any depth), loaded, excluding `exclude`. */
export function bannerFrame(
  b: LaunchedBrowser,
  page: Page,
  { timeoutMs = T, exclude = [] as Frame[] } = {},
): Promise<ExtensionFrame> {
  return extensionFrame(b, page, 'banner.html', { timeoutMs, exclude });
}

/** All banner.html frames in `page` now. */
export async function bannerFrames(b: LaunchedBrowser, page: Page): Promise<Frame[]> {
  return (await extensionFrames(b, page, 'banner.html')).map((f) => f.frame);
}

/** What the banner shows: severity, loaded, the remote count and text, reasons, buttons. */
export interface BannerState {
  severity: string | null;
  loaded: string | null;
  count: number | null;
  remoteText: string;
  reasons: string[];
  warningText: string;
  buttons: { loadOnce: string | null; loadSender: string | null };
  why: { present: boolean; summary: string; open: boolean; text: string };
}

export async function bannerState(banner: ExtensionFrame): Promise<BannerState> {
  await banner.waitFor('main#banner');
  return banner.evaluate(() => {
    const main = document.querySelector('main#banner');
    const remote = document.querySelector('#remote');
    const count = remote?.getAttribute('data-count');
    const why = document.querySelector('details#why') as HTMLDetailsElement | null;
    const label = (sel: string) => {
      const el = document.querySelector(sel) as HTMLElement | null;
      return el ? (el.textContent ?? '').trim() : null;
    };
    return {
      severity: main?.getAttribute('data-severity') ?? null,
      loaded: main?.getAttribute('data-loaded') ?? null,
      count: count == null ? null : Number(count),
      remoteText: (remote?.textContent ?? '').trim(),
      reasons: [...document.querySelectorAll('#sender-warning [data-reason]')].map(
        (e) => e.getAttribute('data-reason') ?? '',
      ),
      warningText: (document.querySelector('#sender-warning')?.textContent ?? '').trim(),
      buttons: { loadOnce: label('#load-once'), loadSender: label('#load-sender') },
      why: {
        present: !!why,
        summary: (why?.querySelector('summary')?.textContent ?? '').trim(),
        open: !!why?.open,
        text: (why?.textContent ?? '').trim(),
      },
    };
  });
}

/** Waits until the banner's `main#banner` has `data-loaded=value`. */
export async function waitLoaded(banner: ExtensionFrame, value: string, timeoutMs = 30_000): Promise<void> {
  await until(
    () =>
      banner
        .evaluate(() => document.querySelector('main#banner')?.getAttribute('data-loaded') ?? null)
        .then((v) => v === value),
    `the banner's data-loaded=${value}`,
    timeoutMs,
  );
}

/** Scrolls the preview's message body to the end and back (lazy loads, if any). */
export async function scrollPreview(preview: Frame): Promise<void> {
  await preview
    .evaluate(async () => {
      const step = () => new Promise((r) => setTimeout(r, 100));
      const el = document.scrollingElement ?? document.documentElement;
      for (let y = 0; y <= el.scrollHeight; y += 300) {
        el.scrollTo(0, y);
        const body = document.querySelector('#messagebody');
        body?.scrollIntoView({ block: 'end' });
        await step();
      }
      el.scrollTo(0, 0);
    })
    .catch(() => {});
}
