// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"disableJavaScriptEvaluation":true,"disableJavaScriptFileLoading":true,"disableCSSFileLoading":true,"handleDisabledFileLoadingAsSuccess":true}}
/**
 * Generic mode on a page that is no webmail: armored messages in the page text
 * become reader frames (public keys and text the user is editing do not), and
 * the compose button writes into the field it was shown for.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { composeField, findArmorRoots, isLargeField } from '../../src/content/generic';
import { startRuntime } from '../../src/content/runtime';
import { ARMOR_BEGIN, ARMOR_END } from '../../src/crypto/armor';
import { generic } from '../../src/providers/generic';
import { fakeDeps, fixturePage, recordShadowRoots, settle } from './helpers';

const ARMORED = `${ARMOR_BEGIN}\nQUJD\n${ARMOR_END}`;

let controller: AbortController;
beforeEach(() => {
  controller = new AbortController();
  recordShadowRoots();
});
afterEach(() => {
  controller.abort();
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

function start() {
  const doc = fixturePage('generic', 'page');
  const deps = fakeDeps();
  const runtime = startRuntime(doc, generic, deps, controller.signal);
  return { doc, deps, runtime };
}

describe('generic reading', () => {
  it('the message block, not the public key, once, in place of its <pre>', async () => {
    const { doc, deps, runtime } = start();
    await settle();
    for (let i = 0; i < 3; i++) {
      doc.body.append(doc.createElement('p'));
      runtime.pass();
      await settle();
    }
    const stages = deps.sent.filter((m) => m.type === 'reader:stage');
    expect(stages).toHaveLength(1);
    expect(stages[0]).toMatchObject({ from: '', source: 'body' });
    const host = doc.querySelector('cipherpost-reader')!;
    expect(host.nextElementSibling?.matches('pre.code')).toBe(true);
    expect(doc.querySelectorAll('cipherpost-reader')).toHaveLength(1);
  });

  it('text the user is editing is never replaced', () => {
    const doc = fixturePage('generic', 'page');
    const editor = doc.createElement('div');
    editor.setAttribute('contenteditable', 'true');
    editor.textContent = ARMORED;
    const area = doc.querySelector('textarea')!;
    area.textContent = ARMORED;
    doc.body.append(editor);
    expect(findArmorRoots(doc.body).map((el) => el.className)).toEqual(['code']);
  });

  it('a block split over several elements: the smallest element holding both markers', () => {
    const doc = fixturePage('generic', 'page');
    const post = doc.createElement('div');
    post.className = 'split';
    for (const line of ARMORED.split('\n')) {
      const p = doc.createElement('p');
      p.textContent = line;
      post.append(p);
    }
    doc.body.append(post);
    expect(findArmorRoots(doc.body).map((el) => el.className)).toEqual(['code', 'split']);
  });
});

describe('generic compose', () => {
  it('composeField: textareas and the outermost contenteditable; isLargeField: not a search box', () => {
    const doc = fixturePage('generic', 'page');
    const outer = doc.createElement('div');
    outer.setAttribute('contenteditable', 'true');
    const inner = doc.createElement('p');
    outer.append(inner);
    doc.body.append(outer);
    expect(composeField(doc.querySelector('textarea'))).toBe(doc.querySelector('textarea'));
    expect(composeField(inner)).toBe(outer);
    expect(composeField(doc.querySelector('input[type=search]'))).toBeNull();
    expect(isLargeField({ width: 500, height: 120 })).toBe(true);
    expect(isLargeField({ width: 500, height: 30 })).toBe(false);
  });

  it('the lock button appears on focus of a large field, and opens a standalone compose', async () => {
    const { doc, deps, runtime } = start();
    const area = doc.querySelector('textarea')!;
    vi.spyOn(area, 'getBoundingClientRect').mockReturnValue({
      left: 10,
      top: 10,
      right: 510,
      bottom: 170,
      width: 500,
      height: 160,
      x: 10,
      y: 10,
      toJSON: () => ({}),
    });
    area.focus();
    area.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
    expect(doc.querySelectorAll('cipherpost-lock')).toHaveLength(1);
    const ticket = await runtime.generic!.openFor(area);
    expect(ticket).toMatch(/^t\d+$/);
    // Clicking the button hides it.
    expect(doc.querySelectorAll('cipherpost-lock')).toHaveLength(0);
    expect(deps.sent.find((m) => m.type === 'compose:open')).toEqual({
      type: 'compose:open',
      provider: 'generic',
      window: 'standalone',
      to: [],
      cc: [],
      bcc: [],
      canAttach: false,
    });
    expect(
      await runtime.handle({
        type: 'compose:insert',
        ticket: ticket!,
        body: ARMORED,
        subject: 's',
        send: true,
      }),
    ).toEqual({ ok: true, value: { inserted: true, sent: false } });
    expect(area.value).toBe(ARMORED);
    // The page does not replace what the user is sending.
    runtime.pass();
    await settle();
    expect(deps.sent.filter((m) => m.type === 'reader:stage')).toHaveLength(1);
  });

  it('no field, or the field is gone: not-delivered (the standalone window copies to the clipboard)', async () => {
    const { doc, runtime } = start();
    const insert = {
      type: 'compose:insert',
      ticket: 't9',
      body: ARMORED,
      subject: 's',
      send: false,
    } as const;
    expect(await runtime.handle(insert)).toMatchObject({ ok: false, code: 'not-delivered' });
    const area = doc.querySelector('textarea')!;
    await runtime.generic!.openFor(area);
    area.remove();
    expect(await runtime.handle(insert)).toMatchObject({ ok: false, code: 'not-delivered' });
  });

  it('a contenteditable field gets one <div> per line', async () => {
    const { doc, runtime } = start();
    const editor = doc.createElement('div');
    editor.setAttribute('contenteditable', 'true');
    doc.body.append(editor);
    await runtime.generic!.openFor(editor);
    expect(
      await runtime.handle({ type: 'compose:insert', ticket: 't1', body: ARMORED, subject: '', send: false }),
    ).toMatchObject({ ok: true });
    expect([...editor.children].map((d) => d.textContent)).toEqual(ARMORED.split('\n'));
  });
});
