/**
 * The storage suite every backend must pass (hagrid, facebook/akd): SQLite in
 * a temp file and PostgreSQL in a fresh schema of the `test` database. Nothing
 * is skipped: an unreachable PostgreSQL fails the suite.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate';
import { sqlLeafStore } from '../../server/log/leaf-store';
import { basicLogWriter } from '../../server/log/log-writer';
import { DirectoryRepository, UPLOAD_RETENTION_MS } from '../../server/repositories/directory-repository';
import { addressHashOf } from '../../server/transparency/secrets';
import { fromHex } from '../../src/crypto/bytes';
import { decodeLeaf } from '../../src/directory-client/log-format';
import { backends, sqliteTestDb, type TestDb } from './helpers';

const SECRET = new Uint8Array(32).fill(7);
const FP_A = 'aa'.repeat(32);
const FP_B = 'bb'.repeat(32);
const T0 = 1_800_000_000_000;
const HOUR = 3600_000;

describe.each(backends)('directory repository on %s', (_name, open) => {
  let t: TestDb;
  let repo: DirectoryRepository;
  let n = 0;
  let syncs = 0;
  const tokenHash = () => `${(++n).toString(16).padStart(4, '0')}${'0'.repeat(60)}`;

  beforeAll(async () => {
    t = await open();
    const committed = sqlLeafStore(t.db);
    repo = new DirectoryRepository(
      t.db,
      SECRET,
      basicLogWriter(SECRET, async () => {
        syncs++;
        return committed.size();
      }),
    );
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  async function token(kind: 'publish' | 'revoke', address: string, fingerprint: string, now = T0) {
    const h = tokenHash();
    await repo.createToken({
      tokenHash: h,
      kind,
      address,
      fingerprint,
      createdAt: now,
      expiresAt: now + HOUR,
    });
    return h;
  }

  it('migrations are idempotent', async () => {
    expect(await migrate(t.db)).toEqual([]);
  });

  it('serves nothing until a token is consumed, then the binding with its leaf', async () => {
    await repo.saveUpload(FP_A, 'QUJD', T0);
    const h = await token('publish', 'alice@example.test', FP_A);
    expect(await repo.lookupByAddress('alice@example.test')).toBeUndefined();
    expect(await repo.lookupByFingerprint(FP_A)).toBeUndefined();
    const r = await repo.consumeToken(h, T0 + 1000);
    expect(r).toEqual({
      ok: true,
      kind: 'publish',
      address: 'alice@example.test',
      fingerprint: FP_A,
      logIndex: 0,
    });
    const b = await repo.lookupByAddress('alice@example.test');
    expect(b).toMatchObject({
      address: 'alice@example.test',
      fingerprint: FP_A,
      bundle: 'QUJD',
      verifiedAt: T0 + 1000,
    });
    expect(b!.logIndex).toBe(0);
    const leaf = decodeLeaf(fromHex(b!.leaf));
    expect(leaf.action).toBe('publish');
    expect(leaf.timestamp).toBe(T0 + 1000);
    expect(Buffer.from(leaf.fingerprint).toString('hex')).toBe(FP_A);
    expect(leaf.addressHash).toEqual(addressHashOf(SECRET, 'alice@example.test'));
    expect(await repo.leaves.indicesForAddress(leaf.addressHash)).toEqual([0]);
    expect(b!.leaf).not.toContain(Buffer.from('alice').toString('hex'));
    expect(await repo.lookupByFingerprint(FP_A)).toEqual(b);
  });

  it('tokens are single-use and expire', async () => {
    await repo.saveUpload(FP_B, 'REVG', T0);
    const h = await token('publish', 'bob@example.test', FP_B);
    expect((await repo.consumeToken(h, T0 + HOUR)).ok).toBe(false); // expired at exactly one hour
    const h2 = await token('publish', 'bob@example.test', FP_B);
    expect((await repo.consumeToken(h2, T0 + 10)).ok).toBe(true);
    expect((await repo.consumeToken(h2, T0 + 20)).ok).toBe(false);
    expect((await repo.consumeToken('f'.repeat(64), T0)).ok).toBe(false);
  });

  it('replacing a key takes a new token; the old binding stays until then', async () => {
    await repo.saveUpload(FP_B, 'REVG', T0);
    const h = await token('publish', 'alice@example.test', FP_B);
    expect((await repo.lookupByAddress('alice@example.test'))!.fingerprint).toBe(FP_A);
    expect((await repo.consumeToken(h, T0 + 100)).ok).toBe(true);
    const b = await repo.lookupByAddress('alice@example.test');
    expect(b!.fingerprint).toBe(FP_B);
  });

  it('a token for an upload that was purged or a revoked key binds nothing', async () => {
    const h = await token('publish', 'carol@example.test', 'cc'.repeat(32));
    expect((await repo.consumeToken(h, T0 + 1)).ok).toBe(false);
    expect(await repo.lookupByAddress('carol@example.test')).toBeUndefined();
  });

  it('every binding change appends one leaf; indexes are gap-free under concurrency', async () => {
    const before = await repo.leaves.size();
    const hashes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const fp = i.toString(16).padStart(2, '0').repeat(32);
      await repo.saveUpload(fp, 'QQ==', T0);
      hashes.push(await token('publish', `user${i}@example.test`, fp));
    }
    const syncsBefore = syncs;
    const results = await Promise.all(hashes.map((h) => repo.consumeToken(h, T0 + 5)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(syncs - syncsBefore).toBe(12);
    const size = await repo.leaves.size();
    expect(size).toBe(before + 12);
    const leaves = await repo.leaves.leaves(0, size);
    expect(leaves).toHaveLength(size);
    const rows = await t.db.all<{ leaf_index: number }>(
      'SELECT leaf_index FROM log_leaves ORDER BY leaf_index',
    );
    expect(rows.map((r) => Number(r.leaf_index))).toEqual([...Array(size).keys()]);
    const indexes = results.map((r) => (r.ok ? r.logIndex : -1)).sort((a, b) => a! - b!);
    expect(indexes).toEqual([...Array(12).keys()].map((i) => before + i));
  });

  it('a revoke token removes the binding it names, and logs it', async () => {
    const size = await repo.leaves.size();
    const stale = await token('revoke', 'alice@example.test', FP_A);
    expect((await repo.consumeToken(stale, T0 + 200)).ok).toBe(false); // alice is bound to B now
    const h = await token('revoke', 'alice@example.test', FP_B);
    const r = await repo.consumeToken(h, T0 + 200);
    expect(r).toEqual({
      ok: true,
      kind: 'revoke',
      address: 'alice@example.test',
      fingerprint: FP_B,
      logIndex: size,
    });
    expect(await repo.lookupByAddress('alice@example.test')).toBeUndefined();
    const [leaf] = await repo.leaves.leaves(size, size + 1);
    expect(decodeLeaf(leaf!).action).toBe('revoke');
    // bob still holds B
    expect((await repo.lookupByFingerprint(FP_B))!.address).toBe('bob@example.test');
  });

  it('revoking a key removes all its bindings, refuses replays and the key from then on', async () => {
    await repo.saveUpload(FP_B, 'REVG', T0);
    const h = await token('publish', 'bob2@example.test', FP_B);
    expect((await repo.consumeToken(h, T0 + 300)).ok).toBe(true);
    const size = await repo.leaves.size();
    expect(await repo.revokeKey(FP_B, 'n1', T0 + HOUR, T0 + 400)).toEqual([
      'bob2@example.test',
      'bob@example.test',
    ]);
    expect(await repo.leaves.size()).toBe(size + 2);
    expect(await repo.revokeKey(FP_B, 'n1', T0 + HOUR, T0 + 401)).toBeNull();
    expect(await repo.lookupByFingerprint(FP_B)).toBeUndefined();
    expect(await repo.isRevoked(FP_B)).toBe(true);
    await repo.saveUpload(FP_B, 'REVG', T0 + 500);
    const again = await token('publish', 'bob@example.test', FP_B);
    expect((await repo.consumeToken(again, T0 + 501)).ok).toBe(false);
  });

  it('one verification mail per address per window, atomically', async () => {
    const tries = await Promise.all(
      Array.from({ length: 8 }, () => repo.reserveAddressMail('dave@example.test', T0, HOUR)),
    );
    expect(tries.filter(Boolean)).toHaveLength(1);
    expect(await repo.reserveAddressMail('dave@example.test', T0 + HOUR - 1, HOUR)).toBe(false);
    expect(await repo.reserveAddressMail('erin@example.test', T0, HOUR)).toBe(true);
    await repo.releaseAddressMail('erin@example.test', T0);
    expect(await repo.reserveAddressMail('erin@example.test', T0 + 1, HOUR)).toBe(true);
    expect(await repo.reserveAddressMail('dave@example.test', T0 + HOUR, HOUR)).toBe(true);
    const rows = await t.db.all<{ address_hash: string }>('SELECT address_hash FROM mail_limits');
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.address_hash))).toBe(true);
  });

  it('purges unverified uploads after 14 days, keeps bound ones, drops expired tokens', async () => {
    const fp = 'dd'.repeat(32);
    await repo.saveUpload(fp, 'QQ==', T0);
    const now = T0 + UPLOAD_RETENTION_MS + 10_000;
    const r = await repo.purge(now);
    expect(r.uploads).toBeGreaterThanOrEqual(1);
    expect(await repo.getUpload(fp)).toBeUndefined();
    // user0's key is bound: its upload stays
    expect(await repo.getUpload('00'.repeat(32))).toBeDefined();
    expect(r.tokens).toBeGreaterThan(0);
    expect((await t.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM tokens'))!.n).toEqual(0);
  });

  it('the secret is created once and shared', async () => {
    const a = await DirectoryRepository.loadSecret(t.db, undefined, () => new Uint8Array(32).fill(1));
    const b = await DirectoryRepository.loadSecret(t.db, undefined, () => new Uint8Array(32).fill(2));
    expect(b).toEqual(a);
  });
});

describe('SQLite file', () => {
  it('is readable by its owner only (it holds the secrets)', async () => {
    const t = await sqliteTestDb();
    try {
      const files = await t.db.all<{ file: string }>('SELECT file FROM pragma_database_list WHERE name = ?', [
        'main',
      ]);
      const file = files[0]!.file;
      for (const f of [file, `${file}-wal`]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    } finally {
      await t.cleanup();
    }
  });
});
