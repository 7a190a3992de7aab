import { describe, expect, it } from 'vitest';
import { sendMessage } from '../../src/messaging/client';
import { isResult } from '../../src/messaging/result';

describe('sendMessage', () => {
  it('returns the background answer when it is a Result', async () => {
    const answer = { ok: true, value: { version: '1', browser: 'chrome' } };
    expect(await sendMessage({ type: 'system:ping' }, async () => answer)).toEqual(answer);
    const refused = { ok: false, code: 'forbidden', message: 'sender not allowed' };
    expect(await sendMessage({ type: 'system:ping' }, async () => refused)).toEqual(refused);
  });

  it('turns delivery failures and non-Result answers into unavailable, never a rejection', async () => {
    const failing = async () => {
      throw new Error('Could not establish connection. Receiving end does not exist.');
    };
    expect(await sendMessage({ type: 'system:ping' }, failing)).toMatchObject({
      ok: false,
      code: 'unavailable',
    });
    for (const bad of [undefined, null, 'pong', { ok: true }, { ok: false, code: 'weird', message: 'x' }]) {
      expect(await sendMessage({ type: 'system:ping' }, async () => bad)).toMatchObject({
        ok: false,
        code: 'unavailable',
      });
    }
  });

  it('isResult accepts only the Result shape', () => {
    expect(isResult({ ok: true, value: undefined })).toBe(true);
    expect(isResult({ ok: false, code: 'internal', message: 'm' })).toBe(true);
    expect(isResult({ ok: 'true', value: 1 })).toBe(false);
  });
});
