/**
 * The server's transparency log: appends inside transactions, the cache and
 * its sync, signed tree heads, route payloads (checked with the client's
 * verifiers), address histories, the secrets file and the lookup rate.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLog, LogRequestError } from '../../server/transparency/log';
import {
  addressHashOf,
  decodeLogSecrets,
  encodeLogSecrets,
  generateLogSecrets,
  LOG_SECRETS_FILE,
  loadOrCreateLogSecrets,
  loadOrCreateLogSecretsIn,
} from '../../server/transparency/secrets';
import { equalBytes } from '../../src/crypto/bytes';
import { decodeLeaf, decodeTreeHead, verifyTreeHead } from '../../src/directory-client/log-format';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/directory-client/merkle';
import { fromBase64, hashListFromBase64 } from '../../src/directory-client/wire';
import { MemoryLeafStore } from './memory-leaf-store';

const fp = (n: number): Uint8Array => new Uint8Array(32).fill(n);

async function freshLog(now = () => 1_700_000_000_000) {
  const store = new MemoryLeafStore();
  const secrets = generateLogSecrets();
  const log = await createLog(store, secrets, { now });
  return { store, secrets, log };
}

async function publish(
  store: MemoryLeafStore,
  log: Awaited<ReturnType<typeof createLog>>,
  address: string,
  n: number,
  action: 'publish' | 'revoke' = 'publish',
) {
  const tx = store.transaction();
  const leaf = await log.append(tx, { address, fingerprint: fp(n), action });
  tx.commit();
  await log.sync();
  return leaf;
}

describe('append and sync', () => {
  it('appends leaves in the caller transaction; only committed leaves reach the tree', async () => {
    const { store, log } = await freshLog();
    expect(log.size).toBe(0);
    const tx = store.transaction();
    const leaf = await log.append(tx, {
      address: ' Alice@Example.org',
      fingerprint: fp(1),
      action: 'publish',
    });
    expect(leaf.index).toBe(0);
    expect(leaf.bytes).toHaveLength(74);
    expect(equalBytes(leaf.hash, leafHash(leaf.bytes))).toBe(true);
    const decoded = decodeLeaf(leaf.bytes);
    expect(decoded).toMatchObject({ action: 'publish', timestamp: 1_700_000_000_000 });
    expect(equalBytes(decoded.addressHash, log.addressHash('alice@example.org'))).toBe(true);
    expect(await log.sync()).toBe(0); // not committed yet
    tx.rollback();
    expect(await log.sync()).toBe(0);
    await publish(store, log, 'alice@example.org', 1);
    await publish(store, log, 'bob@example.org', 2);
    expect(log.size).toBe(2);
  });

  it('the address hash is keyed and never the address', async () => {
    const { store, secrets, log } = await freshLog();
    const leaf = await publish(store, log, 'alice@example.org', 1);
    expect(Buffer.from(leaf.bytes).includes(Buffer.from('alice'))).toBe(false);
    const other = generateLogSecrets();
    expect(equalBytes(addressHashOf(secrets.addressKey, 'alice@example.org'), leaf.addressHash)).toBe(true);
    expect(equalBytes(addressHashOf(other.addressKey, 'alice@example.org'), leaf.addressHash)).toBe(false);
    expect(equalBytes(addressHashOf(secrets.addressKey, 'ALICE@example.org'), leaf.addressHash)).toBe(true);
  });

  it('a second process sees the first one’s leaves after sync, and a reopened log has the same root', async () => {
    const { store, secrets, log } = await freshLog();
    for (let i = 0; i < 37; i++) await publish(store, log, `u${i}@example.org`, i);
    const other = await createLog(store, secrets);
    expect(other.size).toBe(37);
    await publish(store, log, 'late@example.org', 99);
    expect(await other.sync()).toBe(38);
    const [a, b] = [await log.treeHead(), await other.treeHead()];
    expect(equalBytes(a.rootHash, b.rootHash)).toBe(true);
  });

  it('refuses a store that lost leaves or holds a malformed one', async () => {
    const { store, secrets, log } = await freshLog();
    await publish(store, log, 'a@example.org', 1);
    await publish(store, log, 'b@example.org', 2);
    store.committed.pop();
    await expect(log.sync()).rejects.toThrow(/fewer/);
    const bad = new MemoryLeafStore();
    bad.committed.push({ ...store.committed[0]!, bytes: new Uint8Array(74) });
    await expect(createLog(bad, secrets)).rejects.toThrow();
  });
});

describe('signed tree heads', () => {
  it('signs the current tree, re-signs when it grows or gets old, timestamps never go back', async () => {
    let clock = 1_700_000_000_000;
    const { store, log } = await freshLog(() => clock);
    const empty = await log.treeHead();
    expect(empty.treeSize).toBe(0);
    expect(await log.treeHead()).toBe(empty); // cached
    await publish(store, log, 'a@example.org', 1);
    const one = await verifyTreeHead((await log.treeHead()).bytes, log.publicKey);
    expect(one.treeSize).toBe(1);
    expect(equalBytes(one.rootHash, store.committed[0]!.hash)).toBe(true);
    clock += 2 * 3_600_000;
    const later = await log.treeHead();
    expect(later.treeSize).toBe(1);
    expect(later.timestamp).toBe(clock);
    clock -= 10_000_000; // a clock step backwards
    await publish(store, log, 'b@example.org', 2);
    expect((await log.treeHead()).timestamp).toBe(later.timestamp);
  });

  it('concurrent callers share one signature', async () => {
    const { store, log } = await freshLog();
    await publish(store, log, 'a@example.org', 1);
    const heads = await Promise.all(Array.from({ length: 10 }, () => log.treeHead()));
    expect(new Set(heads).size).toBe(1);
  });
});

describe('route payloads', () => {
  it('head, inclusion and consistency responses verify with the client’s verifiers', async () => {
    const { store, log } = await freshLog();
    const roots: Uint8Array[] = [];
    for (let i = 0; i < 21; i++) {
      await publish(store, log, `u${i}@example.org`, i);
      roots.push((await log.treeHead()).rootHash);
    }
    const head = decodeTreeHead(fromBase64((await log.headResponse()).sth, 'sth'));
    expect(head.treeSize).toBe(21);
    for (let size = 1; size <= 21; size++) {
      for (let index = 0; index < size; index++) {
        const r = log.inclusionResponse(index, size);
        const leaf = fromBase64(r.leaf, 'leaf');
        expect(
          verifyInclusion(leafHash(leaf), index, size, hashListFromBase64(r.proof, 'p'), roots[size - 1]!),
        ).toBe(true);
      }
      const c = log.consistencyResponse(size, 21);
      expect(
        verifyConsistency(size, 21, roots[size - 1]!, head.rootHash, hashListFromBase64(c.proof, 'c')),
      ).toBe(true);
    }
  });

  it('refuses sizes and indices outside the tree with a 400', async () => {
    const { store, log } = await freshLog();
    await publish(store, log, 'a@example.org', 1);
    for (const call of [
      () => log.inclusionResponse(0, 2),
      () => log.inclusionResponse(1, 1),
      () => log.inclusionResponse(0, 0),
      () => log.inclusionResponse(-1, 1),
      () => log.consistencyResponse(2, 1),
      () => log.consistencyResponse(0, 5),
      () => log.consistencyResponse(0.5, 1),
    ]) {
      expect(call).toThrow(LogRequestError);
    }
    await expect(log.lookupTransparency(0, -1)).rejects.toThrow(LogRequestError);
    expect((await log.lookupTransparency(0, 7)).consistencyFrom).toBe(0);
    await expect(log.lookupTransparency(5)).rejects.toMatchObject({ status: 404 });
  });

  it('lookup proofs: inclusion at the signed head and consistency from what the client knew', async () => {
    const { store, log } = await freshLog();
    const leaf = await publish(store, log, 'alice@example.org', 1);
    const known = await log.treeHead();
    for (let i = 0; i < 9; i++) await publish(store, log, `u${i}@example.org`, i + 10);
    const t = await log.lookupTransparency(leaf.index, known.treeSize);
    const sth = await verifyTreeHead(fromBase64(t.sth, 'sth'), log.publicKey);
    expect(sth.treeSize).toBe(10);
    expect(t.consistencyFrom).toBe(1);
    expect(
      verifyInclusion(
        leafHash(fromBase64(t.leaf, 'leaf')),
        t.leafIndex,
        sth.treeSize,
        hashListFromBase64(t.inclusion, 'i'),
        sth.rootHash,
      ),
    ).toBe(true);
    expect(
      verifyConsistency(1, 10, known.rootHash, sth.rootHash, hashListFromBase64(t.consistency, 'c')),
    ).toBe(true);
  });

  it('a leaf committed by another process is found by syncing on demand', async () => {
    const { store, secrets, log } = await freshLog();
    const reader = await createLog(store, secrets);
    const leaf = await publish(store, log, 'alice@example.org', 1);
    const t = await reader.lookupTransparency(leaf.index);
    expect(t.leafIndex).toBe(0);
  });

  it('answers pick up other processes’ leaves once the last sync is older than syncIntervalMs', async () => {
    const { store, secrets, log } = await freshLog();
    const reader = await createLog(store, secrets, { syncIntervalMs: 40 });
    await publish(store, log, 'alice@example.org', 1);
    await reader.headResponse(); // synced just now: may still be the old tree
    await publish(store, log, 'bob@example.org', 2);
    await new Promise((r) => setTimeout(r, 60));
    const head = decodeTreeHead(fromBase64((await reader.headResponse()).sth, 'sth'));
    expect(head.treeSize).toBe(2);
    const always = await createLog(store, secrets, { syncIntervalMs: 0 });
    await publish(store, log, 'carol@example.org', 3);
    expect(decodeTreeHead(fromBase64((await always.headResponse()).sth, 'sth')).treeSize).toBe(3);
  });

  it('history: every leaf of the address, and no other, with inclusion proofs', async () => {
    const { store, log } = await freshLog();
    await publish(store, log, 'alice@example.org', 1);
    await publish(store, log, 'bob@example.org', 2);
    await publish(store, log, 'alice@example.org', 1, 'revoke');
    await publish(store, log, 'alice@example.org', 3);
    const h = await log.historyResponse('Alice@Example.org');
    const sth = await verifyTreeHead(fromBase64(h.sth, 'sth'), log.publicKey);
    expect(h.entries.map((e) => e.leafIndex)).toEqual([0, 2, 3]);
    expect(h.entries.map((e) => decodeLeaf(fromBase64(e.leaf, 'l')).action)).toEqual([
      'publish',
      'revoke',
      'publish',
    ]);
    for (const e of h.entries) {
      const leaf = fromBase64(e.leaf, 'leaf');
      expect(equalBytes(decodeLeaf(leaf).addressHash, fromBase64(h.addressHash, 'h'))).toBe(true);
      expect(
        verifyInclusion(
          leafHash(leaf),
          e.leafIndex,
          sth.treeSize,
          hashListFromBase64(e.inclusion, 'i'),
          sth.rootHash,
        ),
      ).toBe(true);
    }
    expect((await log.historyResponse('nobody@example.org')).entries).toEqual([]);
  });
});

describe('secrets', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('encodes and decodes, and refuses anything else', () => {
    const s = generateLogSecrets();
    const d = decodeLogSecrets(encodeLogSecrets(s));
    expect(equalBytes(d.signingSeed, s.signingSeed) && equalBytes(d.addressKey, s.addressKey)).toBe(true);
    const bytes = encodeLogSecrets(s);
    expect(() => decodeLogSecrets(bytes.subarray(1))).toThrow();
    const wrongVersion = bytes.slice();
    wrongVersion[4] = 2;
    expect(() => decodeLogSecrets(wrongVersion)).toThrow();
  });

  it('creates the file once (mode 0600) and keeps it; concurrent starts agree', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cp-transparency-'));
    dirs.push(dir);
    const sub = join(dir, 'data');
    const [a, b, c] = await Promise.all([
      loadOrCreateLogSecrets(sub),
      loadOrCreateLogSecrets(sub),
      loadOrCreateLogSecrets(sub),
    ]);
    expect(equalBytes(a!.signingSeed, b!.signingSeed) && equalBytes(a!.signingSeed, c!.signingSeed)).toBe(
      true,
    );
    const again = await loadOrCreateLogSecrets(sub);
    expect(equalBytes(again.addressKey, a!.addressKey)).toBe(true);
    expect((await stat(join(sub, LOG_SECRETS_FILE))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(sub, LOG_SECRETS_FILE))).toHaveLength(69);
    await writeFile(join(sub, LOG_SECRETS_FILE), 'garbage');
    await expect(loadOrCreateLogSecrets(sub)).rejects.toThrow();
  });

  it('creates and keeps secrets in a database row', async () => {
    let row: Uint8Array | undefined;
    const db = {
      read: async () => row,
      insertIfAbsent: async (bytes: Uint8Array) => {
        row ??= bytes.slice();
      },
    };
    const a = await loadOrCreateLogSecretsIn(db);
    const b = await loadOrCreateLogSecretsIn(db);
    expect(equalBytes(a.signingSeed, b.signingSeed)).toBe(true);
  });
});

describe('lookup rate', () => {
  it('serves lookup proofs in a 100,000-leaf log at well over 3,000 a second', async () => {
    const store = new MemoryLeafStore();
    const secrets = generateLogSecrets();
    const writer = await createLog(store, secrets);
    const tx = store.transaction();
    for (let i = 0; i < 100_000; i++) {
      await writer.append(tx, { address: `u${i}@example.org`, fingerprint: fp(i & 0xff), action: 'publish' });
    }
    tx.commit();
    const loadStart = performance.now();
    const log = await createLog(store, secrets);
    const loadMs = performance.now() - loadStart;
    await log.treeHead();
    const n = 5_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) await log.lookupTransparency((i * 7919) % 100_000, 99_000 - (i % 1000));
    const perSecond = n / ((performance.now() - start) / 1000);
    console.info(
      `transparency: load 100k leaves ${loadMs.toFixed(0)} ms; ${perSecond.toFixed(0)} lookup proofs/s`,
    );
    expect(perSecond).toBeGreaterThan(3_000);
  });
});
