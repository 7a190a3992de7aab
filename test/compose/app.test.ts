// @vitest-environment happy-dom
/**
 * The compose frame rendered with a stand-in background (issue 5): prefilled fields and
 * key badges, blocking on a recipient without a key, re-checking edited recipients,
 * what compose:send carries, autosave, and the standalone clipboard path.
 */
import { h, render } from 'preact';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ComposeContext, Message, RecipientView } from '../../src/messaging/messages';
import { fakeBackground, typeInto, waitFor } from '../reader/frame-harness';
import { disableHappyDomLoading, fixNodeNameGetter } from '../reader/happy-dom-fix';

const bg = vi.hoisted(() => ({
  current: null as null | ReturnType<typeof import('../reader/frame-harness').fakeBackground>,
}));
vi.mock('../../src/ui/api', () => ({
  call: (m: unknown) => bg.current!.call(m as never),
  errorText: (r: { code: string }) => `error_${r.code}`,
}));
vi.mock('../../src/ui/i18n', async () => ({ t: (await import('../reader/frame-harness')).fakeT }));

const { ComposeApp } = await import('../../src/compose/app');

const CONTEXT: ComposeContext = {
  ticket: 'C1',
  provider: 'roundcube',
  window: 'frame',
  from: 'alice@example.com',
  draft: {
    to: ['bob@example.com'],
    cc: [],
    bcc: [],
    subject: '',
    bodyType: 'text/plain',
    body: '',
    attachments: [],
  },
  recipients: [{ address: 'bob@example.com', status: 'verified', fingerprint: 'BBBB' }],
  canAttach: true,
};

const STATUS: Record<string, RecipientView['status']> = {
  'carol@example.com': 'directory-verified',
  'dave@example.com': 'no-key',
  'erin@example.com': 'unverified',
};

let root: HTMLElement;
const $ = <E extends Element = HTMLElement>(sel: string) => root.querySelector<E>(sel);
const badge = (addr: string) => $(`[data-recipient="${addr}"]`)?.getAttribute('data-status');

beforeAll(() => {
  disableHappyDomLoading(window);
  fixNodeNameGetter(window as Window & typeof globalThis);
});
beforeEach(() => {
  bg.current = fakeBackground();
  bg.current.answers.set('compose:get', { ok: true, value: CONTEXT });
  bg.current.answers.set('compose:recipients', (m: Message) => ({
    ok: true,
    value: (m as { addresses: string[] }).addresses.map((address) => ({
      address,
      status: STATUS[address] ?? 'unverified',
    })),
  }));
  bg.current.answers.set('compose:save-draft', { ok: true, value: { savedAt: 1 } });
  bg.current.answers.set('compose:send', {
    ok: true,
    value: { delivery: 'inline', inserted: true, sent: true },
  });
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
});

async function open(context: ComposeContext = CONTEXT) {
  bg.current!.answers.set('compose:get', { ok: true, value: context });
  render(h(ComposeApp, { ticket: 'C1' }), root);
  await waitFor(() => $('#compose')?.getAttribute('data-state') === 'ready');
}

