/**
 * The vault: Cipherpost's encrypted store of identities, contacts and
 * settings in IndexedDB (docs/keyring.md). Pure logic: no `browser.*`; the
 * background owns the IndexedDB factory, the unlocked VaultKey and the
 * auto-lock timer, and passes the key to every call that reads or writes data.
 */
import { type Argon2Params, DEFAULT_ARGON2 } from '../crypto';
import { equalBytes } from '../crypto/bytes';
import { ARGON2_SALT_LENGTH, MAX_PASSWORD_LENGTH } from '../crypto/password-kek';
import { systemRandom } from '../crypto/random';
import { backoffDelay, beginAttempt, NO_ATTEMPTS, retryAfterMs } from './backoff';
import { exportBackup, importBackup, type VaultSecret } from './backup';
import { VaultContacts } from './contacts';
import { VaultError } from './errors';
import { VaultIdentities } from './identities';
import {
  checkArgon2Params,
  checkNewPassphrase,
  type PassphraseKdf,
  passphraseKek,
  recoveryKek,
  unwrapVaultKey,
  wrapVaultKey,
} from './key-wrap';
import { ATTEMPTS_KEY, META_KEY, metaRecord, parseAttempts, VAULT_ID_LENGTH, type VaultMeta } from './meta';
import { formatRecoveryCode, generateRecoveryCode, parseRecoveryCode } from './recovery-code';
import { ALL_STORES, DEFAULT_DB_NAME, META_STORE, SCHEMA_VERSION } from './schema';
import { VaultSettings } from './settings';
import { isEmptyIn, openDatabase, VaultDb } from './vault-db';
import { generateVaultKey, keyCheckValue, type VaultKey } from './vault-key';

export interface VaultOpenOptions {
  /** The IndexedDB factory; `globalThis.indexedDB` by default. Tests pass fake-indexeddb. */
  readonly indexedDB?: IDBFactory;
  readonly name?: string;
  /** Epoch milliseconds; tests pass a fake clock for the back-off. */
  readonly now?: () => number;
  /** Tests only: open at an older schema version, to build an old database with the old code path. */
  readonly schemaVersion?: number;
}

export interface PassphraseOptions {
  /** Argon2id cost. `create`: DEFAULT_ARGON2. Changing the passphrase: the vault's current parameters. */
  readonly argon2?: Argon2Params;
}

export interface VaultStatus {
  readonly initialized: boolean;
  /** Consecutive wrong passphrases. */
  readonly failures: number;
  /** 0 when an unlock attempt may start now. */
  readonly retryAfterMs: number;
}

export class Vault {
  readonly identities: VaultIdentities;
  readonly contacts: VaultContacts;
  readonly settings: VaultSettings;

  private constructor(private readonly db: VaultDb) {
    this.identities = new VaultIdentities(db);
    this.contacts = new VaultContacts(db);
    this.settings = new VaultSettings(db);
  }

  static async open(options: VaultOpenOptions = {}): Promise<Vault> {
    const factory = options.indexedDB ?? globalThis.indexedDB;
    if (!factory) throw new VaultError('storage-failed', 'vault: IndexedDB is not available');
    const version = options.schemaVersion ?? SCHEMA_VERSION;
    if (!Number.isInteger(version) || version < 1 || version > SCHEMA_VERSION) {
      throw new VaultError('invalid-input', 'vault: unknown schema version');
    }
    const db = await openDatabase(factory, options.name ?? DEFAULT_DB_NAME, version);
    return new Vault(new VaultDb(db, options.now ?? Date.now));
  }

  get schemaVersion(): number {
    return this.db.schemaVersion;
  }

  close(): void {
    this.db.close();
  }

  async isInitialized(): Promise<boolean> {
    return (await this.db.getMeta()) !== undefined;
  }

