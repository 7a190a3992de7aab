import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../src/crypto/bytes';
import type { Vault, VaultKey } from '../../src/keyring';
import { createVault, fakeClock, openVault, PASSPHRASE, person, rawAll, rejectsWith, T0 } from './helpers';

afterEach(() => {
  vi.restoreAllMocks();
});

async function populated(schemaVersion?: number) {
  const t = await createVault(schemaVersion !== undefined ? { schemaVersion } : {});
  await t.vault.identities.generate(t.key, { addresses: ['me@example.test'] });
  await t.vault.identities.generate(t.key, { addresses: ['work@example.test'], primary: true });
  const a1 = await person('alice');
  const a2 = await person('alice', T0 / 1000 + 86_400);
  const bob = await person('bob');
  await t.vault.contacts.observe(t.key, {
    address: 'alice@example.test',
    bundle: a1.bundle.bytes,
    source: 'manual',
  });
  await t.vault.contacts.observe(t.key, {
    address: 'alice@example.test',
    bundle: a2.bundle.bytes,
    source: 'message',
  });
  await t.vault.contacts.observe(t.key, {
    address: 'bob@example.test',
    bundle: bob.bundle.bytes,
    source: 'directory',
  });
  await t.vault.contacts.setTrust(t.key, 'bob@example.test', bob.bundle.fingerprint, 'verified');
  await t.vault.settings.update(t.key, { autoLockMinutes: 3, directoryUrl: 'https://keys.example.test' });
  return { ...t, a2, bob };
}

async function contents(vault: Vault, key: VaultKey) {
  const identities = await vault.identities.list(key);
  const unlocked = await Promise.all(identities.items.map((i) => vault.identities.get(key, i.id)));
  return {
    identities,
    bundles: unlocked.map((i) => toHex(i.bundle.bytes)),
    contacts: await vault.contacts.list(key),
    settings: await vault.settings.get(key),
  };
}

/** Re-encodes a backup with a changed body, keeping its (now wrong) MAC. */
// biome-ignore lint/suspicious/noExplicitAny: the test edits arbitrary JSON
function rebuild(file: Uint8Array, mutate: (body: any) => void): Uint8Array {
  const body = JSON.parse(new TextDecoder().decode(file.subarray(9, file.length - 32)));
  mutate(body);
  const utf8 = new TextEncoder().encode(JSON.stringify(body));
  const out = new Uint8Array(9 + utf8.length + 32);
  out.set(file.subarray(0, 5));
  new DataView(out.buffer).setUint32(5, utf8.length);
  out.set(utf8, 9);
  out.set(file.subarray(file.length - 32), 9 + utf8.length);
  return out;
}

async function freshVault(): Promise<{ vault: Vault; factory: IDBFactory }> {
  const factory = new IDBFactory();
  return { vault: await openVault(factory, fakeClock(T0 + 10_000)), factory };
}

