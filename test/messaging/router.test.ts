import { describe, expect, it, vi } from 'vitest';
import { createHandlers } from '../../src/messaging/handlers';
import { MESSAGES } from '../../src/messaging/messages';
import { createRouter, type RouterOptions } from '../../src/messaging/router';
import {
  CHROME_ID,
  CHROME_ORIGIN,
  chromeComposeFrame,
  chromeGmailContent,
  chromeLoopbackContent,
  chromePopup,
  E2E_HOSTS,
  FIREFOX_ID,
  FIREFOX_ORIGIN,
  firefoxOutlookContent,
  firefoxPopup,
  PROD_HOSTS,
} from './fixtures';

const PING = { type: 'system:ping' } as const;
const PONG = { version: '0.1.0', browser: 'chrome' };

function router(overrides: Partial<RouterOptions> = {}) {
  const onRefused = vi.fn();
  const onError = vi.fn();
  const route = createRouter({
    extensionId: CHROME_ID,
    extensionOrigin: CHROME_ORIGIN,
    handlers: createHandlers(PONG),
    onRefused,
    onError,
    ...overrides,
  });
  return { route, onRefused, onError };
}

describe('router: valid senders are answered', () => {
  it('answers system:ping from a webmail content script', async () => {
    const { route } = router();
    expect(await route(PING, chromeGmailContent())).toEqual({ ok: true, value: PONG });
  });

  it('answers system:ping from an extension page', async () => {
    const { route } = router();
    expect(await route(PING, chromePopup())).toEqual({ ok: true, value: PONG });
  });

  it('answers Firefox senders (no origin field) against the moz-extension origin', async () => {
    const { route } = router({ extensionId: FIREFOX_ID, extensionOrigin: `${FIREFOX_ORIGIN}/` });
    expect(await route(PING, firefoxPopup())).toEqual({ ok: true, value: PONG });
    expect(await route(PING, firefoxOutlookContent())).toEqual({ ok: true, value: PONG });
  });

  it('answers the loopback content script only with the e2e host list', async () => {
    expect(await router({ contentHosts: E2E_HOSTS }).route(PING, chromeLoopbackContent())).toMatchObject({
      ok: true,
    });
    expect(await router().route(PING, chromeLoopbackContent())).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
  });

  it('passes the classified sender to the handler', async () => {
    const ping = vi.fn(() => PONG);
    const { route } = router({ handlers: { 'system:ping': ping } });
    await route(PING, chromeGmailContent());
    expect(ping).toHaveBeenCalledWith(PING, expect.objectContaining({ kind: 'content-script', tabId: 9 }));
  });
});

