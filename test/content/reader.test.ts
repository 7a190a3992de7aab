// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"disableJavaScriptEvaluation":true,"disableJavaScriptFileLoading":true,"disableCSSFileLoading":true,"handleDisabledFileLoadingAsSuccess":true}}
/**
 * Reading on the captured Roundcube pages (the list page with the message in its
 * same-origin preview frame, as in the browser) and on the Gmail, Outlook and
 * Yahoo fixtures: one reader:stage per block however often the page mutates, the
 * reader frame in a closed shadow root in the block's place, frame:resize,
 * `.cipherpost` attachments, and compose:start pressing the webmail's own button.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clampHeight } from '../../src/content/reader';
import { startRuntime } from '../../src/content/runtime';
import { findArmored } from '../../src/crypto/armor';
import type { Message } from '../../src/messaging/messages';
import { gmail } from '../../src/providers/gmail';
import { outlook } from '../../src/providers/outlook';
import { roundcube } from '../../src/providers/roundcube';
import type { ProviderSpec } from '../../src/providers/types';
import { yahoo } from '../../src/providers/yahoo';
import { fixtureHtml } from '../providers/fixtures';
import { EXTENSION, fakeDeps, fillFrame, fixturePage, recordShadowRoots, settle } from './helpers';

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

const stages = (sent: Message[]) =>
  sent.filter((m): m is Extract<Message, { type: 'reader:stage' }> => m.type === 'reader:stage');

function roundcubeWithPreview(page: 'preview' | 'preview-attachment', files: Record<string, string> = {}) {
  const doc = fixturePage('roundcube', 'mail-list');
  const deps = fakeDeps(files);
  const runtime = startRuntime(doc, roundcube, deps, controller.signal);
  const preview = fillFrame(doc, 'iframe#messagecontframe', fixtureHtml('roundcube', page));
  return { doc, deps, runtime, preview };
}

describe('Roundcube preview frame', () => {
  it('stages the block once, with the displayed From, and puts the reader frame in its place', async () => {
    const { deps, runtime, preview } = roundcubeWithPreview('preview');
    runtime.pass();
    await settle();
    const [stage, ...more] = stages(deps.sent);
    expect(more).toEqual([]);
    expect(stage).toMatchObject({ from: 'alice@example.test', source: 'body' });
    expect(stage!.armored).toMatch(
      /^-----BEGIN CIPHERPOST MESSAGE-----\n[\s\S]*-----END CIPHERPOST MESSAGE-----$/,
    );
    // The slice is what the strict parser reads (the fixture's block is well-formed base64).
    expect(findArmored(stage!.armored)[0]).toBeInstanceOf(Uint8Array);

    const host = preview.querySelector('cipherpost-reader') as HTMLElement;
    const holder = preview.querySelector('#messagebody div.pre') as HTMLElement;
    expect(host.nextElementSibling).toBe(holder);
    expect(holder.style.getPropertyValue('display')).toBe('none');
    expect(host.shadowRoot).toBeNull();
    const frame = shadows.get(host)!.querySelector('iframe')!;
    expect(frame.getAttribute('src')).toBe(`${EXTENSION}/reader.html#t1`);
    expect(frame.style.getPropertyValue('height')).toBe('160px');
    expect(frame.style.getPropertyValue('width')).toBe('100%');

    // Mutations, repeated passes: no second stage, no second frame.
    for (let i = 0; i < 5; i++) {
      preview.body.append(preview.createElement('div'));
      runtime.pass();
      await settle();
      deps.flush();
    }
    expect(stages(deps.sent)).toHaveLength(1);
    expect(preview.querySelectorAll('cipherpost-reader')).toHaveLength(1);

    // frame:resize sizes that frame, clamped to 60..20000.
    expect(await runtime.handle({ type: 'frame:resize', ticket: 't1', height: 480 })).toEqual({
      ok: true,
      value: { resized: true },
    });
    expect(frame.style.getPropertyValue('height')).toBe('480px');
    await runtime.handle({ type: 'frame:resize', ticket: 't1', height: 1e9 });
    expect(frame.style.getPropertyValue('height')).toBe('20000px');
    await runtime.handle({ type: 'frame:resize', ticket: 't1', height: 3 });
    expect(frame.style.getPropertyValue('height')).toBe('60px');
    expect(await runtime.handle({ type: 'frame:resize', ticket: 'nope', height: 300 })).toEqual({
      ok: true,
      value: { resized: false },
    });
  });

  it('the next message in the same frame is staged too', async () => {
    const { doc, deps, runtime } = roundcubeWithPreview('preview');
    runtime.pass();
    await settle();
    const again = fillFrame(doc, 'iframe#messagecontframe', fixtureHtml('roundcube', 'preview'));
    runtime.pass();
    await settle();
    expect(stages(deps.sent)).toHaveLength(2);
    expect(again.querySelectorAll('cipherpost-reader')).toHaveLength(1);
  });

  it('a .cipherpost attachment is fetched from the webmail and staged as an attachment', async () => {
    const { deps, runtime, preview } = roundcubeWithPreview('preview-attachment');
    const link = preview.querySelector('#attachment-list a.filename') as HTMLAnchorElement;
    const url = new URL(link.getAttribute('href')!, preview.baseURI).href;
    const text = '-----BEGIN CIPHERPOST MESSAGE-----\nAAAA\n-----END CIPHERPOST MESSAGE-----\n';
    deps.fetchText = vi.fn(async () => text);
    runtime.pass();
    await settle();
    runtime.pass();
    await settle();
    expect(deps.fetchText).toHaveBeenCalledTimes(1);
    expect(deps.fetchText).toHaveBeenCalledWith(url);
    expect(stages(deps.sent)).toEqual([
      { type: 'reader:stage', armored: text, from: 'alice@example.test', source: 'attachment' },
    ]);
    expect(preview.querySelectorAll('cipherpost-reader')).toHaveLength(1);
  });

  it('attachments on another origin are not fetched', async () => {
    const { deps, runtime, preview } = roundcubeWithPreview('preview-attachment');
    preview
      .querySelector('#attachment-list a.filename')!
      .setAttribute('href', 'https://evil.example/x.cipherpost');
    deps.fetchText = vi.fn(async () => '');
    runtime.pass();
    await settle();
    expect(deps.fetchText).not.toHaveBeenCalled();
  });
});

describe('compose:start presses the webmail reply buttons', () => {
  it.each([
    ['reply', 'reply'],
    ['reply-all', 'reply-all'],
    ['forward', 'forward'],
  ] as const)('%s', async (mode, cls) => {
    const { doc, runtime } = roundcubeWithPreview('preview');
    const button = doc.querySelector(`#toolbar-menu a.${cls}`)!;
    const pressed = vi.fn((e: Event) => e.preventDefault());
    button.addEventListener('click', pressed);
    expect(await runtime.handle({ type: 'compose:start', mode })).toEqual({
      ok: true,
      value: { started: true },
    });
    expect(pressed).toHaveBeenCalledTimes(1);
  });

  it('a disabled button is not pressed', async () => {
    const { doc, runtime } = roundcubeWithPreview('preview');
    doc.querySelector('#toolbar-menu a.reply')!.classList.add('disabled');
    expect(await runtime.handle({ type: 'compose:start', mode: 'reply' })).toMatchObject({
      ok: false,
      code: 'not-found',
    });
  });
});

describe('other providers', () => {
  const cases: [ProviderSpec, string][] = [
    [gmail, 'alice@example.com'],
    [outlook, 'alice@example.com'],
    [yahoo, 'alice@example.com'],
  ];
  it.each(cases.map(([spec, from]) => [spec.id, spec, from] as const))(
    '%s: one stage with the From, the frame in the block’s place',
    async (_, spec, from) => {
      const doc = fixturePage(spec.id, 'message');
      const deps = fakeDeps();
      const runtime = startRuntime(doc, spec, deps, controller.signal);
      await settle();
      runtime.pass();
      await settle();
      const bodyStages = stages(deps.sent).filter((s) => s.source === 'body');
      expect(bodyStages).toHaveLength(1);
      expect(bodyStages[0]!.from).toBe(from);
      expect(findArmored(bodyStages[0]!.armored)[0]).toBeInstanceOf(Uint8Array);
      const host = doc.querySelector('cipherpost-reader') as HTMLElement;
      expect(host).not.toBeNull();
      expect((host.nextElementSibling as HTMLElement).style.getPropertyValue('display')).toBe('none');
      // The attachment link (relative, same origin) was fetched once.
      expect(deps.fetched).toHaveLength(1);
    },
  );
});

describe('limits', () => {
  it('clampHeight', () => {
    expect(clampHeight(59)).toBe(60);
    expect(clampHeight(20_001)).toBe(20_000);
    expect(clampHeight(Number.NaN)).toBe(160);
    expect(clampHeight(300.4)).toBe(300);
  });

  it('abort restores what was hidden and removes the frames', async () => {
    const { runtime, preview } = roundcubeWithPreview('preview');
    runtime.pass();
    await settle();
    expect(preview.querySelectorAll('cipherpost-reader')).toHaveLength(1);
    controller.abort();
    expect(preview.querySelectorAll('cipherpost-reader')).toHaveLength(0);
    expect(
      (preview.querySelector('#messagebody div.pre') as HTMLElement).style.getPropertyValue('display'),
    ).toBe('');
  });
});

describe('a background that does not answer', () => {
  it('staging is tried again on later passes, at most three times', async () => {
    const { deps, runtime } = roundcubeWithPreview('preview');
    deps.fail.add('reader:stage');
    for (let i = 0; i < 6; i++) {
      runtime.pass();
      await settle();
    }
    expect(stages(deps.sent)).toHaveLength(3);
    deps.fail.delete('reader:stage');
  });
});
