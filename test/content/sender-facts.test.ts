// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"disableJavaScriptEvaluation":true,"disableJavaScriptFileLoading":true,"disableCSSFileLoading":true,"handleDisabledFileLoadingAsSuccess":true}}
/**
 * Sender facts from the provider fixture pages (DOM), and for Roundcube from the
 * raw headers of `_action=viewsource`, read through a fake fetch that streams the
 * message in chunks and records how much was read.
 */
import { describe, expect, it, vi } from 'vitest';
import { gatherSenderFacts, readHeaderBlock, roundcubeSourceUrl } from '../../src/content/sender-facts';
import { gmail } from '../../src/providers/gmail';
import { outlook } from '../../src/providers/outlook';
import { roundcube } from '../../src/providers/roundcube';
import { yahoo } from '../../src/providers/yahoo';
import { loadFixture } from '../providers/fixtures';
import { fixturePage } from './helpers';

const HEADERS = [
  'Return-Path: <alice@example.test>',
  'Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=example.test',
  'From: =?UTF-8?Q?Alice_Example?= <alice@example.test>',
  'Reply-To: billing@elsewhere.example',
  'To: bob@example.test',
  'Subject: Fixture',
].join('\r\n');

/** A streamed text/plain response, and how many chunks the reader pulled before cancelling. */
function streamed(text: string, chunk = 16, type = 'text/plain; charset=UTF-8') {
  const bytes = new TextEncoder().encode(text);
  const stats = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const start = stats.pulled * chunk;
      stats.pulled++;
      if (start >= bytes.length) controller.close();
      else controller.enqueue(bytes.slice(start, start + chunk));
    },
    cancel() {
      stats.cancelled = true;
    },
  });
  const response = new Response(body, { headers: { 'content-type': type } });
  return { response, stats };
}

function fakeFetch(text: string, chunk = 16, type?: string) {
  const made = streamed(text, chunk, type);
  const fn = vi.fn(async (_url: string, _init?: RequestInit) => made.response);
  return { fn: fn as unknown as typeof fetch, calls: fn.mock.calls, stats: made.stats };
}

describe('gatherSenderFacts from the page', () => {
  it.each([
    ['gmail', gmail, 'Alice', 'alice@example.com'],
    ['outlook', outlook, 'Alice', 'alice@example.com'],
    ['yahoo', yahoo, 'Alice', 'alice@example.com'],
  ] as const)('%s: display name and address', async (name, spec, fromName, fromAddress) => {
    const facts = await gatherSenderFacts(spec, loadFixture(name, 'message'));
    expect(facts).toEqual({
      source: 'dom',
      fromName,
      fromAddress,
      replyTo: [],
      sender: '',
      returnPath: '',
      authResults: [],
    });
  });

  it('null when the page shows no sender', async () => {
    expect(await gatherSenderFacts(gmail, loadFixture('gmail', 'compose'))).toBeNull();
  });
});

