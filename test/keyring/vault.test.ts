import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARGON2 } from '../../src/crypto';
import { DEFAULT_SETTINGS, MIN_PASSPHRASE_LENGTH, Vault, vaultKeyFromBytes } from '../../src/keyring';
import { CHEAP, createVault, DB, openVault, PASSPHRASE, rawAll, rejectsWith } from './helpers';

describe('vault lifecycle', () => {
  it('creates a vault, unlocks it with the passphrase, and the key opens the data', async () => {
    const { vault, key, recoveryCode, factory, clock } = await createVault();
    expect(await vault.isInitialized()).toBe(true);
    expect(recoveryCode).toMatch(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
    await vault.settings.update(key, { autoLockMinutes: 5 });
    vault.close();

    // A restarted service worker: new connection, key from the passphrase.
    const again = await openVault(factory, clock);
    const key2 = await again.unlock(PASSPHRASE);
    expect(key2).toEqual(key);
    expect((await again.settings.get(key2)).autoLockMinutes).toBe(5);
  });

  it('stores nothing secret in the clear: the meta holds wraps, the records only ciphertext', async () => {
    const { vault, key, factory } = await createVault();
    await vault.identities.generate(key, { addresses: ['me@example.test'] });
    const meta = (await rawAll(factory, 'meta')).find((m) => 'vaultId' in m)!;
    expect(Object.keys(meta).sort()).toEqual(
      ['created', 'kdf', 'keyCheck', 'passphraseWrap', 'recoveryWrap', 'schemaVersion', 'vaultId'].sort(),
    );
    expect(meta.kdf).toMatchObject({ algorithm: 'argon2id', ...CHEAP });
    const [identity] = await rawAll(factory, 'identities');
    expect(Object.keys(identity!).sort()).toEqual(['ciphertext', 'id', 'nonce', 'v']);
    const text = new TextDecoder().decode(identity!.ciphertext as Uint8Array);
    expect(text).not.toContain('me@example.test');
  });

  it('reports not-initialized and already-initialized', async () => {
    const vault = await Vault.open({ indexedDB: new IDBFactory(), name: DB });
    expect(await vault.isInitialized()).toBe(false);
    await rejectsWith(vault.unlock(PASSPHRASE), 'not-initialized');
    await rejectsWith(
      vault.unlockWithRecoveryCode('0000-0000-0000-0000-0000-0000-0000-0000'),
      'not-initialized',
    );
    await vault.create(PASSPHRASE, { argon2: CHEAP });
    await rejectsWith(vault.create(PASSPHRASE, { argon2: CHEAP }), 'already-initialized');
  });

  it('refuses a short passphrase and out-of-bounds Argon2 parameters', async () => {
    const vault = await Vault.open({ indexedDB: new IDBFactory(), name: DB });
    await rejectsWith(
      vault.create('x'.repeat(MIN_PASSPHRASE_LENGTH - 1), { argon2: CHEAP }),
      'weak-passphrase',
    );
    await rejectsWith(vault.create(PASSPHRASE, { argon2: { ...CHEAP, memoryKiB: 1024 } }), 'invalid-input');
    expect(await vault.isInitialized()).toBe(false);
  });

  it('uses DEFAULT_ARGON2 (64 MiB, t = 3) unless told otherwise', async () => {
    const factory = new IDBFactory();
    const vault = await Vault.open({ indexedDB: factory, name: DB });
    const { key } = await vault.create(PASSPHRASE);
    const meta = (await rawAll(factory, 'meta')).find((m) => 'vaultId' in m)!;
    expect(meta.kdf).toMatchObject({ algorithm: 'argon2id', ...DEFAULT_ARGON2 });
    expect(await vault.unlock(PASSPHRASE)).toEqual(key);
  });

  it('refuses a key that is not this vault key as locked', async () => {
    const a = await createVault();
    const b = await createVault();
    await rejectsWith(a.vault.settings.get(b.key), 'locked');
    await rejectsWith(a.vault.identities.generate(b.key, { addresses: ['x@example.test'] }), 'locked');
    await rejectsWith(a.vault.checkKey(vaultKeyFromBytes(new Uint8Array(32))), 'locked');
    await a.vault.checkKey(vaultKeyFromBytes(a.key)); // restored from bytes: fine
  });

  it('destroys everything at once; old keys are locked out, a new vault can be made', async () => {
    const { vault, key } = await createVault();
    await vault.identities.generate(key, { addresses: ['me@example.test'] });
    await vault.destroy();
    expect(await vault.isInitialized()).toBe(false);
    await rejectsWith(vault.identities.list(key), 'not-initialized');
    const { key: fresh } = await vault.create(PASSPHRASE, { argon2: CHEAP });
    await rejectsWith(vault.identities.list(key), 'locked');
    expect((await vault.identities.list(fresh)).items).toEqual([]);
  });

  it('keeps settings with defaults and validates them', async () => {
    const { vault, key } = await createVault();
    expect(await vault.settings.get(key)).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toEqual({
      autoLockMinutes: 30,
      directoryUrl: 'http://127.0.0.1:8787',
      directoryPublicKey: '',
    });
    expect(await vault.settings.update(key, { directoryUrl: 'https://keys.example.test' })).toEqual({
      autoLockMinutes: 30,
      directoryUrl: 'https://keys.example.test',
      directoryPublicKey: '',
    });
    const directoryKey = Buffer.alloc(32, 7).toString('base64');
    expect((await vault.settings.update(key, { directoryPublicKey: directoryKey })).directoryPublicKey).toBe(
      directoryKey,
    );
    await rejectsWith(vault.settings.update(key, { directoryPublicKey: 'AAAA' }), 'invalid-input');
    expect((await vault.settings.get(key)).directoryPublicKey).toBe(directoryKey);
    await rejectsWith(vault.settings.update(key, { autoLockMinutes: 0 }), 'invalid-input');
    await rejectsWith(vault.settings.update(key, { autoLockMinutes: 1.5 }), 'invalid-input');
    await rejectsWith(
      vault.settings.update(key, { directoryUrl: 'http://keys.example.test' }),
      'invalid-input',
    );
    await rejectsWith(vault.settings.update(key, { directoryUrl: 'not a url' }), 'invalid-input');
    expect((await vault.settings.get(key)).directoryUrl).toBe('https://keys.example.test');
  });
});

describe('wrong passphrase and back-off', () => {
  it('says wrong-passphrase, then backs off; the back-off survives a restart', async () => {
    const { vault, key, factory, clock } = await createVault();
    for (let i = 1; i <= 2; i++) {
      const e = await rejectsWith(vault.unlock('not the passphrase'), 'wrong-passphrase');
      expect(e.retryAfterMs).toBe(0);
    }
    const third = await rejectsWith(vault.unlock('not the passphrase'), 'wrong-passphrase');
    expect(third.retryAfterMs).toBe(1000);
    // Even the right passphrase waits.
    const refused = await rejectsWith(vault.unlock(PASSPHRASE), 'backoff');
    expect(refused.retryAfterMs).toBe(1000);
    expect(await vault.status()).toEqual({ initialized: true, failures: 3, retryAfterMs: 1000 });

    vault.close();
    const restarted = await openVault(factory, clock);
    await rejectsWith(restarted.unlock(PASSPHRASE), 'backoff');
    clock.advance(1000);
    const fourth = await rejectsWith(restarted.unlock('still wrong'), 'wrong-passphrase');
    expect(fourth.retryAfterMs).toBe(2000);
    clock.advance(1999);
    expect((await rejectsWith(restarted.unlock(PASSPHRASE), 'backoff')).retryAfterMs).toBe(1);
    clock.advance(1);
    expect(await restarted.unlock(PASSPHRASE)).toEqual(key);
    expect(await restarted.status()).toEqual({ initialized: true, failures: 0, retryAfterMs: 0 });
  });

  it('caps the wait at 5 minutes', async () => {
    const { vault, clock } = await createVault();
    let last = 0;
    for (let i = 0; i < 13; i++) {
      clock.advance(last);
      last = (await rejectsWith(vault.unlock('wrong passphrase'), 'wrong-passphrase')).retryAfterMs!;
    }
    expect(last).toBe(5 * 60 * 1000);
  });

  it('counts concurrent attempts: three parallel guesses use up the free attempts', async () => {
    const { vault } = await createVault();
    await Promise.all([1, 2, 3].map(() => rejectsWith(vault.unlock('wrong passphrase'), 'wrong-passphrase')));
    await rejectsWith(vault.unlock('wrong passphrase'), 'backoff');
  });
});

describe('passphrase change and recovery code', () => {
  it('re-wraps the vault key without re-encrypting any record', async () => {
    const { vault, key, factory } = await createVault();
    await vault.identities.generate(key, { addresses: ['me@example.test'] });
    await vault.settings.update(key, { autoLockMinutes: 10 });
    const before = await Promise.all(['identities', 'settings'].map((s) => rawAll(factory, s)));
    const metaBefore = (await rawAll(factory, 'meta')).find((m) => 'vaultId' in m)!;

    await vault.changePassphrase(key, 'a new passphrase entirely');

    expect(await Promise.all(['identities', 'settings'].map((s) => rawAll(factory, s)))).toEqual(before);
    const metaAfter = (await rawAll(factory, 'meta')).find((m) => 'vaultId' in m)!;
    expect(metaAfter.recoveryWrap).toEqual(metaBefore.recoveryWrap);
    expect(metaAfter.passphraseWrap).not.toEqual(metaBefore.passphraseWrap);
    expect((metaAfter.kdf as { salt: Uint8Array }).salt).not.toEqual(
      (metaBefore.kdf as { salt: Uint8Array }).salt,
    );
    await rejectsWith(vault.unlock(PASSPHRASE), 'wrong-passphrase');
    expect(await vault.unlock('a new passphrase entirely')).toEqual(key);
  });

  it('refuses a weak new passphrase and a stale key', async () => {
    const { vault, key } = await createVault();
    await rejectsWith(vault.changePassphrase(key, 'short'), 'weak-passphrase');
    await rejectsWith(
      vault.changePassphrase(vaultKeyFromBytes(new Uint8Array(32)), 'long enough now'),
      'locked',
    );
    expect(await vault.unlock(PASSPHRASE)).toEqual(key);
  });

  it('unlocks with the recovery code, however it is typed', async () => {
    const { vault, key, recoveryCode } = await createVault();
    expect(await vault.unlockWithRecoveryCode(recoveryCode)).toEqual(key);
    expect(await vault.unlockWithRecoveryCode(recoveryCode.toLowerCase().replace(/-/g, ' '))).toEqual(key);
    const wrong = recoveryCode.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await rejectsWith(vault.unlockWithRecoveryCode(wrong), 'wrong-recovery-code');
    await rejectsWith(vault.unlockWithRecoveryCode('not a code'), 'wrong-recovery-code');
  });

  it('resets a forgotten passphrase with the recovery code, and clears the back-off', async () => {
    const { vault, key, recoveryCode, factory } = await createVault();
    await vault.settings.update(key, { autoLockMinutes: 7 });
    const records = await rawAll(factory, 'settings');
    for (let i = 0; i < 4; i++) await vault.unlock('forgotten one').catch(() => undefined);
    expect((await vault.status()).retryAfterMs).toBeGreaterThan(0);

    const restored = await vault.resetPassphraseWithRecoveryCode(recoveryCode, 'brand new passphrase');
    expect(restored).toEqual(key);
    expect(await rawAll(factory, 'settings')).toEqual(records);
    expect(await vault.status()).toMatchObject({ failures: 0, retryAfterMs: 0 });
    expect(await vault.unlock('brand new passphrase')).toEqual(key);
    // The recovery code still works after the reset.
    expect(await vault.unlockWithRecoveryCode(recoveryCode)).toEqual(key);
  });
});
