/**
 * Floods hit their limits with 429: lookups per client, verification mails per
 * client and per address; and a Redis store shares the per-client limits
 * between two instances (REDIS_URL).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeIp } from '../../server/app';
import { publishBody, type TestApp, testApp } from './app-helpers';
import { identityFor, REDIS_URL, sqliteTestDb, uniqueName } from './helpers';

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp((c) => {
      c.limits.lookup = { max: 10, timeWindow: 60_000 };
      c.limits.mail = { max: 3, timeWindow: 3600_000 };
    });
  });
  afterAll(() => t?.close());

  it('a lookup flood gets 429 after the limit, per client, hits and misses alike', async () => {
    const urls = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        i % 2 ? `/v1/keys/u${i}@example.test` : `/v1/fingerprints/${'0'.repeat(64)}`,
      );
    const answers = await Promise.all(
      urls(25).map((url) => t.app.inject({ method: 'GET', url, remoteAddress: '192.0.2.1' })),
    );
    const codes = answers.map((a) => a.statusCode);
    console.log('CODES', codes.join(','), answers[0]!.body);
    expect(codes.filter((c) => c === 404)).toHaveLength(10);
    expect(codes.filter((c) => c === 429)).toHaveLength(15);
    const limited = answers.find((a) => a.statusCode === 429)!;
    expect(limited.json().error).toMatch(/rate limit exceeded/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another client is not affected; the same /64 is the same client.
    const other = await t.app.inject({
      method: 'GET',
      url: '/v1/keys/x@example.test',
      remoteAddress: '192.0.2.2',
    });
    expect(other.statusCode).toBe(404);
    const v6a = await t.app.inject({
      method: 'GET',
      url: '/v1/keys/x@example.test',
      remoteAddress: '2001:db8:1:2::1',
    });
    expect(v6a.headers['x-ratelimit-remaining']).toBe('9');
    const v6b = await t.app.inject({
      method: 'GET',
      url: '/v1/keys/x@example.test',
      remoteAddress: '2001:db8:1:2:ffff::9',
    });
    expect(v6b.headers['x-ratelimit-remaining']).toBe('8');
    // Health is not limited.
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/health', remoteAddress: '192.0.2.1' })).statusCode,
    ).toBe(200);
  });

  it('verification mails are limited per client', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5].map((i) => identityFor(`flood${i}@example.test`)));
    const codes: number[] = [];
    for (const id of ids) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/keys',
        payload: publishBody(id),
        remoteAddress: '198.51.100.1',
      });
      codes.push(res.statusCode);
    }
    expect(codes).toEqual([202, 202, 202, 429, 429]);
    expect(t.mails).toHaveLength(3);
    // Email revocation requests share the mail budget.
    const revoke = await t.app.inject({
      method: 'POST',
      url: '/v1/revoke/email',
      payload: { address: 'flood1@example.test' },
      remoteAddress: '198.51.100.1',
    });
    expect(revoke.statusCode).toBe(429);
  });

  it('verification mails are limited per address, whoever asks', async () => {
    const gina = await identityFor('gina@example.test');
    const gina2 = await identityFor('gina@example.test');
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/keys',
      payload: publishBody(gina),
      remoteAddress: '203.0.113.1',
    });
    expect(first.statusCode).toBe(202);
    for (const [i, id] of [gina, gina2, gina].entries()) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/keys',
        payload: publishBody(id),
        remoteAddress: `203.0.113.${10 + i}`,
      });
      expect(res.statusCode).toBe(429);
    }
    expect(t.mails.filter((m) => m.to === 'gina@example.test')).toHaveLength(1);
    t.clock.now += 3600_000;
    const later = await t.app.inject({
      method: 'POST',
      url: '/v1/keys',
      payload: publishBody(gina2),
      remoteAddress: '203.0.113.20',
    });
    expect(later.statusCode).toBe(202);
  });

  it('normalises client addresses before hashing them', () => {
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(normalizeIp('2001:0db8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(normalizeIp('::1')).toBe('0:0:0:0::/64');
  });
});

describe('rate limits shared through Redis', () => {
  const namespace = uniqueName('cpdir-test');
  let a: TestApp;
  let b: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await redis.ping(); // fails the suite if Redis is unreachable
    const edit = (c: TestApp['config']) => {
      c.redisUrl = REDIS_URL;
      c.redisNamespace = namespace;
      c.limits.lookup = { max: 6, timeWindow: 60_000 };
    };
    // Two instances, one database, one Redis.
    const shared = await sqliteTestDb();
    a = await testApp(edit, { db: { db: shared.db, cleanup: async () => {} } });
    b = await testApp(edit, { db: shared });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const keys = await redis.keys(`${namespace}-*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('one client gets one budget across both instances', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const app = i % 2 ? b.app : a.app;
      const res = await app.inject({
        method: 'GET',
        url: '/v1/keys/x@example.test',
        remoteAddress: '192.0.2.50',
      });
      codes.push(res.statusCode);
    }
    expect(codes).toEqual([404, 404, 404, 404, 404, 404, 429, 429, 429, 429]);
    const keys = await redis.keys(`${namespace}-*`);
    expect(keys.length).toBeGreaterThan(0);
    // Redis holds keyed hashes, never the client's address.
    expect(keys.join(' ')).not.toContain('192.0.2.50');
  });
});
