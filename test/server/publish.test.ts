/**
 * Publish → encrypted verification mail → confirm → lookup, through
 * `inject()`; tokens single-use and expiring; replacement; refusals of
 * anything that is not exactly a canonical bundle; identical misses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dearmor, decryptMessage, formatFingerprint, type Identity } from '../../src/crypto';
import { publishBody, type TestApp, testApp, tokenFromEncryptedMail } from './app-helpers';
import { hex, identityFor, toBase64 } from './helpers';

const HOUR = 3600_000;

describe('publish, confirm, lookup', () => {
  let t: TestApp;
  let alice: Identity;
  let alice2: Identity;
  let bob: Identity;

  beforeAll(async () => {
    t = await testApp((c) => {
      c.limits.mail.max = 100; // the per-client limit has its own test (limits.test.ts)
    });
    [alice, alice2, bob] = await Promise.all([
      identityFor('alice@example.test', 'alice@work.example'),
      identityFor('alice@example.test'),
      identityFor('bob@example.test'),
    ]);
  });
  afterAll(() => t?.close());

  const lookup = (address: string) =>
    t.app.inject({ method: 'GET', url: `/v1/keys/${encodeURIComponent(address)}` });

  it('publishes only after the encrypted token is confirmed', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(alice) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'pending', fingerprint: hex(alice.bundle.fingerprint) });
    expect(t.mails).toHaveLength(1);
    const mail = t.mails[0]!;
    expect(mail.to).toBe('alice@example.test');
    // The token is not readable without the key: the body is a Cipherpost message.
    expect(mail.text).toContain('-----BEGIN CIPHERPOST MESSAGE-----');
    expect(mail.text).not.toMatch(/token=/);
    const message = await decryptMessage(dearmor(mail.text), { identities: [alice] });
    expect(message.sender.address).toBe(t.config.mailFrom);
    expect(message.addressedToYou).toBe(true);
    expect(message.body.text).toContain(formatFingerprint(alice.bundle.fingerprint));
    // Another key cannot read it.
    await expect(decryptMessage(dearmor(mail.text), { identities: [bob] })).rejects.toThrow();

    expect((await lookup('alice@example.test')).statusCode).toBe(404);
    const token = await tokenFromEncryptedMail(mail, alice);
    expect(message.body.text).toContain(`https://keys.example.test/verify?token=${token}`);

    // GET is only a page with a button: prefetching it changes nothing.
    for (let i = 0; i < 2; i++) {
      const page = await t.app.inject({ method: 'GET', url: `/verify?token=${token}` });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain('<form method="post" action="/verify">');
      expect(page.body).toContain(`value="${token}"`);
    }
    expect((await lookup('alice@example.test')).statusCode).toBe(404);

    const confirm = await t.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.json()).toEqual({
      status: 'published',
      address: 'alice@example.test',
      fingerprint: hex(alice.bundle.fingerprint),
    });

    const found = await lookup('  Alice@Example.TEST ');
    expect(found.statusCode).toBe(200);
    const body = found.json();
    expect(Object.keys(body)).toEqual(['bundle', 'transparency']);
    expect(body.bundle).toBe(toBase64(alice.bundle.bytes));
    expect(Object.keys(body.transparency).sort()).toEqual(
      ['consistency', 'consistencyFrom', 'inclusion', 'leaf', 'leafIndex', 'sth'].sort(),
    );
    expect(found.headers['cache-control']).toBe('no-store');
    // Only the confirmed address is bound.
    expect((await lookup('alice@work.example')).statusCode).toBe(404);
    for (const fp of [hex(alice.bundle.fingerprint), formatFingerprint(alice.bundle.fingerprint)]) {
      const byFp = await t.app.inject({ method: 'GET', url: `/v1/fingerprints/${encodeURIComponent(fp)}` });
      expect(byFp.statusCode).toBe(200);
      expect(byFp.json().bundle).toBe(toBase64(alice.bundle.bytes));
    }

    // Single use.
    const replay = await t.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } });
    expect(replay.statusCode).toBe(410);
    expect(replay.json()).toEqual({ error: 'this link is invalid, expired or already used' });
    const replayForm = await t.app.inject({
      method: 'POST',
      url: '/verify',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${token}`,
    });
    expect(replayForm.statusCode).toBe(410);
  });

  it('publishing the bound key again sends nothing', async () => {
    const before = t.mails.length;
    const res = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(alice) });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('already-verified');
    expect(t.mails.length).toBe(before);
  });

  it('one verification mail per address per hour', async () => {
    const first = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(bob) });
    expect(first.statusCode).toBe(202);
    const again = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(bob) });
    expect(again.statusCode).toBe(429);
    expect(again.json().error).toMatch(/recently/);
  });

  it('an expired token is refused, and the form confirms a fresh one', async () => {
    t.clock.now += HOUR + 1;
    const bobMail = t.mails.findLast((m) => m.to === 'bob@example.test')!;
    const stale = await tokenFromEncryptedMail(bobMail, bob);
    const res = await t.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token: stale } });
    expect(res.statusCode).toBe(410);
    expect((await lookup('bob@example.test')).statusCode).toBe(404);

    const again = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(bob) });
    expect(again.statusCode).toBe(202);
    const token = await tokenFromEncryptedMail(t.mails.at(-1)!, bob);
    const form = await t.app.inject({
      method: 'POST',
      url: '/verify',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${token}`,
    });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Key published');
    expect((await lookup('bob@example.test')).statusCode).toBe(200);
  });

  it('replacing a key takes a new confirmation; the old key is served until then', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(alice2) });
    expect(res.statusCode).toBe(202);
    expect((await lookup('alice@example.test')).json().bundle).toBe(toBase64(alice.bundle.bytes));
    // The old key cannot read the new mail.
    await expect(tokenFromEncryptedMail(t.mails.at(-1)!, alice)).rejects.toThrow();
    const token = await tokenFromEncryptedMail(t.mails.at(-1)!, alice2);
    expect((await t.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } })).statusCode).toBe(
      200,
    );
    expect((await lookup('alice@example.test')).json().bundle).toBe(toBase64(alice2.bundle.bytes));
    // The fingerprint of the replaced key is no longer served.
    const old = await t.app.inject({
      method: 'GET',
      url: `/v1/fingerprints/${hex(alice.bundle.fingerprint)}`,
    });
    expect(old.statusCode).toBe(404);
  });

  it('a revoke-page token cannot be used on the publish page', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${'A'.repeat(43)}`,
    });
    expect(res.statusCode).toBe(410);
  });

  it('every kind of miss is the same 404: same body, same headers', async () => {
    const pending = await identityFor('carol@example.test');
    t.clock.now += HOUR + 1;
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(pending) })).statusCode,
    ).toBe(202);
    const urls = [
      '/v1/keys/nobody@example.test',
      '/v1/keys/carol@example.test', // uploaded, not confirmed
      '/v1/keys/not-an-address',
      `/v1/keys/${encodeURIComponent('alice@work.example')}`, // in a served bundle, not confirmed
      `/v1/fingerprints/${'ab'.repeat(32)}`,
      `/v1/fingerprints/${hex(pending.bundle.fingerprint)}`,
      '/v1/fingerprints/xyz',
    ];
    const answers = await Promise.all(urls.map((url) => t.app.inject({ method: 'GET', url })));
    const shape = (r: (typeof answers)[number]) => ({
      status: r.statusCode,
      body: r.body,
      headers: Object.entries(r.headers)
        .filter(([k]) => !['date', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(k))
        .sort(([a], [b]) => a.localeCompare(b)),
    });
    const first = shape(answers[0]!);
    expect(first.status).toBe(404);
    expect(first.body).toBe('{"error":"not found"}');
    for (const a of answers) expect(shape(a)).toEqual(first);
  });

  it('there is no listing and no search', async () => {
    for (const url of ['/v1/keys', '/v1/keys/', '/v1/fingerprints/', '/v1/keys?q=alice', '/v1/keys/alice*']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'not found' });
    }
  });
});
