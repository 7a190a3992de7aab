// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"disableJavaScriptEvaluation":true,"disableJavaScriptFileLoading":true,"disableCSSFileLoading":true,"handleDisabledFileLoadingAsSuccess":true}}
/**
 * Remote content in opened messages (issue 6) through the content runtime, on the
 * captured Roundcube page with its preview frame and on the Gmail fixture: one
 * privacy:scan per body with the neutralised URLs and the sender facts; the
 * banner `<cipherpost-banner>` (closed shadow root, banner.html?t=<ticket>) right
 * above the body; privacy:restore puts the exact originals back; a page that
 * hides, restyles or removes the banner gets a fresh one (a few times), logged.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clampBannerHeight } from '../../src/content/remote-content';
import { startRuntime } from '../../src/content/runtime';
import type { Message, SenderFacts } from '../../src/messaging/messages';
import { gmail } from '../../src/providers/gmail';
import { roundcube } from '../../src/providers/roundcube';
import { fixtureHtml } from '../providers/fixtures';
import {
  EXTENSION,
  type FakeDeps,
  fakeDeps,
  fillFrame,
  fixturePage,
  recordShadowRoots,
  settle,
} from './helpers';

let controller: AbortController;
let shadows: Map<Element, ShadowRoot>;
beforeEach(() => {
  controller = new AbortController();
  shadows = recordShadowRoots();
});
afterEach(() => {
  controller.abort();
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

type Scan = Extract<Message, { type: 'privacy:scan' }>;
const scans = (sent: Message[]) => sent.filter((m): m is Scan => m.type === 'privacy:scan');

const HTML_PART =
  '<div class="message-htmlpart"><p>Hello</p><img id="pixel" src="https://t.example/open.gif?u=1" width="1" height="1">' +
  '<img id="logo" src="cid:logo@shop.example"><div id="bg" style="background:url(//t.example/bg.png)">sale</div></div>';

/** Answers privacy:scan like the background: tickets p1, p2, ...; `show`/`loaded` as set. */
function privacyBackground(deps: FakeDeps, answer: { show: boolean; loaded: 'none' | 'once' | 'sender' }) {
  let n = 0;
  const send = deps.send;
  deps.send = (async (m: Message) => {
    if (m.type !== 'privacy:scan') return send(m);
    deps.sent.push(m);
    if (deps.fail.has(m.type)) return { ok: false, code: 'internal', message: 'no' };
    return { ok: true, value: { ticket: `p${++n}`, ...answer } };
  }) as FakeDeps['send'];
}

function roundcubeMessage(
  options: {
    answer?: { show: boolean; loaded: 'none' | 'once' | 'sender' };
    facts?: SenderFacts | 'throw';
    log?: string[];
  } = {},
) {
  const doc = fixturePage('roundcube', 'mail-list');
  const deps = fakeDeps();
  privacyBackground(deps, options.answer ?? { show: true, loaded: 'none' });
  const log = options.log ?? [];
  const runtime = startRuntime(doc, roundcube, deps, controller.signal, {
    gatherFacts: async () => {
      if (options.facts === 'throw') throw new Error('viewsource failed');
      return options.facts ?? null;
    },
    log: (m) => log.push(m),
  });
  const preview = fillFrame(doc, 'iframe#messagecontframe', fixtureHtml('roundcube', 'preview'));
  preview.querySelector('#messagebody')!.innerHTML = HTML_PART;
  return { doc, deps, runtime, preview, log };
}

const bannerOf = (doc: Document) => doc.querySelector('cipherpost-banner') as HTMLElement | null;
const frameOf = (host: Element) => shadows.get(host)!.querySelector('iframe')!;

