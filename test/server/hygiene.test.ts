/**
 * What the directory refuses and how: anything that is not exactly a
 * canonical bundle (private material, trailing bytes, other encodings),
 * malformed and oversized bodies (the process stays up), plus headers, CORS
 * and logs without client addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsAllows, parseCorsOrigins } from '../../server/config';
import type { Identity } from '../../src/crypto';
import { concatBytes } from '../../src/crypto/bytes';
import { CHROME_ORIGIN, FIREFOX_ORIGIN, publishBody, type TestApp, testApp } from './app-helpers';
import { identityFor, toBase64 } from './helpers';

describe('refusals and hygiene', () => {
  let t: TestApp;
  let dana: Identity;

  beforeAll(async () => {
    t = await testApp((c) => {
      c.limits.mail.max = 1000;
    });
    dana = await identityFor('dana@example.test');
  });
  afterAll(() => t?.close());

  const publish = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  it('refuses private material and anything but exactly a canonical bundle', async () => {
    const good = publishBody(dana);
    const bundle = dana.bundle.bytes;
    const seedLike = new Uint8Array(32).fill(9);
    const cases: [string, unknown, number][] = [
      ['an extra field carrying a seed', { ...good, seed: toBase64(seedLike) }, 400],
      ['an extra field carrying a private key', { ...good, privateKey: 'x' }, 400],
      [
        'a bundle followed by secret bytes',
        { ...good, bundle: toBase64(concatBytes(bundle, seedLike)) },
        422,
      ],
      [
        'secret bytes followed by a bundle',
        { ...good, bundle: toBase64(concatBytes(seedLike, bundle)) },
        422,
      ],
      ['a bare 32-byte seed', { ...good, bundle: toBase64(seedLike) }, 422],
      ['a truncated bundle', { ...good, bundle: toBase64(bundle.subarray(0, bundle.length - 1)) }, 422],
      ['a flipped signature bit', { ...good, bundle: toBase64(flip(bundle, bundle.length - 1)) }, 422],
      ['a flipped key bit', { ...good, bundle: toBase64(flip(bundle, 200)) }, 422],
      [
        'non-canonical padding',
        { ...good, bundle: good.bundle.endsWith('=') ? good.bundle.replace(/=+$/, '') : `${good.bundle}==` },
        400,
      ],
      ['base64 with line breaks', { ...good, bundle: good.bundle.replace(/(.{64})/g, '$1\n') }, 400],
      ['base64url', { ...good, bundle: Buffer.from(bundle).toString('base64url') }, 400],
      ['armor', { ...good, bundle: `-----BEGIN CIPHERPOST PUBLIC KEY-----\n${good.bundle}` }, 400],
      ['an address the bundle does not bind', { ...good, address: 'eve@example.test' }, 422],
      ['an invalid address', { ...good, address: 'not an address' }, 400],
      ['a missing bundle', { address: good.address }, 400],
      ['a number for the bundle', { ...good, bundle: 42 }, 400],
      ['an array body', [good], 400],
      ['null', null, 400],
    ];
    for (const [what, payload, status] of cases) {
      const res = await publish(payload);
      expect(res.statusCode, what).toBe(status);
      expect(Object.keys(res.json()), what).toEqual(['error']);
    }
    expect(t.mails).toHaveLength(0);
  });

  it('refuses an expired bundle', async () => {
    t.clock.now = (dana.bundle.expires + 1) * 1000;
    const res = await publish(publishBody(dana));
    t.clock.now = Date.now();
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatch(/expired/);
  });

  it('malformed and oversized bodies are refused cleanly and the process stays up', async () => {
    const cases: [string, () => ReturnType<typeof publish>, number][] = [
      ['broken JSON', () => publish('{"address": "a@b.c", "bundle": '), 400],
      ['JSON with a BOM and garbage', () => publish('\uFEFF{{{{'), 400],
      ['a prototype-pollution attempt', () => publish('{"__proto__": {"x": 1}, "address": "a@b.c"}'), 400],
      ['20 KB', () => publish({ address: 'dana@example.test', bundle: 'A'.repeat(20_000) }), 413],
      ['1 MB', () => publish('x'.repeat(1 << 20)), 413],
      ['text/plain', () => publish('hello', { 'content-type': 'text/plain' }), 415],
      [
        'no content type',
        () => t.app.inject({ method: 'POST', url: '/v1/keys', payload: Buffer.from('{}') }),
        415,
      ],
      [
        'a 10 KB form',
        () =>
          t.app.inject({
            method: 'POST',
            url: '/verify',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: `token=${'a'.repeat(10_000)}`,
          }),
        413,
      ],
      [
        'a duplicated form field',
        () =>
          t.app.inject({
            method: 'POST',
            url: '/verify',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: `token=${'a'.repeat(43)}&token=${'b'.repeat(43)}`,
          }),
        400,
      ],
      [
        'a bad token',
        () => t.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token: '../../etc/passwd' } }),
        400,
      ],
    ];
    for (const [what, send, status] of cases) {
      const res = await send();
      expect(res.statusCode, what).toBe(status);
      expect(res.headers['content-type'], what).toMatch(/^application\/json/);
      expect(Object.keys(res.json()), what).toEqual(['error']);
      expect(res.body, what).not.toMatch(/stack|at [A-Za-z]+ \(/);
    }
    const health = await t.app.inject({ method: 'GET', url: '/v1/health' });
    expect(health.statusCode).toBe(200);
  });

  it('sends security headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/health' });
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows CORS for the configured extension origins only', async () => {
    for (const origin of [CHROME_ORIGIN, FIREFOX_ORIGIN]) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/keys/x@example.test', headers: { origin } });
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      const pre = await t.app.inject({
        method: 'OPTIONS',
        url: '/v1/keys',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(origin);
      expect(pre.headers['access-control-allow-methods']).toBe('GET, POST');
    }
    for (const origin of [
      'https://evil.example',
      'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba',
      'moz-extension://00000000-0000-0000-0000-000000000000',
      'null',
    ]) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/keys/x@example.test', headers: { origin } });
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });

  it('CORS_ORIGINS: extension origins or browser wildcards only; unset means any extension, no web page', async () => {
    expect(() => parseCorsOrigins('https://evil.example')).toThrow(/not an extension origin/);
    expect(() => parseCorsOrigins('chrome-extension://ABC')).toThrow();
    expect(() => parseCorsOrigins('*')).toThrow();
    expect(parseCorsOrigins('moz-extension://*')).toEqual(['moz-extension://*']);
    const any = parseCorsOrigins(undefined);
    expect(corsAllows(CHROME_ORIGIN, any)).toBe(true);
    expect(corsAllows(FIREFOX_ORIGIN, any)).toBe(true);
    expect(corsAllows('chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba', any)).toBe(true);
    for (const origin of [
      'https://evil.example',
      'null',
      'chrome-extension://x',
      'moz-extension://x.example',
    ]) {
      expect(corsAllows(origin, any), origin).toBe(false);
    }
    const firefoxOnly = parseCorsOrigins(`${CHROME_ORIGIN},moz-extension://*`);
    expect(corsAllows(CHROME_ORIGIN, firefoxOnly)).toBe(true);
    expect(corsAllows('chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba', firefoxOnly)).toBe(false);
    expect(corsAllows(FIREFOX_ORIGIN, firefoxOnly)).toBe(true);
  });

  it('logs no client IP, no address, no token', async () => {
    const token = 'Q'.repeat(43);
    await t.app.inject({ method: 'GET', url: `/verify?token=${token}`, remoteAddress: '203.0.113.77' });
    await t.app.inject({
      method: 'GET',
      url: '/v1/keys/secret.person@example.test',
      remoteAddress: '203.0.113.77',
    });
    await t.app.inject({
      method: 'GET',
      url: '/v1/keys/x@example.test',
      remoteAddress: '2001:db8::77',
      headers: { 'x-forwarded-for': '198.51.100.9', 'user-agent': 'probe' },
    });
    const logs = t.logs.join('');
    expect(logs).toContain('"url":"/v1/keys/:address"');
    expect(logs).toContain('"url":"/verify"');
    for (const secret of [
      '203.0.113.77',
      '2001:db8',
      '198.51.100.9',
      'secret.person',
      token,
      'probe',
      '127.0.0.1',
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at]! ^= 1;
  return copy;
}
