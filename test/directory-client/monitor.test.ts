/**
 * monitorOwnAddress: the owner checks every logged change of their address
 * against the keys they published, each entry proven included in a signed
 * tree consistent with what they saw, and cross-checks with a lookup.
 */
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/crypto/bytes';
import { decodeLeaf, encodeLeaf } from '../../src/directory-client/log-format';
import type { HistoryResponse } from '../../src/directory-client/wire';
import { fromBase64, toBase64 } from '../../src/directory-client/wire';
import { FakeDirectory } from './fake-directory';
import { clientFor, identity, rejectsWith } from './helpers';

function onHistory(dir: FakeDirectory, edit: (body: HistoryResponse) => void): void {
  dir.tamper = (route, answer) => {
    if (route.path !== '/v1/log/history' || answer.status !== 200) return answer;
    const body = structuredClone(answer.body) as HistoryResponse;
    edit(body);
    return { status: 200, body };
  };
}

async function setup() {
  const dir = await FakeDirectory.create();
  const alice = await identity('alice');
  const rotated = await identity('alice-2', ['alice@example.org']);
  const mallory = await identity('mallory', ['alice@example.org']);
  await dir.noise(3);
  await dir.publish(alice.bundle);
  await dir.noise(2, 'mid');
  return { dir, alice, rotated, mallory };
}

describe('monitorOwnAddress', () => {
  it('an honest history: every entry, no alarm; after a rotation still none', async () => {
    const { dir, alice, rotated } = await setup();
    const { client, store } = clientFor(dir);
    const first = await client.monitorOwnAddress('Alice@example.org', [alice.bundle.fingerprint]);
    expect(first).toMatchObject({ address: 'alice@example.org', alarm: false, unexpected: [], missing: [] });
    expect(first.entries.map((e) => [e.leafIndex, e.action])).toEqual([[3, 'publish']]);
    expect(equalBytes(first.current!, alice.bundle.fingerprint)).toBe(true);
    await dir.revoke('alice@example.org', alice.bundle);
    await dir.publish(rotated.bundle);
    const second = await client.monitorOwnAddress('alice@example.org', [
      alice.bundle.fingerprint,
      rotated.bundle.fingerprint,
    ]);
    expect(second.alarm).toBe(false);
    expect(second.entries.map((e) => e.action)).toEqual(['publish', 'revoke', 'publish']);
    expect(equalBytes(second.current!, rotated.bundle.fingerprint)).toBe(true);
    expect(second.treeHead.treeSize).toBe(dir.log.size);
    expect(store.pins.has('alice@example.org')).toBe(true);
  });

  it('a key the owner never published: alarm, even after the directory removed the binding again', async () => {
    const { dir, alice, mallory } = await setup();
    await dir.publish(mallory.bundle, ['alice@example.org']);
    await dir.revoke('alice@example.org', mallory.bundle);
    await dir.publish(alice.bundle);
    const report = await clientFor(dir).client.monitorOwnAddress('alice@example.org', [
      alice.bundle.fingerprint,
    ]);
    expect(report.alarm).toBe(true);
    expect(report.unexpected).toHaveLength(1);
    expect(equalBytes(report.unexpected[0]!.fingerprint, mallory.bundle.fingerprint)).toBe(true);
    expect(equalBytes(report.current!, alice.bundle.fingerprint)).toBe(true);
  });

  it('a published key missing from the log is reported', async () => {
    const { dir, alice, rotated } = await setup();
    const report = await clientFor(dir).client.monitorOwnAddress('alice@example.org', [
      alice.bundle.fingerprint,
      rotated.bundle.fingerprint,
    ]);
    expect(report.alarm).toBe(false);
    expect(report.missing.map((m) => equalBytes(m, rotated.bundle.fingerprint))).toEqual([true]);
  });

  it('an address never published: empty history, lookup not found, no alarm', async () => {
    const { dir } = await setup();
    const report = await clientFor(dir).client.monitorOwnAddress('nobody@example.org', []);
    expect(report).toMatchObject({ entries: [], alarm: false, current: undefined });
  });

  it('a swap hidden from the history but served to lookups: inconsistent', async () => {
    const { dir, alice, mallory } = await setup();
    await dir.publish(mallory.bundle, ['alice@example.org']);
    const evil = dir.bindings.get('alice@example.org')!.leafIndex;
    onHistory(dir, (b) => {
      b.entries = b.entries.filter((e) => e.leafIndex !== evil);
    });
    await rejectsWith(
      clientFor(dir).client.monitorOwnAddress('alice@example.org', [alice.bundle.fingerprint]),
      'inconsistent',
    );
  });

  it('forged or broken entries: bad-proof; shuffled or malformed: malformed', async () => {
    const { dir, alice, mallory } = await setup();
    await dir.noise(4, 'after');
    const monitor = () =>
      clientFor(dir).client.monitorOwnAddress('alice@example.org', [alice.bundle.fingerprint]);
    onHistory(dir, (b) => {
      b.entries[0]!.inclusion[0] = toBase64(new Uint8Array(32));
    });
    await rejectsWith(monitor(), 'bad-proof');
    onHistory(dir, (b) => {
      // The real entry, with another key in it: the leaf hash changes, the proof fails.
      const leaf = decodeLeaf(fromBase64(b.entries[0]!.leaf, 'leaf'));
      b.entries[0]!.leaf = toBase64(encodeLeaf({ ...leaf, fingerprint: mallory.bundle.fingerprint }));
    });
    await rejectsWith(monitor(), 'bad-proof');
    onHistory(dir, (b) => {
      // A genuine, included leaf of another address.
      const other = dir.log.inclusionResponse(0, dir.log.size);
      b.entries.unshift({ leafIndex: 0, leaf: other.leaf, inclusion: other.proof });
    });
    await rejectsWith(monitor(), 'bad-proof');
    onHistory(dir, (b) => {
      b.entries.push(b.entries[0]!);
    });
    await rejectsWith(monitor(), 'malformed');
    onHistory(dir, (b) => {
      b.addressHash = toBase64(new Uint8Array(31));
    });
    await rejectsWith(monitor(), 'malformed');
  });

  it('another address hash than the one seen before: inconsistent', async () => {
    const { dir, alice } = await setup();
    const { client } = clientFor(dir);
    await client.monitorOwnAddress('alice@example.org', [alice.bundle.fingerprint]);
    onHistory(dir, (b) => {
      b.addressHash = toBase64(new Uint8Array(32).fill(9));
      b.entries = [];
    });
    await rejectsWith(
      client.monitorOwnAddress('alice@example.org', [alice.bundle.fingerprint]),
      'inconsistent',
    );
  });
});