describe('encrypted backup', () => {
  it('restores everything into a fresh browser with the passphrase', async () => {
    const src = await populated();
    const file = await src.vault.exportBackup(src.key);
    expect(new TextDecoder().decode(file.subarray(0, 4))).toBe('CPVB');
    expect(new TextDecoder().decode(file)).not.toContain('alice');

    const { vault, factory } = await freshVault();
    const key = await vault.importBackup(file, { passphrase: PASSPHRASE });
    expect(key).toEqual(src.key);
    expect(await contents(vault, key)).toEqual(await contents(src.vault, src.key));
    // The ciphertexts are the same bytes; the index is rebuilt.
    const strip = (rs: Record<string, unknown>[]) =>
      rs.map(({ fingerprintTags: _t, ...r }) => r).sort((x, y) => String(x.id).localeCompare(String(y.id)));
    expect(strip(await rawAll(factory, 'contacts'))).toEqual(strip(await rawAll(src.factory, 'contacts')));
    expect(await vault.contacts.findByFingerprint(key, src.a2.bundle.fingerprint)).toHaveLength(1);
    // And the restored vault works as usual.
    expect(await vault.unlock(PASSPHRASE)).toEqual(key);
    expect(await vault.unlockWithRecoveryCode(src.recoveryCode)).toEqual(key);
  });

  it('restores with the recovery code', async () => {
    const src = await populated();
    const file = await src.vault.exportBackup(src.key);
    const { vault } = await freshVault();
    const key = await vault.importBackup(file, { recoveryCode: src.recoveryCode.toLowerCase() });
    expect(await contents(vault, key)).toEqual(await contents(src.vault, src.key));
  });

  it('opens with the passphrase current at export time', async () => {
    const src = await populated();
    await src.vault.changePassphrase(src.key, 'the second passphrase');
    const file = await src.vault.exportBackup(src.key);
    const { vault } = await freshVault();
    await rejectsWith(vault.importBackup(file, { passphrase: PASSPHRASE }), 'wrong-passphrase');
    expect(await vault.importBackup(file, { passphrase: 'the second passphrase' })).toEqual(src.key);
  });

  it('refuses a wrong secret and leaves the vault empty', async () => {
    const src = await populated();
    const file = await src.vault.exportBackup(src.key);
    const { vault } = await freshVault();
    await rejectsWith(vault.importBackup(file, { passphrase: 'not the passphrase' }), 'wrong-passphrase');
    await rejectsWith(
      vault.importBackup(file, { recoveryCode: '0000-0000-0000-0000-0000-0000-0000-0000' }),
      'wrong-recovery-code',
    );
    expect(await vault.isInitialized()).toBe(false);
  });

  it('refuses a changed, truncated, extended or foreign file as invalid-backup', async () => {
    const src = await populated();
    const file = await src.vault.exportBackup(src.key);
    const { vault } = await freshVault();
    // A record dropped from an otherwise valid body: each record still authenticates, the MAC does not.
    const dropped = rebuild(file, (body) => body.records.contacts.pop());
    await rejectsWith(vault.importBackup(dropped, { passphrase: PASSPHRASE }), 'invalid-backup');
    // Hostile Argon2 parameters are refused before anything runs (4 GiB would exhaust memory).
    const hostile = rebuild(file, (body) => {
      body.kdf.memoryKiB = 4 * 1024 * 1024;
    });
    await rejectsWith(vault.importBackup(hostile, { passphrase: PASSPHRASE }), 'invalid-backup');

    const flipped = file.slice();
    flipped[file.length - 40]! ^= 1; // inside the JSON body: a base64 character or a quote
    await rejectsWith(vault.importBackup(flipped, { passphrase: PASSPHRASE }), 'invalid-backup');

    const macFlipped = file.slice();
    macFlipped[file.length - 1]! ^= 1;
    await rejectsWith(vault.importBackup(macFlipped, { passphrase: PASSPHRASE }), 'invalid-backup');
    await rejectsWith(
      vault.importBackup(file.subarray(0, file.length - 1), { passphrase: PASSPHRASE }),
      'invalid-backup',
    );
    const extended = new Uint8Array(file.length + 1);
    extended.set(file);
    await rejectsWith(vault.importBackup(extended, { passphrase: PASSPHRASE }), 'invalid-backup');
    await rejectsWith(
      vault.importBackup(new TextEncoder().encode('hello'), { passphrase: PASSPHRASE }),
      'invalid-backup',
    );
    const newer = file.slice();
    newer[4] = 2;
    await rejectsWith(vault.importBackup(newer, { passphrase: PASSPHRASE }), 'unsupported-version');
    expect(await vault.isInitialized()).toBe(false);
  });

  it('never overwrites a vault that holds data', async () => {
    const src = await populated();
    const file = await src.vault.exportBackup(src.key);
    const other = await createVault();
    await rejectsWith(other.vault.importBackup(file, { passphrase: PASSPHRASE }), 'already-initialized');
    await rejectsWith(src.vault.importBackup(file, { passphrase: PASSPHRASE }), 'already-initialized');
    expect(await other.vault.unlock(PASSPHRASE)).toEqual(other.key);
  });

  it('writes all or nothing: a quota error in the middle of an import leaves an empty vault', async () => {
    const src = await populated();
    const file = await src.vault.exportBackup(src.key);
    const { vault, factory } = await freshVault();
    const realPut = globalThis.IDBObjectStore.prototype.put;
    let calls = 0;
    vi.spyOn(globalThis.IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      if (++calls > 4) throw new DOMException('simulated', 'QuotaExceededError');
      return realPut.apply(this, args);
    });
    await rejectsWith(vault.importBackup(file, { passphrase: PASSPHRASE }), 'quota-exceeded');
    vi.restoreAllMocks();
    expect(await vault.isInitialized()).toBe(false);
    for (const store of ['meta', 'identities', 'contacts', 'settings'])
      expect(await rawAll(factory, store)).toEqual([]);
    await vault.importBackup(file, { passphrase: PASSPHRASE });
    expect(await contents(vault, src.key)).toEqual(await contents(src.vault, src.key));
  });

  it('a backup of a v1 vault imports into the current schema, index included', async () => {
    const src = await populated(1);
    const file = await src.vault.exportBackup(src.key);
    const { vault } = await freshVault();
    const key = await vault.importBackup(file, { recoveryCode: src.recoveryCode });
    expect(vault.schemaVersion).toBe(2);
    expect(await contents(vault, key)).toEqual(await contents(src.vault, src.key));
    expect((await vault.contacts.findByFingerprint(key, src.bob.bundle.fingerprint))[0]?.address).toBe(
      'bob@example.test',
    );
  });

  it('exports only with this vault key', async () => {
    const src = await populated();
    const other = await createVault();
    await rejectsWith(src.vault.exportBackup(other.key), 'locked');
  });
});
