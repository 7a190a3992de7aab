// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"disableJavaScriptEvaluation":true,"disableJavaScriptFileLoading":true,"disableCSSFileLoading":true,"handleDisabledFileLoadingAsSuccess":true}}
/**
 * Compose on the captured Roundcube pages (plain and TinyMCE) and on the Gmail
 * fixture: one Encrypt button per compose however often the page mutates,
 * compose:open with the webmail's recipients, the overlay, and compose:insert.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRuntime } from '../../src/content/runtime';
import { ARMOR_BEGIN, PLACEHOLDER_SUBJECT } from '../../src/crypto/armor';
import { gmail } from '../../src/providers/gmail';
import { roundcube } from '../../src/providers/roundcube';
import { EXTENSION, fakeDeps, fillFrame, fixturePage, recordShadowRoots, settle } from './helpers';

const ARMORED = `Preface.\n\n${ARMOR_BEGIN}\nAAAABBBBCCCC\nDDDD\n-----END CIPHERPOST MESSAGE-----\n`;

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

function roundcubeCompose(page: 'compose-plain' | 'compose-html') {
  const doc = fixturePage('roundcube', page);
  (doc.querySelector('#_to') as HTMLTextAreaElement).value =
    'Alice Example <alice@example.test>, "Doe, Carol" <carol@example.test>, ';
  (doc.querySelector('#_bcc') as HTMLTextAreaElement).value = 'dave@example.test';
  const deps = fakeDeps();
  const runtime = startRuntime(doc, roundcube, deps, controller.signal);
  return { doc, deps, runtime };
}

describe('Encrypt button', () => {
  it('one per compose, after Send, in a closed shadow root, however often the page mutates', async () => {
    const { doc, deps, runtime } = roundcubeCompose('compose-plain');
    const hosts = () => doc.querySelectorAll('cipherpost-encrypt');
    expect(hosts()).toHaveLength(1);
    const host = hosts()[0] as HTMLElement;
    expect(host.previousElementSibling?.matches('button.btn.send')).toBe(true);
    expect(host.shadowRoot).toBeNull();
    expect(shadows.get(host)?.querySelector('button')?.textContent).toBe('[content_encrypt]');
    for (let i = 0; i < 5; i++) {
      doc.body.append(doc.createElement('div'));
      runtime.pass();
    }
    await settle();
    deps.flush();
    expect(hosts()).toHaveLength(1);
    // The webmail re-renders its toolbar: the button comes back, once.
    host.remove();
    doc.body.append(doc.createElement('span'));
    await settle();
    deps.flush();
    expect(hosts()).toHaveLength(1);
  });

  it('mutations are batched: many in one tick make one deferred pass', async () => {
    const { doc, deps } = roundcubeCompose('compose-plain');
    const defer = vi.spyOn(deps, 'defer');
    // Separate ticks: the observer fires each time, the pass is still deferred once.
    for (let i = 0; i < 5; i++) {
      doc.body.append(doc.createElement('p'));
      await settle(1);
    }
    expect(defer).toHaveBeenCalledTimes(1);
    deps.flush();
    for (let i = 0; i < 20; i++) doc.body.append(doc.createElement('p'));
    await settle();
    expect(defer).toHaveBeenCalledTimes(2);
  });

  it('a click the page synthesizes opens nothing', async () => {
    const { doc, deps } = roundcubeCompose('compose-plain');
    const host = doc.querySelector('cipherpost-encrypt') as HTMLElement;
    host.click();
    shadows.get(host)!.querySelector('button')!.click(); // not trusted either
    await settle();
    expect(deps.sent.filter((m) => m.type === 'compose:open')).toEqual([]);
  });
});

describe('compose:open and the overlay', () => {
  it("sends the webmail's recipients and lays compose.html#ticket over the compose area", async () => {
    const { doc, deps, runtime } = roundcubeCompose('compose-plain');
    const root = doc.querySelector('#compose-content')!;
    expect(await runtime.compose.openFor(root)).toBe('t1');
    expect(deps.sent.find((m) => m.type === 'compose:open')).toEqual({
      type: 'compose:open',
      provider: 'roundcube',
      window: 'frame',
      to: ['alice@example.test', 'carol@example.test'],
      cc: [],
      bcc: ['dave@example.test'],
      canAttach: true,
    });
    const overlay = doc.querySelector('cipherpost-compose') as HTMLElement;
    expect(overlay.parentElement).toBe(doc.documentElement);
    expect(overlay.style.getPropertyValue('position')).toBe('fixed');
    expect(overlay.shadowRoot).toBeNull();
    const frame = shadows.get(overlay)!.querySelector('iframe')!;
    expect(frame.getAttribute('src')).toBe(`${EXTENSION}/compose.html#t1`);
    // A second click on the same compose does not open another.
    expect(await runtime.compose.openFor(root)).toBeNull();
    expect(doc.querySelectorAll('cipherpost-compose')).toHaveLength(1);
    // compose:close removes it.
    expect(await runtime.handle({ type: 'compose:close', ticket: 't1' })).toEqual({
      ok: true,
      value: { closed: true },
    });
    expect(doc.querySelector('cipherpost-compose')).toBeNull();
  });

  it('the recipients as Roundcube itself left them in the captured page (typed into its token input)', async () => {
    const doc = fixturePage('roundcube', 'compose-plain');
    const deps = fakeDeps();
    const runtime = startRuntime(doc, roundcube, deps, controller.signal);
    await runtime.compose.openFor(doc.querySelector('#compose-content')!);
    expect(deps.sent.find((m) => m.type === 'compose:open')).toMatchObject({
      to: ['alice@example.test', 'carol@example.test'],
      cc: [],
      bcc: [],
    });
  });

  it('a compose that appears after Reply in our reader opens the secure compose by itself, once', async () => {
    const doc = fixturePage('roundcube', 'compose-plain');
    const deps = fakeDeps();
    deps.seeded = true;
    startRuntime(doc, roundcube, deps, controller.signal);
    await settle();
    expect(deps.sent.filter((m) => m.type === 'compose:seeded')).toHaveLength(1);
    expect(deps.sent.filter((m) => m.type === 'compose:open')).toHaveLength(1);
    expect(doc.querySelectorAll('cipherpost-compose')).toHaveLength(1);
    // Later passes over the same compose neither ask again nor open a second frame.
    doc.body.append(doc.createElement('p'));
    await settle();
    deps.flush();
    await settle();
    expect(deps.sent.filter((m) => m.type === 'compose:seeded')).toHaveLength(1);
    expect(doc.querySelectorAll('cipherpost-compose')).toHaveLength(1);
  });

  it('without a reply waiting, a compose only gets the Encrypt button', async () => {
    const { doc, deps } = roundcubeCompose('compose-plain');
    await settle();
    expect(deps.sent.filter((m) => m.type === 'compose:seeded')).toHaveLength(1);
    expect(deps.sent.filter((m) => m.type === 'compose:open')).toEqual([]);
    expect(doc.querySelector('cipherpost-compose')).toBeNull();
  });

  it('nothing is drawn when the background refuses', async () => {
    const { doc, deps, runtime } = roundcubeCompose('compose-plain');
    deps.fail.add('compose:open');
    expect(await runtime.compose.openFor(doc.querySelector('#compose-content')!)).toBeNull();
    expect(doc.querySelector('cipherpost-compose')).toBeNull();
  });
});

describe('compose:insert', () => {
  it('Roundcube plain: body, subject, events, overlay gone, Send pressed', async () => {
    const { doc, runtime } = roundcubeCompose('compose-plain');
    await runtime.compose.openFor(doc.querySelector('#compose-content')!);
    const body = doc.querySelector('#composebody') as HTMLTextAreaElement;
    const events: string[] = [];
    body.addEventListener('input', () => events.push('input'));
    body.addEventListener('change', () => events.push('change'));
    const send = doc.querySelector('.formbuttons button.send') as HTMLButtonElement;
    const pressed = vi.fn();
    send.addEventListener('click', pressed);
    const answer = await runtime.handle({
      type: 'compose:insert',
      ticket: 't1',
      body: ARMORED,
      subject: PLACEHOLDER_SUBJECT,
      send: true,
    });
    expect(answer).toEqual({ ok: true, value: { inserted: true, sent: true } });
    expect(body.value).toBe(ARMORED);
    expect(events).toEqual(['input', 'change']);
    expect((doc.querySelector('#compose-subject') as HTMLInputElement).value).toBe(PLACEHOLDER_SUBJECT);
    expect(pressed).toHaveBeenCalledTimes(1);
    expect(doc.querySelector('cipherpost-compose')).toBeNull();
  });

  it('Roundcube HTML (TinyMCE): a <pre> of the text, never parsed as HTML; the textarea untouched', async () => {
    const { doc, runtime } = roundcubeCompose('compose-html');
    const editor = fillFrame(
      doc,
      'iframe#composebody_ifr',
      '<!DOCTYPE html><html><body id="tinymce" class="mce-content-body" contenteditable="true"><p><br></p></body></html>',
    ).body;
    const inputs = vi.fn();
    editor.addEventListener('input', inputs);
    await runtime.compose.openFor(doc.querySelector('#compose-content')!);
    const hostile = `<img src=x onerror="alert(1)">\n${ARMORED}`;
    const answer = await runtime.handle({
      type: 'compose:insert',
      ticket: 't1',
      body: hostile,
      subject: PLACEHOLDER_SUBJECT,
      send: false,
    });
    expect(answer).toEqual({ ok: true, value: { inserted: true, sent: false } });
    expect(editor.children).toHaveLength(1);
    expect(editor.firstElementChild?.tagName).toBe('PRE');
    expect(editor.textContent).toBe(hostile);
    expect(editor.querySelector('img')).toBeNull();
    expect(inputs).toHaveBeenCalled();
    expect((doc.querySelector('#composebody') as HTMLTextAreaElement).value).toBe('');
  });

  it('Gmail contenteditable: one line per <div>, <br> for empty lines', async () => {
    const doc = fixturePage('gmail', 'compose');
    const deps = fakeDeps();
    const runtime = startRuntime(doc, gmail, deps, controller.signal);
    expect(doc.querySelectorAll('cipherpost-encrypt')).toHaveLength(1);
    await runtime.compose.openFor(doc.querySelector('.I5')!);
    expect(deps.sent[deps.sent.length - 1]).toMatchObject({
      to: ['alice@example.com', 'carol@example.com'],
      canAttach: true,
    });
    const answer = await runtime.handle({
      type: 'compose:insert',
      ticket: 't1',
      body: ARMORED,
      subject: PLACEHOLDER_SUBJECT,
      send: false,
    });
    expect(answer.ok).toBe(true);
    const editor = doc.querySelector('.Am.Al')!;
    const lines = [...editor.children].map((div) => (div.querySelector('br') ? '' : div.textContent));
    expect(lines).toEqual(ARMORED.split('\n'));
    expect((doc.querySelector('input.aoT') as HTMLInputElement).value).toBe(PLACEHOLDER_SUBJECT);
  });

  it('a big message: the .cipherpost file goes into the upload input; Send waits for the upload', async () => {
    const { doc, runtime } = roundcubeCompose('compose-plain');
    await runtime.compose.openFor(doc.querySelector('#compose-content')!);
    const input = doc.querySelector('#uploadform input[type=file]') as HTMLInputElement;
    const uploads: { name: string; type: string; text: string }[] = [];
    input.addEventListener('change', async () => {
      const file = input.files![0]!;
      uploads.push({ name: file.name, type: file.type, text: await file.text() });
      // What Roundcube shows once the upload is done.
      const li = doc.createElement('li');
      li.id = 'rcmfile1';
      doc.querySelector('#attachment-list')!.append(li);
    });
    const pressed = vi.fn();
    doc.querySelector('.formbuttons button.send')!.addEventListener('click', pressed);
    const answer = await runtime.handle({
      type: 'compose:insert',
      ticket: 't1',
      body: 'This message is in the attached file message.cipherpost.',
      subject: PLACEHOLDER_SUBJECT,
      attachment: { name: 'message.cipherpost', text: ARMORED },
      send: true,
    });
    expect(answer).toEqual({ ok: true, value: { inserted: true, sent: true } });
    expect(uploads).toEqual([
      { name: 'message.cipherpost', type: 'application/octet-stream', text: ARMORED },
    ]);
    expect(pressed).toHaveBeenCalledTimes(1);
  });

  it('an upload that never finishes: not delivered, Send not pressed', async () => {
    const { doc, runtime } = roundcubeCompose('compose-plain');
    await runtime.compose.openFor(doc.querySelector('#compose-content')!);
    const pressed = vi.fn();
    doc.querySelector('.formbuttons button.send')!.addEventListener('click', pressed);
    const answer = await runtime.handle({
      type: 'compose:insert',
      ticket: 't1',
      body: 'notice',
      subject: PLACEHOLDER_SUBJECT,
      attachment: { name: 'message.cipherpost', text: ARMORED },
      send: true,
    });
    expect(answer).toMatchObject({ ok: false, code: 'not-delivered' });
    expect(pressed).not.toHaveBeenCalled();
  });

  it('an unknown ticket, or a compose the webmail closed, is not delivered', async () => {
    const { doc, runtime, deps } = roundcubeCompose('compose-plain');
    const insert = { type: 'compose:insert', ticket: 't1', body: ARMORED, subject: 's', send: true } as const;
    expect(await runtime.handle(insert)).toMatchObject({ ok: false, code: 'not-delivered' });
    await runtime.compose.openFor(doc.querySelector('#compose-content')!);
    doc.querySelector('#compose-content')!.remove();
    expect(await runtime.handle(insert)).toMatchObject({ ok: false, code: 'not-delivered' });
    // The next pass drops the overlay of the closed compose.
    runtime.pass();
    deps.flush();
    expect(doc.querySelector('cipherpost-compose')).toBeNull();
  });

  it('an editor that does not keep the text is an error, not a silent success', async () => {
    const { doc, runtime } = roundcubeCompose('compose-plain');
    await runtime.compose.openFor(doc.querySelector('#compose-content')!);
    const body = doc.querySelector('#composebody') as HTMLTextAreaElement;
    // A webmail that rewrites the body on input (drops what we wrote).
    body.addEventListener('input', () => {
      body.value = '';
    });
    const pressed = vi.fn();
    doc.querySelector('.formbuttons button.send')!.addEventListener('click', pressed);
    expect(
      await runtime.handle({ type: 'compose:insert', ticket: 't1', body: ARMORED, subject: 's', send: true }),
    ).toMatchObject({ ok: false, code: 'not-delivered' });
    expect(pressed).not.toHaveBeenCalled();
  });
});

describe('teardown', () => {
  it('abort removes every host and stops watching', async () => {
    const { doc, deps, runtime } = roundcubeCompose('compose-plain');
    await runtime.compose.openFor(doc.querySelector('#compose-content')!);
    expect(doc.querySelectorAll('cipherpost-encrypt, cipherpost-compose')).toHaveLength(2);
    controller.abort();
    expect(doc.querySelectorAll('cipherpost-encrypt, cipherpost-compose')).toHaveLength(0);
    doc.body.append(doc.createElement('div'));
    await settle();
    deps.flush();
    runtime.pass();
    expect(doc.querySelectorAll('cipherpost-encrypt')).toHaveLength(0);
  });
});
