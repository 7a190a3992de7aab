/**
 * Revocation, signed by the key (Ed25519 over a domain-separated request
 * with timestamp and nonce) or confirmed by mail; and the purge of
 * unverified uploads after 14 days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_RETENTION_MS } from '../../server/repositories/directory-repository';
import { revocationMessage, signRevocation } from '../../server/services/revocation-request';
import type { Identity } from '../../src/crypto';
import { ed25519SignWith } from '../../src/crypto/ed25519';
import {
  PUBLIC_URL,
  publishBody,
  type TestApp,
  testApp,
  tokenFromEncryptedMail,
  tokenFromPlainMail,
} from './app-helpers';
import { hex, identityFor, sqliteTestDb } from './helpers';

const HOUR = 3600_000;

describe('revocation and purge', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await testApp((c) => {
      c.limits.mail.max = 1000;
      c.limits.confirm.max = 1000;
    });
  });
  afterAll(() => t?.close());

  async function publishAndConfirm(id: Identity, address = id.bundle.addresses[0]!) {
    const res = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(id, address) });
    expect(res.statusCode).toBe(202);
    const token = await tokenFromEncryptedMail(t.mails.at(-1)!, id);
    expect((await t.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } })).statusCode).toBe(
      200,
    );
  }
  const lookup = (address: string) => t.app.inject({ method: 'GET', url: `/v1/keys/${address}` });
  const revoke = (payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/v1/revoke', payload: payload as object });

  it('a request signed by the key revokes all its bindings, once, and the key for good', async () => {
    const hal = await identityFor('hal@example.test', 'hal@work.example');
    await publishAndConfirm(hal, 'hal@example.test');
    await publishAndConfirm(hal, 'hal@work.example');
    const origin = new URL(PUBLIC_URL).origin;
    const req = await signRevocation(origin, hal.bundle.fingerprint, hal.keys.ed25519PrivateKey, t.clock.now);

    // Tampered, misdirected, stale and foreign requests are refused.
    const other = await identityFor('ivy@example.test');
    const foreign = await signRevocation(
      origin,
      hal.bundle.fingerprint,
      other.keys.ed25519PrivateKey,
      t.clock.now,
    );
    const elsewhere = await signRevocation(
      'https://other.example',
      hal.bundle.fingerprint,
      hal.keys.ed25519PrivateKey,
      t.clock.now,
    );
    const stale = await signRevocation(
      origin,
      hal.bundle.fingerprint,
      hal.keys.ed25519PrivateKey,
      t.clock.now - HOUR,
    );
    const cases: [string, unknown, number][] = [
      ['signed by another key', foreign, 403],
      ['signed for another directory', elsewhere, 403],
      ['with a changed timestamp', { ...req, timestamp: req.timestamp + 1 }, 403],
      ['an hour old', stale, 400],
      ['with a short nonce', { ...req, nonce: 'AAAA' }, 400],
      ['with an extra field', { ...req, address: 'hal@example.test' }, 400],
      ['for an unknown key', { ...req, fingerprint: 'ab'.repeat(32) }, 404],
    ];
    for (const [what, payload, status] of cases) {
      expect((await revoke(payload)).statusCode, what).toBe(status);
    }
    expect((await lookup('hal@example.test')).statusCode).toBe(200);

    const res = await revoke(req);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'revoked', bindings: 2 });
    expect((await lookup('hal@example.test')).statusCode).toBe(404);
    expect((await lookup('hal@work.example')).statusCode).toBe(404);
    const byFp = await t.app.inject({
      method: 'GET',
      url: `/v1/fingerprints/${hex(hal.bundle.fingerprint)}`,
    });
    expect(byFp.statusCode).toBe(404);
    // A replay finds nothing to revoke (the repository suite covers replays of a known key: null).
    expect((await revoke(req)).statusCode).toBe(404);
    // Two leaves for the revocation: the log says what changed.
    expect(await t.app.repository.leaves.size()).toBe(4);

    // The revoked key cannot come back.
    t.clock.now += HOUR + 1;
    const again = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(hal) });
    expect(again.statusCode).toBe(422);
    expect(again.json().error).toMatch(/revoked/);
  });

  it('the signature covers exactly the documented message', async () => {
    const jo = await identityFor('jo@example.test');
    await publishAndConfirm(jo);
    const nonce = new Uint8Array(16).fill(5);
    const timestamp = t.clock.now;
    const signature = await ed25519SignWith(
      jo.keys.ed25519PrivateKey,
      revocationMessage('https://keys.example.test', jo.bundle.fingerprint, timestamp, nonce),
    );
    const res = await revoke({
      fingerprint: hex(jo.bundle.fingerprint).toUpperCase(),
      timestamp,
      nonce: Buffer.from(nonce).toString('base64url'),
      signature: Buffer.from(signature).toString('base64'),
    });
    expect(res.statusCode).toBe(200);
  });

  it('an emailed link removes a binding after a POST; the mail is plain (the key may be lost)', async () => {
    const kim = await identityFor('kim@example.test');
    t.clock.now += HOUR + 1;
    await publishAndConfirm(kim);
    t.clock.now += HOUR + 1;
    const before = t.mails.length;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/revoke/email',
      payload: { address: 'KIM@example.test' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'pending' });
    expect(t.mails.length).toBe(before + 1);
    const mail = t.mails.at(-1)!;
    expect(mail.to).toBe('kim@example.test');
    const token = tokenFromPlainMail(mail);
    expect(mail.text).toContain(`${PUBLIC_URL}/revoke?token=${token}`);

    const page = await t.app.inject({ method: 'GET', url: `/revoke?token=${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/revoke">');
    expect((await lookup('kim@example.test')).statusCode).toBe(200);
    // A revoke token does not work on the publish form.
    const wrongForm = await t.app.inject({
      method: 'POST',
      url: '/verify',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${token}`,
    });
    expect(wrongForm.statusCode).toBe(410);
    const form = await t.app.inject({
      method: 'POST',
      url: '/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${token}`,
    });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Key removed');
    expect((await lookup('kim@example.test')).statusCode).toBe(404);
    // Email revocation unbinds; the key itself may be published again after confirmation.
    t.clock.now += HOUR + 1;
    await publishAndConfirm(kim);
    expect((await lookup('kim@example.test')).statusCode).toBe(200);
  });

  it('asking to revoke an unbound address answers the same and sends nothing', async () => {
    const before = t.mails.length;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/revoke/email',
      payload: { address: 'nobody@example.test' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'pending' });
    expect(t.mails.length).toBe(before);
  });

  it('purges unverified uploads after 14 days, keeps verified ones', async () => {
    const lee = await identityFor('lee@example.test');
    const res = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(lee) });
    expect(res.statusCode).toBe(202);
    const token = await tokenFromEncryptedMail(t.mails.at(-1)!, lee);
    const fp = hex(lee.bundle.fingerprint);
    expect(await t.app.repository.getUpload(fp)).toBeDefined();
    t.clock.now += UPLOAD_RETENTION_MS - 1000;
    await t.app.directory.purge();
    expect(await t.app.repository.getUpload(fp)).toBeDefined();
    t.clock.now += 2000;
    const r = await t.app.directory.purge();
    expect(r.uploads).toBeGreaterThanOrEqual(1);
    expect(await t.app.repository.getUpload(fp)).toBeUndefined();
    // Kim's key is bound: kept.
    const kim = (await t.app.inject({ method: 'GET', url: '/v1/keys/kim@example.test' })).json();
    expect(kim.bundle).toBeDefined();
    // Its token was purged with it (and had expired anyway).
    expect((await t.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } })).statusCode).toBe(
      410,
    );
  });
});

describe('purge job', () => {
  it('runs at start', async () => {
    const db = await sqliteTestDb();
    const old = Date.now() - UPLOAD_RETENTION_MS - 60_000;
    await db.db.run('INSERT INTO uploads (fingerprint, bundle, created_at) VALUES (?, ?, ?)', [
      'ee'.repeat(32),
      'QQ==',
      old,
    ]);
    await db.db.run('INSERT INTO uploads (fingerprint, bundle, created_at) VALUES (?, ?, ?)', [
      'ff'.repeat(32),
      'QQ==',
      Date.now(),
    ]);
    const t = await testApp(() => {}, { db, purge: true });
    try {
      expect(await t.app.repository.getUpload('ee'.repeat(32))).toBeUndefined();
      expect(await t.app.repository.getUpload('ff'.repeat(32))).toBeDefined();
      expect(t.logs.join('')).toContain('"msg":"purge"');
    } finally {
      await t.close();
    }
  });
});
