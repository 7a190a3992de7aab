/**
 * The directory client against an honest directory: what a verified lookup
 * checks and remembers, the HTTP failure modes, and the real HTTP path on
 * loopback with the platform's fetch.
 */
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/crypto/bytes';
import { createDirectoryClient } from '../../src/directory-client/client';
import { decodeTreeHead } from '../../src/directory-client/log-format';
import { FakeDirectory, MemoryClientStore } from './fake-directory';
import { clientFor, identity, rejectsWith } from './helpers';

describe('lookup against an honest directory', () => {
  it('returns the verified bundle and remembers the tree head and the address', async () => {
    const dir = await FakeDirectory.create();
    const alice = await identity('alice');
    await dir.noise(5);
    await dir.publish(alice.bundle);
    await dir.noise(3);
    const { client, store } = clientFor(dir);
    const found = await client.lookup(' Alice@Example.org ');
    expect(found.verified).toBe(true);
    expect(equalBytes(found.bundle.fingerprint, alice.bundle.fingerprint)).toBe(true);
    expect(found.leafIndex).toBe(5);
    expect(found.treeHead.treeSize).toBe(9);
    expect(decodeTreeHead(store.head!).treeSize).toBe(9);
    expect(store.pins.get('alice@example.org')?.leafIndex).toBe(5);
    expect(dir.requests.at(-1)?.query.get('known')).toBe('0');
  });

  it('sends the tree size it knows and checks the consistency proof as the log grows', async () => {
    const dir = await FakeDirectory.create();
    const alice = await identity('alice');
    const bob = await identity('bob');
    await dir.publish(alice.bundle);
    const { client, store } = clientFor(dir);
    await client.lookup('alice@example.org');
    for (let round = 0; round < 5; round++) {
      await dir.noise(round * 7 + 1, `r${round}-`);
      const before = decodeTreeHead(store.head!).treeSize;
      await client.lookup('alice@example.org');
      expect(dir.requests.at(-1)?.query.get('known')).toBe(String(before));
      expect(decodeTreeHead(store.head!).treeSize).toBe(dir.log.size);
    }
    await dir.publish(bob.bundle);
    expect((await client.lookup('bob@example.org')).verified).toBe(true);
  });

  it('a rotated key (revoke, publish) is accepted: the binding moves forward', async () => {
    const dir = await FakeDirectory.create();
    const old = await identity('alice');
    const next = await identity('alice2', ['alice@example.org']);
    await dir.publish(old.bundle);
    const { client } = clientFor(dir);
    await client.lookup('alice@example.org');
    await dir.revoke('alice@example.org', old.bundle);
    await dir.publish(next.bundle);
    const found = await client.lookup('alice@example.org');
    expect(equalBytes(found.bundle.fingerprint, next.bundle.fingerprint)).toBe(true);
  });

  it('concurrent lookups all verify and leave the newest head', async () => {
    const dir = await FakeDirectory.create();
    const people = await Promise.all(['a', 'b', 'c', 'd'].map((n) => identity(n)));
    for (const p of people) await dir.publish(p.bundle);
    const { client, store } = clientFor(dir);
    await client.lookup('a@example.org');
    await dir.noise(10);
    const results = await Promise.all(people.map((p) => client.lookup(p.bundle.addresses[0]!)));
    expect(results.every((r) => r.verified)).toBe(true);
    expect(decodeTreeHead(store.head!).treeSize).toBe(dir.log.size);
  });

  it('maps HTTP failures to typed errors and never returns a key', async () => {
    const dir = await FakeDirectory.create();
    const alice = await identity('alice');
    await dir.publish(alice.bundle);
    await rejectsWith(clientFor(dir).client.lookup('nobody@example.org'), 'not-found');
    for (const [status, code] of [
      [429, 'rate-limited'],
      [500, 'unreachable'],
      [503, 'unreachable'],
      [400, 'malformed'],
      [302, 'malformed'],
    ] as const) {
      dir.tamper = (_r, a) => ({ ...a, status });
      await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), code);
    }
    dir.tamper = (_r, a) => ({ ...a, body: '{"bundle": ' });
    await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'malformed');
    const failing = createDirectoryClient({
      baseUrl: 'https://keys.example.org',
      publicKey: dir.publicKey,
      store: new MemoryClientStore(),
      fetch: async () => {
        throw new TypeError('network down');
      },
    });
    await rejectsWith(failing.lookup('alice@example.org'), 'unreachable');
  });

  it('refreshTreeHead verifies and advances', async () => {
    const dir = await FakeDirectory.create();
    await dir.noise(4);
    const { client, store } = clientFor(dir);
    expect((await client.refreshTreeHead()).treeSize).toBe(4);
    await dir.noise(4, 'more');
    expect((await client.refreshTreeHead()).treeSize).toBe(8);
    expect(decodeTreeHead(store.head!).treeSize).toBe(8);
  });
});

describe('over real HTTP on loopback', () => {
  it('looks up through the platform fetch; a closed port is unreachable', async () => {
    const dir = await FakeDirectory.create();
    const alice = await identity('alice');
    await dir.publish(alice.bundle);
    await dir.noise(3);
    const server = await dir.listen();
    try {
      const client = createDirectoryClient({
        baseUrl: server.baseUrl,
        publicKey: dir.publicKey,
        store: new MemoryClientStore(),
      });
      expect((await client.lookup('alice@example.org')).verified).toBe(true);
      const report = await client.monitorOwnAddress('alice@example.org', [alice.bundle.fingerprint]);
      expect(report.alarm).toBe(false);
      await rejectsWith(client.lookup('bob@example.org'), 'not-found');
    } finally {
      await server.close();
    }
    const gone = createDirectoryClient({
      baseUrl: server.baseUrl,
      publicKey: dir.publicKey,
      store: new MemoryClientStore(),
      timeoutMs: 2_000,
    });
    await rejectsWith(gone.lookup('alice@example.org'), 'unreachable');
  });
});
