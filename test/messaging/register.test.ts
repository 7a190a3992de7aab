import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RuntimeLike, registerMessageRouter } from '../../src/messaging/register';
import type { Result } from '../../src/messaging/result';

// WXT's fakeBrowser stands in for browser.runtime: its id is 'test-extension-id' and
// getURL gives chrome-extension://test-extension-id/...
const ID = 'test-extension-id';
const ORIGIN = `chrome-extension://${ID}`;

function fakeRuntime(): RuntimeLike {
  const runtime = fakeBrowser.runtime as unknown as RuntimeLike;
  runtime.getManifest = () => ({ version: '9.9.9' });
  return runtime;
}

// fakeBrowser types trigger() with (message, sender) only; the browser, and our
// listener, also pass sendResponse.
const trigger = (...args: unknown[]) =>
  (fakeBrowser.runtime.onMessage.trigger as (...a: unknown[]) => Promise<unknown[]>)(...args);

/** Delivers a message the way the browser does, and resolves to the answer. */
function deliver(message: unknown, sender: unknown): Promise<Result<unknown>> {
  return new Promise((resolve) => {
    void trigger(message, sender, resolve);
  });
}

describe('registerMessageRouter on fakeBrowser', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });

  it('answers a valid extension page through sendResponse and keeps the channel open', async () => {
    registerMessageRouter(fakeRuntime());
    const answer = await deliver(
      { type: 'system:ping' },
      { id: ID, url: `${ORIGIN}/popup.html`, origin: ORIGIN },
    );
    expect(answer).toEqual({ ok: true, value: { version: '9.9.9', browser: 'unknown' } });
    // The listener returns true (the async-answer contract both browsers share).
    const results = await trigger({ type: 'system:ping' }, {}, () => {});
    expect(results).toEqual([true]);
  });

  it('answers a webmail content script', async () => {
    registerMessageRouter(fakeRuntime());
    const url = 'https://mail.yahoo.com/d/folders/1';
    const answer = await deliver(
      { type: 'system:ping' },
      { id: ID, url, origin: 'https://mail.yahoo.com', frameId: 0, tab: { id: 2, url } },
    );
    expect(answer).toMatchObject({ ok: true });
  });

  it('refuses forged senders with forbidden', async () => {
    registerMessageRouter(fakeRuntime());
    const forged = [
      { id: 'other-extension', url: `${ORIGIN}/popup.html`, origin: ORIGIN },
      { id: ID },
      {
        id: ID,
        url: 'https://mail.google.com/',
        origin: 'https://mail.google.com',
        frameId: 1,
        tab: { id: 1, url: 'https://mail.google.com/' },
      },
      {},
    ];
    for (const sender of forged) {
      const answer = await deliver({ type: 'system:ping' }, sender);
      expect(answer, JSON.stringify(sender)).toMatchObject({ ok: false, code: 'forbidden' });
    }
  });

  it('answers unknown and malformed messages', async () => {
    registerMessageRouter(fakeRuntime());
    const page = { id: ID, url: `${ORIGIN}/popup.html`, origin: ORIGIN };
    expect(await deliver({ type: 'x:y' }, page)).toMatchObject({ code: 'unknown-message' });
    expect(await deliver(null, page)).toMatchObject({ code: 'bad-request' });
  });

  it('passes a content-host getter through, so enabled sites are accepted as they change', async () => {
    let sites: string[] = [];
    registerMessageRouter(fakeRuntime(), {
      contentHosts: async () => ['https://mail.yahoo.com/*', ...sites.map((o) => `${o}/*`)],
    });
    const url = 'https://webmail.example.org/?_task=mail';
    const sender = { id: ID, url, origin: 'https://webmail.example.org', frameId: 0, tab: { id: 3, url } };
    expect(await deliver({ type: 'system:ping' }, sender)).toMatchObject({ ok: false, code: 'forbidden' });
    sites = ['https://webmail.example.org'];
    expect(await deliver({ type: 'system:ping' }, sender)).toMatchObject({ ok: true });
  });
});