  /** For a lock screen: whether there is a vault, and how long until the next attempt. */
  async status(): Promise<VaultStatus> {
    const now = this.db.now();
    const [meta, attempts] = await this.db.read([META_STORE], 'vault status', (tx) =>
      Promise.all([tx.objectStore(META_STORE).get(META_KEY), tx.objectStore(META_STORE).get(ATTEMPTS_KEY)]),
    );
    const state = parseAttempts(attempts, now);
    return {
      initialized: meta !== undefined,
      failures: state.failures,
      retryAfterMs: retryAfterMs(state, now),
    };
  }

  /**
   * Creates the vault. The recovery code is returned once, to show the user;
   * the vault keeps only a wrap of the vault key under it.
   */
  async create(
    passphrase: string,
    options: PassphraseOptions = {},
  ): Promise<{ key: VaultKey; recoveryCode: string }> {
    checkNewPassphrase(passphrase);
    const params = options.argon2 ?? DEFAULT_ARGON2;
    checkArgon2Params(params);
    if (!(await this.isEmpty())) throw new VaultError('already-initialized', 'vault: already created');
    const vaultId = systemRandom(VAULT_ID_LENGTH);
    const key = generateVaultKey();
    const recovery = generateRecoveryCode();
    const kdf = newKdf(params);
    try {
      const meta: VaultMeta = {
        schemaVersion: this.db.schemaVersion,
        vaultId,
        created: this.db.now(),
        kdf,
        passphraseWrap: await wrapVaultKey(
          await passphraseKek(passphrase, kdf, vaultId),
          key,
          vaultId,
          'passphrase',
        ),
        recoveryWrap: await wrapVaultKey(recoveryKek(recovery, vaultId), key, vaultId, 'recovery'),
        keyCheck: keyCheckValue(key, vaultId),
      };
      await this.db.write(ALL_STORES, 'vault: create', async (tx) => {
        if (!(await isEmptyIn(tx))) throw new VaultError('already-initialized', 'vault: already created');
        await tx.objectStore(META_STORE).put(metaRecord(meta), META_KEY);
        await tx.objectStore(META_STORE).put({ ...NO_ATTEMPTS }, ATTEMPTS_KEY);
      });
      return { key, recoveryCode: formatRecoveryCode(recovery) };
    } finally {
      recovery.fill(0);
    }
  }

  /** Unwraps the vault key with the passphrase, subject to the persisted back-off. */
  async unlock(passphrase: string): Promise<VaultKey> {
    if (
      typeof passphrase !== 'string' ||
      passphrase.length === 0 ||
      passphrase.length > MAX_PASSWORD_LENGTH
    ) {
      throw new VaultError('invalid-input', 'passphrase: expected a non-empty string');
    }
    const meta = await this.db.requireMeta();
    const now = this.db.now();
    const { next, refused } = await this.db.write([META_STORE], 'vault: unlock', async (tx) => {
      const decision = beginAttempt(
        parseAttempts(await tx.objectStore(META_STORE).get(ATTEMPTS_KEY), now),
        now,
      );
      await tx.objectStore(META_STORE).put({ ...decision.next }, ATTEMPTS_KEY);
      return decision;
    });
    if (refused) throw refused;
    const key = await unwrapVaultKey(
      await passphraseKek(passphrase, meta.kdf, meta.vaultId),
      meta.passphraseWrap,
      meta.vaultId,
      'passphrase',
    );
    if (!key) {
      const wait = backoffDelay(next.failures);
      throw new VaultError('wrong-passphrase', 'vault: wrong passphrase', { retryAfterMs: wait });
    }
    return this.unlocked(key, meta);
  }

  /** Unwraps the vault key with the recovery code. No back-off: 160 random bits cannot be guessed. */
  async unlockWithRecoveryCode(code: string): Promise<VaultKey> {
    const bytes = parseRecoveryCode(code);
    const meta = await this.db.requireMeta();
    const key = await unwrapVaultKey(
      recoveryKek(bytes, meta.vaultId),
      meta.recoveryWrap,
      meta.vaultId,
      'recovery',
    );
    bytes.fill(0);
    if (!key) throw new VaultError('wrong-recovery-code', 'vault: wrong recovery code');
    return this.unlocked(key, meta);
  }

