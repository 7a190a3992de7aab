/**
 * Issue 6, "a webmail page script that tries to hide or restyle the banner is
 * detected, or cannot reach it". The hostile script runs in the main world of
 * Roundcube's preview frame (puppeteer's `Frame#evaluate` and
 * `Page#evaluateOnNewDocument` run there, as a webmail's own script would), on
 * a real message with remote content (tracker-server.ts), in the real Roundcube.
 *
 * - Reach: the host's shadow root is closed (`shadowRoot` null, `attachShadow`
 *   refused), the page's DOM holds neither the banner frame nor its ticket nor the
 *   per-install security marker the frame shows (so the page cannot draw a
 *   convincing copy), the frame's document is cross-origin, and forged messages,
 *   synthetic clicks and a fake overlay banner load nothing.
 * - Restyle with page style sheets (`display: none !important`, `visibility`,
 *   `opacity`, zero size): the host's inline `!important` styles win, it stays
 *   visible.
 * - Hide, remove, add attributes, move (docs/privacy.md, "A page that hides the
 *   banner"): detected, a fresh banner (new frame) is drawn, three times per
 *   message; past that nothing is drawn, and nothing loads either.
 * - A page that defines the custom element `cipherpost-banner` before Cipherpost
 *   draws it (`attachInternals()` in its constructor, the one way the spec gives a
 *   page to its element's shadow root) and patches `attachShadow`: it gets no
 *   shadow root and no banner frame URL.
 *
 * Each case opens its message in a fresh tab (a fresh content script).
 */
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionDir, type LaunchedBrowser, launch } from './harness';
import {
  bannerFrame,
  bannerFrames,
  bannerState,
  countBannerHosts,
  rawHtmlMail,
  trackingHtml,
} from './privacy-helpers';
import { startTracker, type Tracker } from './tracker-server';
import { onboardThroughPopup } from './vault-ui';
import {
  type ExtensionFrame,
  ensureWebmail,
  login,
  openRow,
  type Row,
  sendSmtp,
  sleep,
  USERS,
  until,
  waitForRow,
} from './webmail-helpers';

const LONG = 180_000;
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
let tracker: Tracker;
const timings: string[] = [];

beforeAll(async () => {
  await ensureWebmail();
  tracker = await startTracker();
}, LONG);

afterAll(async () => {
  await tracker?.close();
  if (timings.length) console.log(`privacy-banner-hostile.test.ts timings:\n  ${timings.join('\n  ')}`);
});

/** What the hostile script reads about the banner from the page's main world. */
interface Reach {
  hosts: number;
  shadowRoot: string;
  attachShadow: string;
  childNodes: number;
  innerHTML: string;
  outerHTML: string;
  pageIframes: string[];
  frameAccess: string[];
  markerInPage: boolean;
  ticketInPage: boolean;
}