describe('Roundcube preview', () => {
  it('neutralises the body, sends one privacy:scan, and draws the banner above the body', async () => {
    const { deps, runtime, preview } = roundcubeMessage();
    const before = preview.querySelector('#messagebody')!.innerHTML;
    runtime.pass();
    // The DOM pass is synchronous: nothing remote is left before any answer.
    const pixel = preview.querySelector('#pixel')!;
    expect(pixel.hasAttribute('src')).toBe(false);
    expect(pixel.getAttribute('data-cipherpost-src')).toBe('https://t.example/open.gif?u=1');
    expect(preview.querySelector('#logo')!.getAttribute('src')).toBe('cid:logo@shop.example');
    await settle();

    const [scan, ...more] = scans(deps.sent);
    expect(more).toEqual([]);
    expect(scan).toEqual({
      type: 'privacy:scan',
      provider: 'roundcube',
      // No header facts (gatherFacts answered null): the From the page shows.
      facts: {
        source: 'dom',
        fromName: 'Alice',
        fromAddress: 'alice@example.test',
        replyTo: [],
        sender: '',
        returnPath: '',
        authResults: [],
      },
      remote: ['https://t.example/open.gif?u=1', 'http://t.example/bg.png'],
    });

    const host = bannerOf(preview)!;
    expect(host.nextElementSibling).toBe(preview.querySelector('#messagebody'));
    expect(host.shadowRoot).toBeNull();
    expect(frameOf(host).getAttribute('src')).toBe(`${EXTENSION}/banner.html?t=p1`);
    expect(frameOf(host).title).toBe('[content_banner_title]');

    // Mutations and passes: no second scan, no second banner.
    for (let i = 0; i < 5; i++) {
      preview.body.append(preview.createElement('div'));
      runtime.pass();
      await settle();
      deps.flush();
    }
    expect(scans(deps.sent)).toHaveLength(1);
    expect(preview.querySelectorAll('cipherpost-banner')).toHaveLength(1);

    // frame:resize with the banner's ticket sizes the banner frame (clamped).
    expect(await runtime.handle({ type: 'frame:resize', ticket: 'p1', height: 130 })).toEqual({
      ok: true,
      value: { resized: true },
    });
    expect(frameOf(host).style.getPropertyValue('height')).toBe('130px');
    expect(clampBannerHeight(1)).toBe(32);
    expect(clampBannerHeight(1e9)).toBe(1200);

    // privacy:restore: the exact originals, once the background allowed them.
    expect(await runtime.handle({ type: 'privacy:restore', ticket: 'nope' })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
    expect(await runtime.handle({ type: 'privacy:restore', ticket: 'p1' })).toEqual({
      ok: true,
      value: { restored: true },
    });
    expect(preview.querySelector('#messagebody')!.innerHTML).toBe(before);
    // Restoring twice changes nothing.
    await runtime.handle({ type: 'privacy:restore', ticket: 'p1' });
    expect(preview.querySelector('#messagebody')!.innerHTML).toBe(before);
  });

  it('content allowed in the preview frame: leaving that frame drops the allow rules (privacy:leave)', async () => {
    const { deps, runtime, preview } = roundcubeMessage();
    runtime.pass();
    await settle();
    const leaves = () => deps.sent.filter((m) => m.type === 'privacy:leave');
    preview.defaultView!.dispatchEvent(new Event('beforeunload'));
    expect(leaves()).toEqual([]);
    await runtime.handle({ type: 'privacy:restore', ticket: 'p1' });
    preview.defaultView!.dispatchEvent(new Event('beforeunload'));
    preview.defaultView!.dispatchEvent(new Event('beforeunload'));
    expect(leaves()).toEqual([{ type: 'privacy:leave' }]);
  });

  it('a click or key in the webmail outside the message frame (the list loading the next one) leaves at once', async () => {
    const { doc, deps, runtime, preview } = roundcubeMessage();
    runtime.pass();
    await settle();
    const leaves = () => deps.sent.filter((m) => m.type === 'privacy:leave');
    await runtime.handle({ type: 'privacy:restore', ticket: 'p1' });
    // Inside the message frame: not leaving.
    preview.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    expect(leaves()).toEqual([]);
    doc.querySelector('#messagelist')!.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    doc.body.dispatchEvent(new Event('keydown', { bubbles: true }));
    preview.defaultView!.dispatchEvent(new Event('beforeunload'));
    expect(leaves()).toEqual([{ type: 'privacy:leave' }]);
  });

  it('restoring a video or audio makes it choose its source again', async () => {
    const { runtime, preview } = roundcubeMessage();
    preview.querySelector('#messagebody')!.innerHTML =
      '<video poster="https://t.example/p.gif"><source src="https://t.example/v.webm"></video><audio src="https://t.example/a.mp3"></audio>';
    const load = vi.spyOn(preview.defaultView!.HTMLMediaElement.prototype, 'load');
    runtime.pass();
    await settle();
    expect(load).not.toHaveBeenCalled();
    await runtime.handle({ type: 'privacy:restore', ticket: 'p1' });
    expect(load).toHaveBeenCalledTimes(2);
    expect(preview.querySelector('source')!.getAttribute('src')).toBe('https://t.example/v.webm');
  });

  it('uses the header facts when they can be read, the DOM when reading throws', async () => {
    const facts: SenderFacts = {
      source: 'headers',
      fromName: 'Alice',
      fromAddress: 'alice@example.test',
      replyTo: ['x@evil.example'],
      sender: '',
      returnPath: 'bounce@example.test',
      authResults: ['mx.example.test; dmarc=pass'],
    };
    const a = roundcubeMessage({ facts });
    a.runtime.pass();
    await settle();
    expect(scans(a.deps.sent)[0]!.facts).toEqual(facts);
    controller.abort();
    controller = new AbortController();
    const b = roundcubeMessage({ facts: 'throw' });
    b.runtime.pass();
    await settle();
    expect(scans(b.deps.sent)[0]!.facts.source).toBe('dom');
  });

  it('an always-allowed sender (loaded: sender) gets the originals back at once', async () => {
    const { runtime, preview } = roundcubeMessage({ answer: { show: true, loaded: 'sender' } });
    runtime.pass();
    await settle();
    expect(preview.querySelector('#pixel')!.getAttribute('src')).toBe('https://t.example/open.gif?u=1');
    expect(bannerOf(preview)).not.toBeNull();
  });

  it('no banner when the background says there is nothing to show', async () => {
    const { deps, runtime, preview } = roundcubeMessage({ answer: { show: false, loaded: 'none' } });
    runtime.pass();
    await settle();
    expect(scans(deps.sent)).toHaveLength(1);
    expect(bannerOf(preview)).toBeNull();
    // Still neutralised: the banner is a choice, blocking is the default.
    expect(preview.querySelector('#pixel')!.hasAttribute('src')).toBe(false);
  });

  it('a failed scan is tried again on later passes, three times at most', async () => {
    const { deps, runtime } = roundcubeMessage();
    deps.fail.add('privacy:scan');
    for (let i = 0; i < 5; i++) {
      runtime.pass();
      await settle();
    }
    expect(scans(deps.sent)).toHaveLength(3);
  });

  it('the next message in the same preview frame gets its own scan and banner', async () => {
    const { doc, deps, runtime, preview } = roundcubeMessage();
    runtime.pass();
    await settle();
    const next = fillFrame(doc, 'iframe#messagecontframe', fixtureHtml('roundcube', 'preview'));
    expect(next).toBe(preview);
    next.querySelector('#messagebody')!.innerHTML = '<img src="https://t.example/second.gif">';
    runtime.pass();
    await settle();
    expect(scans(deps.sent).map((s) => s.sheets)).toEqual([undefined, undefined]);
    expect(scans(deps.sent).map((s) => s.remote)).toEqual([
      ['https://t.example/open.gif?u=1', 'http://t.example/bg.png'],
      ['https://t.example/second.gif'],
    ]);
    expect(next.querySelectorAll('cipherpost-banner')).toHaveLength(1);
    expect(frameOf(bannerOf(next)!).getAttribute('src')).toBe(`${EXTENSION}/banner.html?t=p2`);
    // The old ticket's message is gone.
    expect(await runtime.handle({ type: 'privacy:restore', ticket: 'p1' })).toMatchObject({ ok: false });
  });

  it('the previous message’s document being dead (Firefox) does not stop the next scan', async () => {
    const { doc, deps, runtime, preview } = roundcubeMessage();
    runtime.pass();
    await settle();
    const oldBody = preview.querySelector('#messagebody')!;
    const oldHost = bannerOf(preview)!;
    // Firefox: "can't access dead object" for nodes of a document navigated away.
    const dead = () => {
      throw new TypeError("can't access dead object");
    };
    Object.defineProperty(oldBody, 'isConnected', { get: dead });
    Object.defineProperty(oldHost, 'remove', { value: dead });
    const next = fillFrame(doc, 'iframe#messagecontframe', fixtureHtml('roundcube', 'preview'));
    next.querySelector('#messagebody')!.innerHTML = '<img src="https://t.example/second.gif">';
    runtime.pass();
    await settle();
    expect(scans(deps.sent)).toHaveLength(2);
    expect(next.querySelector('#messagebody img')!.hasAttribute('src')).toBe(false);
    runtime.remote.checkAll();
  });

  it('stop() removes the banner', async () => {
    const { runtime, preview } = roundcubeMessage();
    runtime.pass();
    await settle();
    controller.abort();
    expect(bannerOf(preview)).toBeNull();
  });
});

describe('a hostile page and the banner', () => {
  async function opened() {
    const log: string[] = [];
    const m = roundcubeMessage({ log });
    m.runtime.pass();
    await settle();
    return { ...m, log };
  }

  for (const [name, tamper] of [
    ['inline display none', (h: HTMLElement) => h.style.setProperty('display', 'none', 'important')],
    [
      'opacity 0',
      (h: HTMLElement) => h.setAttribute('style', `${h.getAttribute('style')}; opacity: 0 !important`),
    ],
    ['hidden attribute', (h: HTMLElement) => h.setAttribute('hidden', '')],
    ['class added', (h: HTMLElement) => h.classList.add('gone')],
    ['removed', (h: HTMLElement) => h.remove()],
    ['moved away', (h: HTMLElement) => h.ownerDocument.body.append(h)],
  ] as const) {
    it(`${name}: detected, a fresh banner with a fresh ticket, logged`, async () => {
      const { runtime, preview, deps, log } = await opened();
      const first = bannerOf(preview)!;
      tamper(first);
      // The observer on the host and its parent notices; the periodic check would too.
      await settle();
      runtime.remote.checkAll();
      await settle();
      expect(log[0]).toMatch(/tampered with the privacy banner/);
      expect(first.isConnected).toBe(false);
      const fresh = preview.querySelectorAll('cipherpost-banner');
      expect(fresh).toHaveLength(1);
      expect(fresh[0]).not.toBe(first);
      expect(fresh[0]!.nextElementSibling).toBe(preview.querySelector('#messagebody'));
      expect(frameOf(fresh[0]!).getAttribute('src')).toBe(`${EXTENSION}/banner.html?t=p2`);
      expect(scans(deps.sent)).toHaveLength(2);
    });
  }

  it('a page that keeps hiding it: three fresh banners, then it is logged and left', async () => {
    const { runtime, preview, deps, log } = await opened();
    for (let i = 0; i < 6; i++) {
      bannerOf(preview)?.remove();
      runtime.remote.checkAll();
      await settle();
    }
    expect(scans(deps.sent)).toHaveLength(4);
    expect(log.at(-1)).toMatch(/keeps hiding the privacy banner/);
    // Content stays blocked whatever happens to the banner.
    expect(preview.querySelector('#pixel')!.hasAttribute('src')).toBe(false);
  });

  it('the webmail closing the message is not tampering', async () => {
    const { runtime, preview, deps, log } = await opened();
    preview.querySelector('#messagebody')!.parentElement!.remove();
    runtime.remote.checkAll();
    await settle();
    expect(log).toEqual([]);
    expect(scans(deps.sent)).toHaveLength(1);
  });

  it('a periodic check runs while a banner is shown', async () => {
    const { preview, deps, log } = await opened();
    const host = bannerOf(preview)!;
    // A change the observers do not see: the computed style through a parent's
    // inline style is not a host mutation; the timer catches the host's own state.
    Object.defineProperty(host, 'isConnected', { value: false });
    deps.advance(1000);
    await settle();
    expect(log[0]).toMatch(/removed/);
  });
});

describe('Gmail', () => {
  it('scans the message body with the DOM From and draws the banner above it', async () => {
    const doc = fixturePage('gmail', 'message');
    const deps = fakeDeps();
    privacyBackground(deps, { show: true, loaded: 'none' });
    const body = doc.querySelector('.a3s.aiL')!;
    // Gmail shows proxied images: the proxy is remote (and blocked) like the tracker.
    body.insertAdjacentHTML(
      'beforeend',
      '<img src="https://ci3.googleusercontent.com/meips/ADKq_abc=s0-d-e1-ft#https://t.example/p.gif">',
    );
    startRuntime(doc, gmail, deps, controller.signal);
    await settle();
    const [scan] = scans(deps.sent);
    expect(scan!.provider).toBe('gmail');
    expect(scan!.facts.fromAddress).toBe('alice@example.com');
    expect(scan!.remote).toEqual([
      'https://ci3.googleusercontent.com/meips/ADKq_abc=s0-d-e1-ft#https://t.example/p.gif',
    ]);
    expect(bannerOf(doc)!.nextElementSibling).toBe(body);
  });
});