describe('gatherSenderFacts in Roundcube', () => {
  it('reads the raw headers of the message shown, and only the header block', async () => {
    const doc = fixturePage('roundcube', 'preview');
    const body = `\r\n\r\n${'x'.repeat(200_000)}`;
    const fake = fakeFetch(HEADERS + body, 64);
    const facts = await gatherSenderFacts(roundcube, doc, { fetch: fake.fn });
    expect(facts).toEqual({
      source: 'headers',
      fromName: 'Alice Example',
      fromAddress: 'alice@example.test',
      replyTo: ['billing@elsewhere.example'],
      sender: '',
      returnPath: 'alice@example.test',
      authResults: ['mx.example.test; spf=pass smtp.mailfrom=example.test'],
    });
    // _uid/_mbox from Roundcube's own "Open in new window" link (a written frame has no URL).
    const url = new URL(fake.calls[0]![0]);
    expect(url.origin).toBe('http://127.0.0.1:8080');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      _task: 'mail',
      _uid: '13',
      _mbox: 'INBOX',
      _action: 'viewsource',
    });
    expect(fake.calls[0]![1]).toMatchObject({ credentials: 'same-origin', cache: 'no-store' });
    // The header block is a few hundred bytes: the 200 KB body was never pulled.
    expect(fake.stats.pulled).toBeLessThan(10);
    expect(fake.stats.cancelled).toBe(true);
  });

  it('falls back to the page when the source is not headers (a lapsed session shows the login page)', async () => {
    const doc = fixturePage('roundcube', 'preview');
    const fake = fakeFetch('<!DOCTYPE html><html>login</html>', 64, 'text/html; charset=UTF-8');
    const facts = await gatherSenderFacts(roundcube, doc, { fetch: fake.fn });
    expect(facts).toMatchObject({ source: 'dom', fromName: 'Alice', fromAddress: 'alice@example.test' });
  });

  it('falls back to the page when the fetch fails or the source is of another message', async () => {
    const doc = fixturePage('roundcube', 'preview');
    const failing = vi.fn(async () => {
      throw new TypeError('NetworkError');
    }) as unknown as typeof fetch;
    expect(await gatherSenderFacts(roundcube, doc, { fetch: failing })).toMatchObject({ source: 'dom' });
    const other = fakeFetch('From: carol@example.test\r\n\r\n');
    expect(await gatherSenderFacts(roundcube, doc, { fetch: other.fn })).toMatchObject({
      source: 'dom',
      fromAddress: 'alice@example.test',
    });
  });

  it('does not fetch without a message uid', async () => {
    const doc = fixturePage('roundcube', 'mail-list');
    const fake = fakeFetch(HEADERS);
    expect(await gatherSenderFacts(roundcube, doc, { fetch: fake.fn })).toBeNull();
    expect(fake.calls).toHaveLength(0);
  });

  it('passes an abort on', async () => {
    const doc = fixturePage('roundcube', 'preview');
    const controller = new AbortController();
    controller.abort();
    const aborting = vi.fn(async (_u: string, init?: RequestInit) => {
      init?.signal?.throwIfAborted();
      return new Response('');
    }) as unknown as typeof fetch;
    await expect(
      gatherSenderFacts(roundcube, doc, { fetch: aborting, signal: controller.signal }),
    ).rejects.toThrow();
  });
});

describe('roundcubeSourceUrl', () => {
  it('takes _uid and _mbox from the preview URL, keeping the path', () => {
    const doc = document.implementation.createHTMLDocument('');
    Object.defineProperty(doc, 'location', {
      value: {
        href: 'https://mail.example.org/roundcube/?_task=mail&_caps=pdf%3D1&_uid=42&_mbox=Lists%2Fdev&_framed=1&_action=preview',
      },
    });
    expect(roundcubeSourceUrl(doc)?.href).toBe(
      'https://mail.example.org/roundcube/?_task=mail&_uid=42&_mbox=Lists%2Fdev&_action=viewsource',
    );
  });

  it('refuses a uid that is not one number', () => {
    const doc = document.implementation.createHTMLDocument('');
    Object.defineProperty(doc, 'location', {
      value: { href: 'https://mail.example.org/?_uid=1%2C2&_mbox=INBOX' },
    });
    expect(roundcubeSourceUrl(doc)).toBeNull();
  });
});

describe('readHeaderBlock', () => {
  it('finds the empty line across chunk boundaries, CRLF or LF', async () => {
    for (const chunk of [1, 2, 3, 5, 7, 64]) {
      const crlf = streamed('A: 1\r\nB: 2\r\n\r\nbody', chunk);
      expect(await readHeaderBlock(crlf.response)).toBe('A: 1\r\nB: 2');
      const lf = streamed('A: 1\nB: 2\n\nbody\n\nmore', chunk);
      expect(await readHeaderBlock(lf.response)).toBe('A: 1\nB: 2');
    }
  });

  it('stops at 64 KiB when there is no empty line', async () => {
    const big = streamed(`X: ${'a'.repeat(1_000_000)}`, 4096);
    const text = await readHeaderBlock(big.response);
    expect(text.length).toBe(64 * 1024);
    expect(big.stats.cancelled).toBe(true);
    expect(big.stats.pulled).toBeLessThan(20);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const r = streamed('Subject: café テスト\r\n\r\n', 1);
    expect(await readHeaderBlock(r.response)).toBe('Subject: café テスト');
  });
});
