/**
 * Storage failures and tampering. Failures are injected into fake-indexeddb's
 * IDBObjectStore.put: synchronously (as a browser throws for an uncloneable
 * value), or asynchronously through a failing request that aborts its
 * transaction, as a real quota error does (Web IDL QuotaExceededError).
 */
import { afterEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { Vault } from '../../src/keyring';
import { createVault, DB, openVault, PASSPHRASE, person, rawAll, rawPut, rejectsWith } from './helpers';

type Put = IDBObjectStore['put'];
const realPut: Put = globalThis.IDBObjectStore.prototype.put;

afterEach(() => {
  vi.restoreAllMocks();
});

/** Lets `okCalls` puts through, then fails every put with `name`, asynchronously when `async`. */
function failPuts(okCalls: number, name: string, async = false): MockInstance<Put> {
  let calls = 0;
  return vi.spyOn(globalThis.IDBObjectStore.prototype, 'put').mockImplementation(function (
    this: IDBObjectStore,
    ...args: Parameters<Put>
  ) {
    if (++calls <= okCalls) return realPut.apply(this, args);
    const error = new DOMException('simulated failure', name);
    if (!async) throw error;
    // `add` of an existing key fails asynchronously (ConstraintError) and aborts the
    // transaction; the request reports our error, as a quota failure would.
    const request = this.add(...args);
    Object.defineProperty(request, 'error', { get: () => error, set: () => undefined, configurable: true });
    return request;
  });
}

describe('quota and IndexedDB failures', () => {
  it('reports a quota error on a write as quota-exceeded and writes nothing', async () => {
    const { vault, key, factory } = await createVault();
    const alice = await person('alice');
    const spy = failPuts(0, 'QuotaExceededError');
    await rejectsWith(
      vault.contacts.observe(key, {
        address: 'alice@example.test',
        bundle: alice.bundle.bytes,
        source: 'manual',
      }),
      'quota-exceeded',
    );
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
    expect(await rawAll(factory, 'contacts')).toEqual([]);
    // The vault is still fine, and the write succeeds once there is room.
    const result = await vault.contacts.observe(key, {
      address: 'alice@example.test',
      bundle: alice.bundle.bytes,
      source: 'manual',
    });
    expect(result.status).toBe('new-contact');
  });

  it('rolls back the first record when the second write of a transaction fails (async quota error)', async () => {
    const { vault, key, factory } = await createVault();
    const a = await vault.identities.generate(key, { addresses: ['a@example.test'] });
    const b = await vault.identities.generate(key, { addresses: ['b@example.test'] });
    const before = await rawAll(factory, 'identities');

    // setPrimary rewrites b (primary) and a (not primary) in one transaction: let b through, fail a.
    failPuts(1, 'QuotaExceededError', true);
    await rejectsWith(vault.identities.setPrimary(key, b.id), 'quota-exceeded');
    vi.restoreAllMocks();

    expect(await rawAll(factory, 'identities')).toEqual(before);
    const { items } = await vault.identities.list(key);
    expect(items.filter((i) => i.primary).map((i) => i.id)).toEqual([a.id]);
  });

  it('reports any other failure as storage-failed, with the old data intact', async () => {
    const { vault, key, factory } = await createVault();
    await vault.settings.update(key, { autoLockMinutes: 9 });
    const before = await rawAll(factory, 'settings');
    failPuts(0, 'UnknownError', true);
    await rejectsWith(vault.settings.update(key, { autoLockMinutes: 10 }), 'storage-failed');
    vi.restoreAllMocks();
    expect(await rawAll(factory, 'settings')).toEqual(before);
    expect((await vault.settings.get(key)).autoLockMinutes).toBe(9);
  });

  it('a failed create leaves no half vault behind', async () => {
    const { IDBFactory } = await import('fake-indexeddb');
    const factory = new IDBFactory();
    const vault = await Vault.open({ indexedDB: factory, name: DB });
    failPuts(1, 'QuotaExceededError'); // meta written, attempts record fails
    await rejectsWith(
      vault.create(PASSPHRASE, { argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 } }),
      'quota-exceeded',
    );
    vi.restoreAllMocks();
    expect(await vault.isInitialized()).toBe(false);
    expect(await rawAll(factory, 'meta')).toEqual([]);
  });

  it('an exception in the middle of a write (a crash stand-in) leaves the previous state and the vault opens', async () => {
    const { vault, key, factory, clock } = await createVault();
    const a = await vault.identities.generate(key, { addresses: ['a@example.test'] });
    const b = await vault.identities.generate(key, { addresses: ['b@example.test'] });
    const before = await rawAll(factory, 'identities');
    failPuts(1, 'AbortError'); // thrown between the two puts of setPrimary
    await rejectsWith(vault.identities.setPrimary(key, b.id), 'storage-failed');
    vi.restoreAllMocks();
    vault.close();

    const reopened = await openVault(factory, clock);
    const key2 = await reopened.unlock(PASSPHRASE);
    expect(await rawAll(factory, 'identities')).toEqual(before);
    expect((await reopened.identities.getPrimary(key2))?.info.id).toBe(a.id);
  });

  it('reports a factory that cannot open, and a connection closed by a newer version, as storage-failed', async () => {
    const broken = {
      open() {
        throw new DOMException('IndexedDB is disabled', 'InvalidStateError');
      },
    } as unknown as IDBFactory;
    await rejectsWith(Vault.open({ indexedDB: broken, name: DB }), 'storage-failed');

    const { vault, factory } = await createVault();
    const { wrap } = await import('idb');
    const newer = await wrap(factory.open(DB, 99)); // our connection steps aside (versionchange)
    newer!.close();
    await rejectsWith(vault.isInitialized(), 'storage-failed');
  });
});