  /** Throws `locked` unless `key` opens this vault now. */
  async checkKey(key: VaultKey): Promise<void> {
    await this.db.keyed(key);
  }

  /**
   * Re-wraps the vault key under a new passphrase (new salt). Records are not
   * touched: their ciphertexts stay byte for byte the same. The UI should ask
   * for the current passphrase first (`unlock`) before calling this.
   */
  async changePassphrase(
    key: VaultKey,
    newPassphrase: string,
    options: PassphraseOptions = {},
  ): Promise<void> {
    checkNewPassphrase(newPassphrase);
    const { meta, subkeys } = await this.db.keyed(key);
    const params = options.argon2 ?? meta.kdf;
    checkArgon2Params(params);
    const kdf = newKdf(params);
    const kek = await passphraseKek(newPassphrase, kdf, meta.vaultId);
    const passphraseWrap = await wrapVaultKey(kek, key, meta.vaultId, 'passphrase');
    await this.db.commit(subkeys, [], 'vault: change passphrase', (current) =>
      metaRecord({ ...current, kdf, passphraseWrap }),
    );
  }

  /** Forgotten passphrase: opens with the recovery code and sets a new passphrase. */
  async resetPassphraseWithRecoveryCode(
    code: string,
    newPassphrase: string,
    options: PassphraseOptions = {},
  ): Promise<VaultKey> {
    checkNewPassphrase(newPassphrase);
    const key = await this.unlockWithRecoveryCode(code);
    await this.changePassphrase(key, newPassphrase, options);
    return key;
  }

  /** The encrypted backup file (backup-format.ts): opens with the passphrase or the recovery code. */
  async exportBackup(key: VaultKey): Promise<Uint8Array> {
    return exportBackup(this.db, key);
  }

  /** Restores a backup into this vault, which must be empty. Returns the vault key. */
  async importBackup(bytes: Uint8Array, secret: VaultSecret): Promise<VaultKey> {
    if (!(await this.isEmpty()))
      throw new VaultError('already-initialized', 'vault: not empty, import refused');
    const key = await importBackup(this.db, bytes, secret);
    await this.completeMigrations(key);
    return key;
  }

  /** Deletes everything, in one transaction. Every VaultKey issued before reads as `locked`. */
  async destroy(): Promise<void> {
    await this.db.write(ALL_STORES, 'vault: destroy', async (tx) => {
      for (const store of ALL_STORES) await tx.objectStore(store).clear();
    });
  }

  private async unlocked(key: VaultKey, meta: VaultMeta): Promise<VaultKey> {
    // The wrap opened, so the meta is ours; a check value that disagrees means it was edited.
    if (!equalBytes(keyCheckValue(key, meta.vaultId), meta.keyCheck)) {
      throw new VaultError('corrupted', 'vault meta: key check value does not match');
    }
    await this.db.write([META_STORE], 'vault: unlock', async (tx) => {
      await tx.objectStore(META_STORE).put({ ...NO_ATTEMPTS }, ATTEMPTS_KEY);
    });
    await this.completeMigrations(key);
    return key;
  }

  /**
   * The keyed steps of migrations (schema.ts). Best effort: if storage fails
   * here the flag stays and the step runs again later; unlocking still works.
   */
  private async completeMigrations(key: VaultKey): Promise<void> {
    try {
      await this.contacts.completeIndex(key);
    } catch (e) {
      if (!(e instanceof VaultError) || (e.code !== 'quota-exceeded' && e.code !== 'storage-failed')) throw e;
    }
  }

  private async isEmpty(): Promise<boolean> {
    return this.db.read(ALL_STORES, 'vault', (tx) => isEmptyIn(tx));
  }
}

function newKdf(params: Argon2Params): PassphraseKdf {
  return {
    memoryKiB: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
    salt: systemRandom(ARGON2_SALT_LENGTH),
  };
}
