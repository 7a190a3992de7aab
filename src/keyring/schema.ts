/**
 * The IndexedDB schema and its migrations. The database version is the schema
 * version; each migration takes the database from `version - 1` to `version`
 * inside IndexedDB's versionchange transaction, so an upgrade either completes
 * or leaves the old database untouched (IndexedDB §5.6 "upgrade a database").
 *
 * Migrations only change structure and plaintext fields. Data that needs the
 * vault key is migrated at the next unlock (vault.ts `completeMigrations`),
 * because an upgrade runs at open, before anyone typed a passphrase.
 *
 * Never edit a released migration: add one. Each has a test that builds the
 * old database with the old code path (test/keyring/migrations.test.ts).
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { META_KEY } from './meta';

export const DEFAULT_DB_NAME = 'cipherpost-vault';

export const META_STORE = 'meta';
export const IDENTITIES = 'identities';
export const CONTACTS = 'contacts';
export const SETTINGS = 'settings';
export type RecordStore = typeof IDENTITIES | typeof CONTACTS | typeof SETTINGS;
export const RECORD_STORES: readonly RecordStore[] = [IDENTITIES, CONTACTS, SETTINGS];
export const ALL_STORES = [META_STORE, ...RECORD_STORES];

/** v2: contacts carry `fingerprintTags` (blind, see vault-key.ts) under this multiEntry index. */
export const BY_FINGERPRINT = 'byFingerprint';

export type UpgradeTransaction = IDBPTransaction<unknown, string[], 'versionchange'>;

export interface Migration {
  /** The version this step produces. */
  readonly version: number;
  readonly summary: string;
  upgrade(db: IDBPDatabase, tx: UpgradeTransaction): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    summary: 'meta store (out-of-line keys); identities, contacts, settings keyed by record id',
    async upgrade(db) {
      db.createObjectStore(META_STORE);
      for (const store of RECORD_STORES) db.createObjectStore(store, { keyPath: 'id' });
    },
  },
  {
    version: 2,
    summary: 'contacts: byFingerprint index over blind fingerprint tags, filled at the next unlock',
    // v1 could only find the contact that holds a fingerprint (a message's signer, a
    // directory answer) by decrypting every contact. v2 stores, next to each encrypted
    // contact, HMAC tags of its fingerprints and indexes them. Tags need the vault key,
    // so the upgrade marks the vault and the first unlock computes them.
    async upgrade(_db, tx) {
      tx.objectStore(CONTACTS).createIndex(BY_FINGERPRINT, 'fingerprintTags', { multiEntry: true });
      const meta = tx.objectStore(META_STORE);
      const current: unknown = await meta.get(META_KEY);
      if (typeof current === 'object' && current !== null) {
        await meta.put({ ...current, schemaVersion: 2, indexPending: true }, META_KEY);
      }
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Runs the steps from `oldVersion` to `newVersion` in order, in the upgrade transaction. */
export async function migrate(
  db: IDBPDatabase,
  tx: UpgradeTransaction,
  oldVersion: number,
  newVersion: number,
): Promise<void> {
  for (const step of MIGRATIONS) {
    if (step.version > oldVersion && step.version <= newVersion) await step.upgrade(db, tx);
  }
}
