/**
 * Several instances on one PostgreSQL: publish through one, confirm through
 * the other, look up through either; concurrent confirmations on both keep
 * the log dense and both instances prove every binding with one signing key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/crypto';
import { equalBytes } from '../../src/crypto/bytes';
import { publishBody, type TestApp, testApp, tokenFromEncryptedMail } from './app-helpers';
import { identityFor, postgresTestDb, type TestDb } from './helpers';

describe('two instances on one PostgreSQL', () => {
  let shared: TestDb;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    shared = await postgresTestDb();
    const edit = (c: TestApp['config']) => {
      c.limits.mail.max = 1000;
      c.limits.confirm.max = 1000;
    };
    a = await testApp(edit, { db: { db: shared.db, cleanup: async () => {} } });
    b = await testApp(edit, { db: shared });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('share secrets: one log key, one mail identity', () => {
    expect(equalBytes(a.app.transparencyLog!.publicKey, b.app.transparencyLog!.publicKey)).toBe(true);
  });

  it('publish on one, confirm on the other, look up on both', async () => {
    const nia = await identityFor('nia@example.test');
    expect(
      (await a.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(nia) })).statusCode,
    ).toBe(202);
    const token = await tokenFromEncryptedMail(a.mails.at(-1)!, nia);
    expect((await b.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } })).statusCode).toBe(
      200,
    );
    // The token is used up for both.
    expect((await a.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } })).statusCode).toBe(
      410,
    );
    for (const t of [a, b]) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/keys/nia@example.test' });
      expect(res.statusCode).toBe(200);
      expect(res.json().transparency.leafIndex).toBe(0);
    }
    // The per-address hour holds across instances.
    expect(
      (await b.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(nia) })).statusCode,
    ).toBe(200);
    const nia2 = await identityFor('nia@example.test');
    expect(
      (await b.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(nia2) })).statusCode,
    ).toBe(429);
  });

  it('concurrent confirmations on both instances: dense log, every lookup proven', async () => {
    const ids: Identity[] = await Promise.all(
      Array.from({ length: 10 }, (_, i) => identityFor(`many${i}@example.test`)),
    );
    const tokens: string[] = [];
    for (const [i, id] of ids.entries()) {
      const t = i % 2 ? a : b;
      expect(
        (await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(id) })).statusCode,
      ).toBe(202);
      tokens.push(await tokenFromEncryptedMail(t.mails.at(-1)!, id));
    }
    const results = await Promise.all(
      tokens.map((token, i) =>
        (i % 2 ? b : a).app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    const rows = await shared.db.all<{ leaf_index: number }>(
      'SELECT leaf_index FROM log_leaves ORDER BY leaf_index',
    );
    expect(rows.map((r) => r.leaf_index)).toEqual([...Array(11).keys()]);
    const indexes = new Set<number>();
    for (const [i, id] of ids.entries()) {
      const res = await (i % 2 ? b : a).app.inject({
        method: 'GET',
        url: `/v1/keys/${id.bundle.addresses[0]}`,
      });
      expect(res.statusCode).toBe(200);
      indexes.add(res.json().transparency.leafIndex);
    }
    expect(indexes.size).toBe(10);
  });
});