describe('corrupted and moved records', () => {
  async function withContacts() {
    const t = await createVault();
    for (const name of ['alice', 'bob', 'carol']) {
      const p = await person(name);
      await t.vault.contacts.observe(t.key, {
        address: `${name}@example.test`,
        bundle: p.bundle.bytes,
        source: 'manual',
      });
    }
    return { ...t, raws: await rawAll(t.factory, 'contacts') };
  }

  it('a record with a flipped byte is corrupted and does not stop the others from reading', async () => {
    const { vault, key, factory, raws } = await withContacts();
    const victim = raws[1]!;
    const ciphertext = (victim.ciphertext as Uint8Array).slice();
    ciphertext[5]! ^= 0x01;
    await rawPut(factory, 'contacts', { ...victim, ciphertext });

    const { items, corrupted } = await vault.contacts.list(key);
    expect(items).toHaveLength(2);
    expect(corrupted).toEqual([{ store: 'contacts', id: victim.id }]);
    const victimAddress = ['alice', 'bob', 'carol']
      .map((n) => `${n}@example.test`)
      .find((a) => !items.some((c) => c.address === a))!;
    await rejectsWith(vault.contacts.get(key, victimAddress), 'corrupted');
    // The user can remove the broken record; everything else is untouched.
    await vault.contacts.delete(key, victimAddress);
    expect((await vault.contacts.list(key)).corrupted).toEqual([]);
    expect((await vault.contacts.list(key)).items).toHaveLength(2);
  });

  it('a flipped nonce or a relabelled version is corrupted too', async () => {
    const { vault, key, factory, raws } = await withContacts();
    const nonce = (raws[0]!.nonce as Uint8Array).slice();
    nonce[0]! ^= 0x80;
    await rawPut(factory, 'contacts', { ...raws[0]!, nonce });
    await rawPut(factory, 'contacts', { ...raws[1]!, v: 2 });
    await rawPut(factory, 'contacts', { ...raws[2]!, ciphertext: 'not bytes' });
    const { items, corrupted } = await vault.contacts.list(key);
    expect(items).toEqual([]);
    expect(corrupted.map((c) => c.id).sort()).toEqual(raws.map((r) => r.id).sort());
  });

  it('a record moved to another id, or copied from another vault, is corrupted', async () => {
    const { vault, key, factory, raws } = await withContacts();
    const [a, b] = raws as [Record<string, unknown>, Record<string, unknown>];
    await rawPut(factory, 'contacts', { ...a, id: b.id }); // a's ciphertext under b's id
    expect((await vault.contacts.list(key)).corrupted).toEqual([{ store: 'contacts', id: b.id }]);

    const other = await createVault();
    await other.vault.identities.generate(other.key, { addresses: ['x@example.test'] });
    const [foreign] = await rawAll(other.factory, 'identities');
    await rawPut(factory, 'identities', foreign);
    const list = await vault.identities.list(key);
    expect(list.items).toEqual([]);
    expect(list.corrupted).toEqual([{ store: 'identities', id: foreign!.id }]);
  });

  it('a meta record that was edited reads as corrupted, not as a wrong passphrase', async () => {
    const { vault, factory, recoveryCode } = await createVault();
    const meta = (await rawAll(factory, 'meta')).find((m) => 'vaultId' in m)!;
    await rawPut(factory, 'meta', { ...meta, keyCheck: new Uint8Array(32) }, 'vault');
    await rejectsWith(vault.unlock(PASSPHRASE), 'corrupted');
    await rejectsWith(vault.unlockWithRecoveryCode(recoveryCode), 'corrupted');
    await rawPut(factory, 'meta', { ...meta, kdf: { ...(meta.kdf as object), salt: 'salt' } }, 'vault');
    await rejectsWith(vault.unlock(PASSPHRASE), 'corrupted');
    await rawPut(
      factory,
      'meta',
      { ...meta, kdf: { ...(meta.kdf as object), memoryKiB: 4 * 1024 * 1024 } },
      'vault',
    );
    await rejectsWith(vault.unlock(PASSPHRASE), 'corrupted');
    await rawPut(factory, 'meta', { ...meta, vaultId: undefined }, 'vault');
    await rejectsWith(vault.isInitialized(), 'corrupted');
  });
});
