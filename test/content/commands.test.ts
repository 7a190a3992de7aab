import { describe, expect, it, vi } from 'vitest';
import { createCommandListener, isTrustedSender, parseTabCommand } from '../../src/content/commands';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const resize = { type: 'frame:resize', ticket: 't', height: 300 };

describe('TabCommand sender check', () => {
  it('only our own extension, and never a tab', () => {
    expect(isTrustedSender({ id: ID }, ID)).toBe(true);
    expect(isTrustedSender({ id: ID, url: `chrome-extension://${ID}/background.js` }, ID)).toBe(true);
    expect(isTrustedSender({ id: ID, tab: { id: 3 } }, ID)).toBe(false);
    expect(isTrustedSender({ id: 'other' }, ID)).toBe(false);
    expect(isTrustedSender({}, ID)).toBe(false);
    expect(isTrustedSender(null, ID)).toBe(false);
    expect(isTrustedSender({ id: '' }, '')).toBe(false);
  });

  it('the listener ignores other senders without answering, and answers ours', async () => {
    const handle = vi.fn(async () => ({ ok: true as const, value: { resized: true } }));
    const listener = createCommandListener(() => ID, handle);
    const answers: unknown[] = [];
    expect(listener(resize, { id: ID, tab: { id: 1 } }, (a) => answers.push(a))).toBe(false);
    expect(listener(resize, { id: 'evil' }, (a) => answers.push(a))).toBe(false);
    expect(handle).not.toHaveBeenCalled();
    expect(answers).toEqual([]);
    const sent = new Promise((resolve) => expect(listener(resize, { id: ID }, resolve)).toBe(true));
    expect(await sent).toEqual({ ok: true, value: { resized: true } });
    expect(handle).toHaveBeenCalledWith(resize);
  });

  it('an orphaned script (runtime id gone) ignores everything', () => {
    const handle = vi.fn();
    const listener = createCommandListener(() => undefined, handle);
    expect(listener(resize, { id: ID }, () => {})).toBe(false);
    expect(handle).not.toHaveBeenCalled();
  });

  it('unknown or malformed commands from us get bad-request', () => {
    const answers: unknown[] = [];
    const listener = createCommandListener(
      () => ID,
      async () => ({ ok: true, value: null }),
    );
    listener({ type: 'vault:export-backup' }, { id: ID }, (a) => answers.push(a));
    listener({ type: 'frame:resize', ticket: 't', height: '300' }, { id: ID }, (a) => answers.push(a));
    expect(answers).toEqual([
      expect.objectContaining({ ok: false, code: 'bad-request' }),
      expect.objectContaining({ ok: false, code: 'bad-request' }),
    ]);
  });
});

describe('parseTabCommand', () => {
  it('keeps known fields only', () => {
    expect(
      parseTabCommand({ type: 'compose:insert', ticket: 't', body: 'b', subject: 's', send: true, extra: 1 }),
    ).toEqual({ type: 'compose:insert', ticket: 't', body: 'b', subject: 's', send: true });
    expect(
      parseTabCommand({
        type: 'compose:insert',
        ticket: 't',
        body: 'b',
        subject: 's',
        send: false,
        attachment: { name: 'message.cipherpost', text: 'x' },
      }),
    ).toMatchObject({ attachment: { name: 'message.cipherpost', text: 'x' } });
    expect(parseTabCommand({ type: 'compose:start', mode: 'reply-all' })).toEqual({
      type: 'compose:start',
      mode: 'reply-all',
    });
    expect(parseTabCommand({ type: 'compose:close', ticket: 't' })).toEqual({
      type: 'compose:close',
      ticket: 't',
    });
  });

  it('refuses wrong types', () => {
    expect(
      parseTabCommand({ type: 'compose:insert', ticket: 't', body: 1, subject: 's', send: true }),
    ).toBeNull();
    expect(
      parseTabCommand({
        type: 'compose:insert',
        ticket: 't',
        body: 'b',
        subject: 's',
        send: true,
        attachment: 'x',
      }),
    ).toBeNull();
    expect(parseTabCommand({ type: 'compose:start', mode: 'delete' })).toBeNull();
    expect(parseTabCommand({ type: 'frame:resize', ticket: 't', height: Number.NaN })).toBeNull();
    expect(parseTabCommand('compose:close')).toBeNull();
  });
});
