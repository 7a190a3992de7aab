import { IDBFactory } from 'fake-indexeddb';
import { wrap } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../src/crypto/bytes';
import { SCHEMA_VERSION } from '../../src/keyring';
import { MIGRATIONS } from '../../src/keyring/schema';
import {
  createVault,
  DB,
  fakeClock,
  openVault,
  PASSPHRASE,
  person,
  rawAll,
  rawDb,
  rejectsWith,
  T0,
} from './helpers';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A v1 database written by the v1 code path: one identity, two contacts (one with a key change), settings. */
async function buildV1() {
  const t = await createVault({ schemaVersion: 1 });
  expect(t.vault.schemaVersion).toBe(1);
  const me = await t.vault.identities.generate(t.key, { addresses: ['me@example.test'] });
  const a1 = await person('alice');
  const a2 = await person('alice', T0 / 1000 + 86_400);
  const bob = await person('bob');
  for (const [address, bundle] of [
    ['alice@example.test', a1.bundle.bytes],
    ['alice@example.test', a2.bundle.bytes],
    ['bob@example.test', bob.bundle.bytes],
  ] as const) {
    await t.vault.contacts.observe(t.key, { address, bundle, source: 'directory' });
  }
  await t.vault.settings.update(t.key, { autoLockMinutes: 12 });
  await rejectsWith(t.vault.contacts.findByFingerprint(t.key, a1.bundle.fingerprint), 'invalid-input');
  const before = {
    identities: await t.vault.identities.list(t.key),
    contacts: await t.vault.contacts.list(t.key),
    settings: await t.vault.settings.get(t.key),
    rawContacts: await rawAll(t.factory, 'contacts'),
    rawIdentities: await rawAll(t.factory, 'identities'),
  };
  expect(before.rawContacts.every((r) => !('fingerprintTags' in r))).toBe(true);
  t.vault.close();
  return { ...t, me, a1, a2, bob, before };
}

describe('schema migrations', () => {
  it('lists one step per version, 1 … SCHEMA_VERSION, and this file tests each (update both together)', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2]);
    expect(SCHEMA_VERSION).toBe(2);
  });

  it('v1: a fresh database gets the meta, identities, contacts and settings stores', async () => {
    const factory = new IDBFactory();
    const vault = await openVault(factory, fakeClock(), 1);
    vault.close();
    const db = await rawDb(factory);
    expect([...db.objectStoreNames].sort()).toEqual(['contacts', 'identities', 'meta', 'settings']);
    expect([...db.transaction('contacts').store.indexNames]).toEqual([]);
    db.close();
  });

  it('v1 → v2: adds the byFingerprint index, fills the tags at unlock, data and ciphertexts intact', async () => {
    const { factory, clock, before, a1, a2, bob, me } = await buildV1();
    const vault = await openVault(factory, clock);
    expect(vault.schemaVersion).toBe(2);
    const meta = (await rawAll(factory, 'meta')).find((m) => 'vaultId' in m)!;
    expect(meta).toMatchObject({ schemaVersion: 2, indexPending: true });

    const key = await vault.unlock(PASSPHRASE);
    expect((await rawAll(factory, 'meta')).find((m) => 'vaultId' in m)).not.toHaveProperty('indexPending');
    const rawContacts = await rawAll(factory, 'contacts');
    expect(rawContacts.map(({ fingerprintTags: _t, ...rest }) => rest)).toEqual(before.rawContacts);
    expect(rawContacts.map((r) => (r.fingerprintTags as string[]).length).sort()).toEqual([1, 2]);
    expect(await rawAll(factory, 'identities')).toEqual(before.rawIdentities);

    expect(await vault.identities.list(key)).toEqual(before.identities);
    expect(await vault.contacts.list(key)).toEqual(before.contacts);
    expect(await vault.settings.get(key)).toEqual(before.settings);
    expect((await vault.identities.get(key, me.id)).bundle.addresses).toEqual(['me@example.test']);
    for (const [bundle, address] of [
      [a1.bundle, 'alice@example.test'],
      [a2.bundle, 'alice@example.test'],
      [bob.bundle, 'bob@example.test'],
    ] as const) {
      expect((await vault.contacts.findByFingerprint(key, bundle.fingerprint)).map((c) => c.address)).toEqual(
        [address],
      );
    }
  });

  it('v1 → v2: a key kept across the upgrade (no unlock) completes the index on first lookup', async () => {
    const { factory, clock, key, bob } = await buildV1();
    const vault = await openVault(factory, clock);
    const found = await vault.contacts.findByFingerprint(key, toHex(bob.bundle.fingerprint));
    expect(found.map((c) => c.address)).toEqual(['bob@example.test']);
    expect((await rawAll(factory, 'meta')).find((m) => 'vaultId' in m)).not.toHaveProperty('indexPending');
  });

  it('a migration that fails leaves the old database as it was', async () => {
    const { factory, clock, before } = await buildV1();
    const spy = vi.spyOn(globalThis.IDBObjectStore.prototype, 'createIndex').mockImplementation(() => {
      throw new DOMException('simulated', 'UnknownError');
    });
    await rejectsWith(openVault(factory, clock), 'storage-failed');
    spy.mockRestore();

    const v1 = await openVault(factory, clock, 1);
    expect(v1.schemaVersion).toBe(1);
    const key = await v1.unlock(PASSPHRASE);
    expect(await v1.contacts.list(key)).toEqual(before.contacts);
    v1.close();
    // And the upgrade still works afterwards.
    const v2 = await openVault(factory, clock);
    expect(v2.schemaVersion).toBe(2);
    expect(await v2.contacts.list(await v2.unlock(PASSPHRASE))).toEqual(before.contacts);
  });

  it('refuses a database from a newer Cipherpost as unsupported-version', async () => {
    const factory = new IDBFactory();
    (await wrap(factory.open(DB, SCHEMA_VERSION + 1)))!.close();
    await rejectsWith(openVault(factory, fakeClock()), 'unsupported-version');
  });
});