describe('router: forged senders are refused before dispatch', () => {
  const forged: Record<string, unknown> = {
    'wrong extension id': { ...chromePopup(), id: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' },
    'no id': { url: `${CHROME_ORIGIN}/popup.html`, origin: CHROME_ORIGIN },
    'missing origin and url': { id: CHROME_ID, frameId: 0, tab: { id: 1, url: 'https://mail.google.com/' } },
    'webmail sub-frame': { ...chromeGmailContent(), frameId: 3 },
    'web page that is not webmail': {
      ...chromeGmailContent(),
      url: 'https://evil.example/',
      origin: 'https://evil.example',
      tab: { id: 1, url: 'https://evil.example/' },
    },
    'no sender at all': undefined,
  };

  for (const [name, sender] of Object.entries(forged)) {
    it(`refuses: ${name}`, async () => {
      const handler = vi.fn(() => PONG);
      const { route, onRefused } = router({ handlers: { 'system:ping': handler } });
      expect(await route(PING, sender)).toEqual({
        ok: false,
        code: 'forbidden',
        message: 'sender not allowed',
      });
      expect(handler).not.toHaveBeenCalled();
      expect(onRefused).toHaveBeenCalledOnce();
    });
  }

  it('refuses a forged sender before looking at the message (no oracle for message types)', async () => {
    const { route } = router();
    const sender = { ...chromePopup(), id: 'other' };
    expect(await route({ type: 'nope:nope' }, sender)).toMatchObject({ code: 'forbidden' });
    expect(await route('garbage', sender)).toMatchObject({ code: 'forbidden' });
  });

  it('refuses a sender kind the message does not allow (extension-frame asking for system:ping)', async () => {
    const handler = vi.fn(() => PONG);
    const { route } = router({ handlers: { 'system:ping': handler } });
    expect(await route(PING, chromeComposeFrame())).toMatchObject({ ok: false, code: 'forbidden' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('refuses a webmail tab asking for an extension-page-only message', async () => {
    const handler = vi.fn(() => PONG);
    const { route } = router({
      handlers: { 'system:ping': handler },
      messages: { ...MESSAGES, 'system:ping': { ...MESSAGES['system:ping'], senders: ['extension-page'] } },
    });
    expect(await route(PING, chromeGmailContent())).toMatchObject({ ok: false, code: 'forbidden' });
    expect(handler).not.toHaveBeenCalled();
    expect(await route(PING, chromePopup())).toEqual({ ok: true, value: PONG });
  });
});

describe('router: every request gets an answer', () => {
  it('answers unknown types with unknown-message', async () => {
    const { route } = router();
    for (const type of ['system:nope', 'vault:format-disk', '__proto__', 'constructor', 'toString', '']) {
      expect(await route({ type }, chromePopup()), type).toMatchObject({
        ok: false,
        code: 'unknown-message',
      });
    }
  });

  it('answers malformed messages with bad-request', async () => {
    const { route } = router();
    for (const raw of [
      undefined,
      null,
      'system:ping',
      42,
      [],
      [PING],
      {},
      { type: 1 },
      { kind: 'system:ping' },
    ]) {
      expect(await route(raw, chromePopup()), JSON.stringify(raw)).toMatchObject({
        ok: false,
        code: 'bad-request',
      });
    }
  });

  it('answers unexpected fields with bad-request', async () => {
    const { route } = router();
    expect(await route({ type: 'system:ping', extra: true }, chromePopup())).toMatchObject({
      ok: false,
      code: 'bad-request',
    });
  });

  it('answers a failing handler with internal, without leaking the error', async () => {
    const { route, onError } = router({
      handlers: {
        'system:ping': () => {
          throw new Error('secret detail');
        },
      },
    });
    const answer = await route(PING, chromePopup());
    expect(answer).toEqual({ ok: false, code: 'internal', message: 'system:ping failed' });
    expect(JSON.stringify(answer)).not.toContain('secret');
    expect(onError).toHaveBeenCalledOnce();
  });

  it('answers a rejected async handler with internal', async () => {
    const { route } = router({ handlers: { 'system:ping': async () => Promise.reject(new Error('x')) } });
    expect(await route(PING, chromePopup())).toMatchObject({ ok: false, code: 'internal' });
  });
});

describe('router: content hosts that change at run time (enabled sites)', () => {
  const site = (url: string) => ({
    id: CHROME_ID,
    url,
    origin: new URL(url).origin,
    frameId: 0,
    tab: { id: 14, url },
  });

  it('asks the getter per web sender and follows its answer', async () => {
    let hosts: readonly string[] = PROD_HOSTS;
    const getter = vi.fn(async () => hosts);
    const { route } = router({ contentHosts: getter });
    const roundcube = site('https://webmail.example.org/?_task=mail');
    expect(await route(PING, roundcube)).toMatchObject({ ok: false, code: 'forbidden' });
    hosts = [...PROD_HOSTS, 'https://webmail.example.org/*'];
    expect(await route(PING, roundcube)).toEqual({ ok: true, value: PONG });
    expect(await route(PING, chromeGmailContent())).toEqual({ ok: true, value: PONG });
    hosts = PROD_HOSTS;
    expect(await route(PING, roundcube)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(getter).toHaveBeenCalledTimes(4);
    // Extension senders never wait for the host list.
    await route(PING, chromePopup());
    await route({ type: 'vault:status' }, chromeComposeFrame());
    expect(getter).toHaveBeenCalledTimes(4);
  });

  it('answers with the build hosts when the getter fails', async () => {
    const { route, onRefused } = router({
      contentHosts: async () => {
        throw new Error('storage unavailable');
      },
    });
    expect(await route(PING, chromeGmailContent())).toEqual({ ok: true, value: PONG });
    expect(await route(PING, site('https://webmail.example.org/'))).toMatchObject({ code: 'forbidden' });
    expect(onRefused).toHaveBeenCalled();
  });
});