describe('compose frame', () => {
  it('shows the prefilled recipients with their key status and lets a verified one through', async () => {
    await open();
    expect(bg.current!.of('compose:get')[0]).toEqual({ type: 'compose:get', ticket: 'C1' });
    expect($<HTMLInputElement>('#to')!.value).toBe('bob@example.com');
    expect(badge('bob@example.com')).toBe('verified');
    expect($('#blocked')).toBeNull();
    expect($<HTMLButtonElement>('#encrypt-send')!.disabled).toBe(false);
    for (const id of [
      '#cc',
      '#bcc',
      '#subject',
      '#body',
      '#mode-rich',
      '#mode-plain',
      '#attach',
      '#encrypt-insert',
      '#cancel',
    ])
      expect($(id), id).not.toBeNull();
  });

  it('re-checks edited recipients and blocks on one without a key', async () => {
    await open();
    typeInto($<HTMLInputElement>('#to')!, 'bob@example.com, dave@example.com');
    typeInto($<HTMLInputElement>('#cc')!, 'carol@example.com');
    await waitFor(() => badge('dave@example.com') === 'checking');
    expect($<HTMLButtonElement>('#encrypt-send')!.disabled).toBe(true);
    await waitFor(() => badge('dave@example.com') === 'no-key');
    expect(badge('carol@example.com')).toBe('directory-verified');
    expect(bg.current!.of('compose:recipients')).toEqual([
      { type: 'compose:recipients', addresses: ['dave@example.com', 'carol@example.com'] },
    ]);
    expect($('#blocked')?.textContent).toBe('compose_blocked_no_key(dave@example.com)');
    expect($<HTMLButtonElement>('#encrypt-send')!.disabled).toBe(true);
    expect($<HTMLButtonElement>('#encrypt-insert')!.disabled).toBe(true);
    // Removing the recipient lifts the block.
    $<HTMLButtonElement>('[data-recipient="dave@example.com"] button')!.click();
    await waitFor(() => $('#blocked') === null);
    expect($<HTMLButtonElement>('#encrypt-send')!.disabled).toBe(false);
  });

  it('shows why a status is what it is, a changed key loudest', async () => {
    bg.current!.answers.set('compose:recipients', {
      ok: true,
      value: [{ address: 'erin@example.com', status: 'unverified', note: 'key-changed' }],
    });
    await open();
    typeInto($<HTMLInputElement>('#to')!, 'erin@example.com');
    await waitFor(() => badge('erin@example.com') === 'unverified');
    const li = $('[data-recipient="erin@example.com"]')!;
    expect(li.getAttribute('data-note')).toBe('key-changed');
    expect(li.textContent).toContain('key_note_key_changed');
  });

  it('sends the draft as typed, plain text', async () => {
    await open();
    typeInto($<HTMLInputElement>('#subject')!, 'Hi');
    typeInto($<HTMLTextAreaElement>('#body')!, 'Secret text');
    await waitFor(() => $<HTMLTextAreaElement>('#body')!.value === 'Secret text');
    await new Promise((r) => setTimeout(r, 20)); // let Preact render the typed state
    $<HTMLButtonElement>('#encrypt-insert')!.click();
    await waitFor(() => bg.current!.of('compose:send').length === 1);
    expect(bg.current!.of('compose:send')[0]).toEqual({
      type: 'compose:send',
      ticket: 'C1',
      send: false,
      to: ['bob@example.com'],
      cc: [],
      bcc: [],
      subject: 'Hi',
      bodyType: 'text/plain',
      body: 'Secret text',
      attachments: [],
    });
  });

  it('sends rich text as sanitized HTML', async () => {
    await open({
      ...CONTEXT,
      draft: {
        ...CONTEXT.draft,
        bodyType: 'text/html',
        body: '<p>Quote <b>x</b><img src="https://t.example/p.gif"></p>',
      },
    });
    const editor = await waitFor(() => $('#body-rich'));
    await waitFor(() => editor.innerHTML !== '');
    expect(editor.innerHTML).toBe('<p>Quote <b>x</b></p>');
    editor.innerHTML += '<p onclick="alert(1)">more</p>';
    $<HTMLButtonElement>('#encrypt-send')!.click();
    await waitFor(() => bg.current!.of('compose:send').length === 1);
    const sent = bg.current!.of('compose:send')[0] as { bodyType: string; body: string; send: boolean };
    expect(sent.send).toBe(true);
    expect(sent.bodyType).toBe('text/html');
    expect(sent.body).toBe('<p>Quote <b>x</b></p><p>more</p>');
  });

  it('says which error stopped the send, in words', async () => {
    bg.current!.answers.set('compose:send', { ok: false, code: 'too-large-inline', message: 'x' });
    await open();
    $<HTMLButtonElement>('#encrypt-send')!.click();
    await waitFor(() => $('#compose-error'));
    expect($('#compose-error')?.getAttribute('data-code')).toBe('too-large-inline');
    expect($('#compose-error')?.textContent).toBe('compose_error_too_large_inline');
  });

  it('autosaves about 3 s after a change and says so', async () => {
    await open({ ...CONTEXT, resumedDraftAt: Date.UTC(2026, 11, 3, 9, 30) });
    expect($('#resumed')?.textContent).toMatch(/^compose_resumed\(.+\)$/);
    typeInto($<HTMLTextAreaElement>('#body')!, 'draft text');
    await new Promise((r) => setTimeout(r, 2500));
    expect(bg.current!.of('compose:save-draft')).toEqual([]);
    await waitFor(() => bg.current!.of('compose:save-draft').length === 1, 2000);
    expect(bg.current!.of('compose:save-draft')[0]).toMatchObject({ ticket: 'C1', body: 'draft text' });
    await waitFor(() => $('#draft-status')?.textContent === 'compose_draft_saved');
  });

  it('in standalone mode copies the armored message when it was not inserted', async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    bg.current!.answers.set('compose:send', {
      ok: true,
      value: { delivery: 'inline', inserted: false, sent: false, armored: '-----BEGIN CIPHERPOST-----' },
    });
    await open({ ...CONTEXT, window: 'standalone' });
    $<HTMLButtonElement>('#encrypt-send')!.click();
    await waitFor(() => $('#notice'));
    expect(writeText).toHaveBeenCalledWith('-----BEGIN CIPHERPOST-----');
    expect($('#notice')?.textContent).toBe('compose_copied');
  });

  it('cancel tells the background', async () => {
    bg.current!.answers.set('compose:cancel', { ok: true, value: { closed: true } });
    await open();
    $<HTMLButtonElement>('#cancel')!.click();
    await waitFor(() => bg.current!.of('compose:cancel').length === 1);
    expect(bg.current!.of('compose:cancel')[0]).toEqual({ type: 'compose:cancel', ticket: 'C1' });
  });

  it('when locked: the unlock button, then the compose once unlocked', async () => {
    let unlocked = false;
    bg.current!.answers.set('vault:status', () => ({
      ok: true,
      value: {
        state: unlocked ? 'unlocked' : 'locked',
        retryAfterMs: 0,
        addresses: [],
        recoveryPending: false,
      },
    }));
    bg.current!.answers.set('compose:get', () =>
      unlocked ? { ok: true, value: CONTEXT } : { ok: false, code: 'locked', message: '' },
    );
    render(h(ComposeApp, { ticket: 'C1' }), root);
    await waitFor(() => $('#compose')?.getAttribute('data-state') === 'locked');
    expect($('#unlock')).not.toBeNull();
    expect(root.querySelector('input[type="password"]')).toBeNull();
    unlocked = true;
    await waitFor(() => $('#compose')?.getAttribute('data-state') === 'ready');
  });
});