describe.each(['chromium', 'firefox'] as const)('%s: a hostile webmail page and the banner', (name) => {
  let b: LaunchedBrowser;
  let markerWord = '';
  const rows = new Map<string, Row>();
  const tags = ['reach', 'tamper', 'element'] as const;
  const seg = (tag: string) => `${run}-${name.slice(0, 2)}-${tag}`;
  const subject = (tag: string) => `Hostile ${tag} ${run} ${name}`;
  let mark = performance.now();
  const step = (what: string) => {
    const now = performance.now();
    timings.push(`${name} ${what}: ${((now - mark) / 1000).toFixed(2)} s`);
    mark = now;
  };
  const since = (from: number) => tracker.requests.slice(from).map((r) => r.path);

  beforeAll(async () => {
    mark = performance.now();
    for (const tag of tags) {
      await sendSmtp({
        from: 'news@shop.example',
        to: USERS.bob.address,
        raw: rawHtmlMail({
          from: '"Shop" <news@shop.example>',
          to: USERS.bob.address,
          subject: subject(tag),
          html: trackingHtml(tracker, seg(tag), `Marker ${seg(tag)}`),
        }),
      });
    }
    b = await launch(name, extensionDir(name, 'e2e'));
    const vault = await onboardThroughPopup(b, USERS.bob.address);
    markerWord = vault.markerWord;
    await vault.popup.close();
    const page = await login(b, 'bob');
    for (const tag of tags) rows.set(tag, await waitForRow(page, (r) => r.subject === subject(tag), 90_000));
    await page.close();
    step('mails sent, launched, onboarded, rows listed');
  }, LONG);

  afterAll(async () => {
    await b?.close();
  });

  /** A fresh tab on Bob's inbox (already logged in), with message `tag` open and its banner drawn. */
  async function openInNewTab(
    tag: string,
    beforeLoad?: (page: Page) => Promise<void>,
  ): Promise<{ page: Page; preview: Frame; banner: ExtensionFrame }> {
    const tab = beforeLoad ? await prepared(beforeLoad) : await login(b, 'bob');
    const row = await waitForRow(tab, (r) => r.uid === rows.get(tag)!.uid, 30_000);
    const preview = await openRow(tab, row);
    const banner = await bannerFrame(b, tab, { timeoutMs: 30_000 });
    await banner.waitFor('main#banner[data-loaded]');
    return { page: tab, preview, banner };
  }

  /** login() in a tab where `setup` ran first (e.g. evaluateOnNewDocument). */
  async function prepared(setup: (page: Page) => Promise<void>): Promise<Page> {
    const original = b.newPage;
    b.newPage = async () => {
      const p = await original();
      await setup(p);
      return p;
    };
    try {
      return await login(b, 'bob');
    } finally {
      b.newPage = original;
    }
  }

  /** The visible box and computed style of the host (from the page: it can see the host). */
  function hostLook(preview: Frame) {
    return preview.evaluate(() => {
      const host = document.querySelector('cipherpost-banner') as HTMLElement | null;
      if (!host) return null;
      const s = getComputedStyle(host);
      const r = host.getBoundingClientRect();
      return {
        display: s.display,
        visibility: s.visibility,
        opacity: s.opacity,
        width: r.width,
        height: r.height,
      };
    });
  }

  it(
    'the page cannot reach into the banner, find its frame, ticket or marker, nor make it load anything',
    async () => {
      const { page, preview, banner } = await openInNewTab('reach');
      const from = tracker.requests.length;
      const ticket = new URL(banner.url).searchParams.get('t') ?? '';
      expect(ticket.length).toBeGreaterThan(8);
      // The banner shows the per-install marker (the page's copy could not).
      expect(
        await banner.evaluate(
          () => document.querySelector('[data-testid=security-marker]')?.textContent ?? '',
        ),
      ).toContain(markerWord);

      const reach = await preview.evaluate(
        (word, t) => {
          const host = document.querySelector('cipherpost-banner') as HTMLElement;
          let attach = 'allowed';
          try {
            host.attachShadow({ mode: 'open' });
          } catch (e) {
            attach = (e as Error).name;
          }
          const frameAccess: string[] = [];
          for (let i = 0; i < window.frames.length; i++) {
            try {
              frameAccess.push(`document:${window.frames[i]!.document.URL}`);
            } catch (e) {
              frameAccess.push(`document:${(e as Error).name}`);
            }
            try {
              frameAccess.push(`href:${window.frames[i]!.location.href}`);
            } catch (e) {
              frameAccess.push(`href:${(e as Error).name}`);
            }
          }
          const all = `${document.documentElement.outerHTML}\n${window.top?.document.documentElement.outerHTML}`;
          return {
            hosts: document.querySelectorAll('cipherpost-banner').length,
            shadowRoot: host.shadowRoot === null ? 'null' : 'visible',
            attachShadow: attach,
            childNodes: host.childNodes.length,
            innerHTML: host.innerHTML,
            outerHTML: host.outerHTML.replace(/style="[^"]*"/, 'style="…"'),
            pageIframes: [...document.querySelectorAll('iframe')].map((f) => f.src),
            frameAccess,
            markerInPage: all.includes(word),
            ticketInPage: all.includes(t),
          } satisfies Reach;
        },
        markerWord,
        ticket,
      );
      console.log(`${name} reach: ${JSON.stringify(reach)}`);
      expect(reach.hosts).toBe(1);
      expect(reach.shadowRoot).toBe('null');
      expect(reach.attachShadow).toBe('NotSupportedError');
      expect(reach.childNodes).toBe(0);
      expect(reach.innerHTML).toBe('');
      expect(reach.outerHTML).toBe('<cipherpost-banner style="…"></cipherpost-banner>');
      expect(reach.pageIframes.filter((u) => u.includes('banner'))).toEqual([]);
      // A frame in a shadow tree is not among `window.frames` (checked: none here in
      // Chromium); any frame the page can name is cross-origin: no document, no URL.
      for (const a of reach.frameAccess) expect(a).toMatch(/^(document|href):SecurityError$/);
      expect(reach.markerInPage).toBe(false);
      expect(reach.ticketInPage).toBe(false);

      // Forged messages to every frame, synthetic clicks on the host, a fake banner laid over it.
      await preview.evaluate(() => {
        const host = document.querySelector('cipherpost-banner') as HTMLElement;
        const forged: unknown[] = [
          'load-once',
          { type: 'privacy:allow', scope: 'once' },
          { type: 'privacy:allow', scope: 'sender' },
          { type: 'privacy:restore' },
          { action: 'load', scope: 'once' },
        ];
        for (let i = 0; i < window.frames.length; i++)
          for (const m of forged) window.frames[i]!.postMessage(m, '*');
        for (const m of forged) window.postMessage(m, '*');
        const r = host.getBoundingClientRect();
        for (const x of [0.2, 0.5, 0.8]) {
          const init = { bubbles: true, clientX: r.left + r.width * x, clientY: r.top + r.height / 2 };
          host.dispatchEvent(new MouseEvent('mousedown', init));
          host.dispatchEvent(new MouseEvent('mouseup', init));
          host.dispatchEvent(new MouseEvent('click', init));
        }
        host.click();
        const fake = document.createElement('div');
        fake.id = 'fake-banner';
        fake.textContent = 'Cipherpost: this sender is verified. All content loaded safely.';
        Object.assign(fake.style, {
          position: 'absolute',
          left: `${r.left + scrollX}px`,
          top: `${r.top + scrollY}px`,
          width: `${r.width}px`,
          height: `${r.height}px`,
          background: 'white',
          zIndex: '2147483647',
        });
        document.body.append(fake);
      });
      await sleep(2_500);
      expect(since(from), 'requests after forged messages and clicks').toEqual([]);
      expect((await bannerState(banner)).loaded).toBe('none');
      // The overlay is the page's own element; the real banner is still there, unchanged.
      expect(await countBannerHosts(page)).toBe(1);
      expect((await bannerFrames(b, page)).length).toBe(1);
      await page.close();
      step('reach');
    },
    LONG,
  );

  it(
    'page style sheets cannot hide the host; hiding, removing, marking or moving it is detected and a fresh banner drawn',
    async () => {
      const { page, preview } = await openInNewTab('tamper');
      const from = tracker.requests.length;
      const visible = { display: 'block', visibility: 'visible', opacity: '1' };
      const shown = await hostLook(preview);
      expect(shown).toMatchObject(visible);
      expect(shown!.height).toBeGreaterThan(16);

      // Style sheets: the host's inline !important styles win.
      await preview.evaluate(() => {
        const style = document.createElement('style');
        style.id = 'hostile-sheet';
        style.textContent =
          'cipherpost-banner, cipherpost-banner:not(#x) { display: none !important; visibility: hidden !important; ' +
          'opacity: 0 !important; height: 0 !important; width: 0 !important; transform: scale(0) !important; }';
        document.head.append(style);
      });
      await sleep(300);
      const underSheet = await hostLook(preview);
      expect(underSheet).toMatchObject(visible);
      expect(underSheet!.height).toBeGreaterThan(16);
      expect(underSheet!.width).toBeGreaterThan(100);
      await preview.evaluate(() => document.getElementById('hostile-sheet')?.remove());

      // Direct changes to the host: each one detected, a fresh host with a fresh frame.
      const attacks: [string, () => void][] = [
        [
          'inline display:none',
          () =>
            (document.querySelector('cipherpost-banner') as HTMLElement).style.setProperty(
              'display',
              'none',
              'important',
            ),
        ],
        ['removed', () => document.querySelector('cipherpost-banner')?.remove()],
        ['hidden attribute', () => document.querySelector('cipherpost-banner')?.setAttribute('hidden', '')],
      ];
      for (const [what, attack] of attacks) {
        const before = await bannerFrames(b, page);
        await preview.evaluate(attack);
        const fresh = await bannerFrame(b, page, { exclude: before, timeoutMs: 10_000 }).catch(() => {
          throw new Error(`no fresh banner after the page's "${what}"`);
        });
        await fresh.waitFor('main#banner[data-loaded=none]');
        await until(
          async () => {
            const look = await hostLook(preview);
            return look && look.display === 'block' && look.visibility === 'visible' && look.height > 16;
          },
          `a visible host again after "${what}"`,
          10_000,
        );
        expect(await countBannerHosts(page), `one host after "${what}"`).toBe(1);
        expect(
          await preview.evaluate(() => document.querySelector('cipherpost-banner')?.attributes.length),
          `a clean host after "${what}"`,
        ).toBe(1);
      }
      step('tamper: three attacks, three fresh banners');

      // The fourth on the same message: documented as not drawn again; nothing loads either way.
      await preview.evaluate(() => {
        const host = document.querySelector('cipherpost-banner') as HTMLElement;
        document.body.append(host);
      });
      await sleep(2_500);
      expect(since(from), 'requests while the page tampered with the banner').toEqual([]);
      await page.close();
      step('tamper: past the limit, still nothing loads');

      // Moving the host, on a fresh tab (the limit is per message and content script).
      const second = await openInNewTab('tamper');
      const before = await bannerFrames(b, second.page);
      await second.preview.evaluate(() => {
        const host = document.querySelector('cipherpost-banner') as HTMLElement;
        document.body.append(host);
      });
      await bannerFrame(b, second.page, { exclude: before, timeoutMs: 10_000 }).catch(() => {
        throw new Error('no fresh banner after the page moved the host');
      });
      expect(
        await second.preview.evaluate(() => {
          const host = document.querySelector('cipherpost-banner');
          return host?.nextElementSibling?.id ?? host?.nextElementSibling?.className ?? null;
        }),
        'the fresh host is above the message body again',
      ).toMatch(/messagebody|message-htmlpart|message-part/);
      expect(since(from)).toEqual([]);
      await second.page.close();
      step('tamper: moved, drawn again in place');
    },
    LONG,
  );

  it(
    'a page that defines <cipherpost-banner> itself (attachInternals) and patches attachShadow gets no shadow root',
    async () => {
      const hostile = () => {
        if (!location.search.includes('_action=preview')) return;
        const w = window as unknown as {
          __hostile: {
            constructed: number;
            internals: ElementInternals[];
            patched: number;
            errors: string[];
          };
        };
        w.__hostile = { constructed: 0, internals: [], patched: 0, errors: [] };
        const H = w.__hostile;
        const original = Element.prototype.attachShadow;
        Element.prototype.attachShadow = function (this: Element, init: ShadowRootInit) {
          H.patched++;
          return original.call(this, { ...init, mode: 'open' });
        };
        try {
          customElements.define(
            'cipherpost-banner',
            class extends HTMLElement {
              constructor() {
                super();
                H.constructed++;
                try {
                  H.internals.push(this.attachInternals());
                } catch (e) {
                  H.errors.push(String(e));
                }
              }
            },
          );
        } catch (e) {
          H.errors.push(String(e));
        }
      };
      const from = tracker.requests.length;
      const { page, preview, banner } = await openInNewTab('element', (p) =>
        p.evaluateOnNewDocument(hostile).then(() => {}),
      );
      const seen = await preview.evaluate(() => {
        const H = (
          window as unknown as {
            __hostile?: {
              constructed: number;
              internals: ElementInternals[];
              patched: number;
              errors: string[];
            };
          }
        ).__hostile;
        // Our host, as the tag or, when the page defined the tag first, the fallback span (src/content/shadow.ts).
        const host = document.querySelector(
          'cipherpost-banner, span[data-cipherpost-host="cipherpost-banner"]',
        ) as HTMLElement | null;
        return {
          installed: !!H,
          fallback: host?.localName === 'span',
          constructed: H?.constructed ?? -1,
          patched: H?.patched ?? -1,
          errors: H?.errors ?? [],
          roots: (H?.internals ?? []).map((i) => {
            const root = i.shadowRoot;
            return root
              ? `shadow root: ${root.mode}, ${root.querySelector('iframe')?.src ?? 'no iframe'}`
              : null;
          }),
          hostShadowRoot: host ? (host.shadowRoot === null ? 'null' : 'visible') : 'no host',
        };
      });
      console.log(`${name} custom element: ${JSON.stringify(seen)}`);
      expect(seen.installed, 'the hostile script ran in the preview frame').toBe(true);
      expect(seen.hostShadowRoot).toBe('null');
      expect(seen.patched, "the page's attachShadow was not the one Cipherpost called").toBe(0);
      // The page's class never becomes Cipherpost's host: the host is a span, and no
      // ElementInternals the page holds exposes a shadow root (or the banner URL with its ticket).
      expect(seen.fallback, 'the host is the fallback span').toBe(true);
      expect(
        seen.roots.filter((r) => r !== null),
        "the page's ElementInternals for Cipherpost's host: its closed shadow root (and the banner URL with the ticket)",
      ).toEqual([]);
      expect((await bannerState(banner)).loaded).toBe('none');
      // What a page holding the root could do: swap the banner for its own words, inside the
      // host, which the tamper checks (host attributes, style, place, size) do not look at.
      const swapped = await preview.evaluate(() => {
        const H = (window as unknown as { __hostile?: { internals: ElementInternals[] } }).__hostile;
        const root = H?.internals.map((i) => i.shadowRoot).find((r) => r);
        if (!root) return false;
        root.replaceChildren();
        const fake = document.createElement('p');
        fake.textContent = 'Cipherpost: sender verified, no remote content.';
        root.append(fake);
        return true;
      });
      await sleep(2_500);
      expect(swapped, 'the page found no root to empty').toBe(false);
      expect((await bannerFrames(b, page)).length, 'the real banner frame is still there').toBe(1);
      expect(since(from)).toEqual([]);
      await page.close();
      step('custom element');
    },
    LONG,
  );
});
