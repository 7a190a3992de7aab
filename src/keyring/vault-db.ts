/**
 * The vault's IndexedDB access: opening with migrations on an injected
 * IDBFactory, and transactions that either commit whole or leave nothing.
 *
 * Atomicity: every multi-record change runs in ONE readwrite transaction. On
 * any error inside it, the transaction is aborted explicitly, so the puts that
 * already ran are rolled back (IndexedDB §5.4 "abort a transaction"). No
 * WebCrypto call is awaited inside a transaction (it would let the transaction
 * auto-commit half done): records are sealed first, then written; read-modify-
 * write goes through `commit`'s compare-and-swap on the nonce read before.
 */
import { type IDBPDatabase, type IDBPTransaction, wrap } from 'idb';
import { toVaultError, VaultError } from './errors';
import { META_KEY, parseMeta, type VaultMeta } from './meta';
import type { StoredRecord } from './record-crypto';
import {
  BY_FINGERPRINT,
  CONTACTS,
  META_STORE,
  migrate,
  RECORD_STORES,
  type RecordStore,
  type UpgradeTransaction,
} from './schema';
import { checkSubkeys, deriveSubkeys, type VaultKey, type VaultSubkeys } from './vault-key';

export type WriteTx = IDBPTransaction<unknown, string[], 'readwrite'>;
export type ReadTx = IDBPTransaction<unknown, string[], 'readonly'>;

/** A change to one record. `expect`: the nonce read before (CAS); `null`: must not exist yet. */
export type RecordOp =
  | { store: RecordStore; put: StoredRecord; expect?: Uint8Array | null }
  | { store: RecordStore; delete: string; expect?: Uint8Array | null };

/** Another writer changed a record between our read and our write; the caller re-reads. */
export class WriteConflict extends Error {
  override readonly name = 'WriteConflict';
}

export async function openDatabase(
  factory: IDBFactory,
  name: string,
  version: number,
): Promise<IDBPDatabase> {
  let request: IDBOpenDBRequest;
  try {
    request = factory.open(name, version);
  } catch (e) {
    throw toVaultError(e, 'vault: open');
  }
  let migrationError: unknown;
  request.addEventListener('upgradeneeded', (event) => {
    const tx = wrap(request.transaction!) as unknown as UpgradeTransaction;
    tx.done.catch(() => undefined); // an aborted upgrade is reported by the open request below
    migrate(wrap(request.result), tx, event.oldVersion, event.newVersion ?? version).catch((e) => {
      migrationError = e;
      try {
        tx.abort();
      } catch {
        // Already finished or aborted.
      }
    });
  });
  let db: IDBPDatabase;
  try {
    db = (await wrap(request)) as IDBPDatabase;
  } catch (e) {
    throw toVaultError(migrationError ?? e, 'vault: open');
  }
  // A newer Cipherpost (after an update) wants to upgrade: step aside, it owns the data now.
  db.addEventListener('versionchange', () => db.close());
  return db;
}

export class VaultDb {
  constructor(
    private readonly db: IDBPDatabase,
    readonly now: () => number,
  ) {}

  get schemaVersion(): number {
    return this.db.version;
  }

  close(): void {
    this.db.close();
  }

  /** A readonly transaction; errors become VaultErrors. */
  async read<T>(stores: string[], what: string, fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    try {
      return await fn(this.db.transaction(stores, 'readonly'));
    } catch (e) {
      throw toVaultError(e, what);
    }
  }

  /** A readwrite transaction that commits whole or, on any error, is aborted. */
  async write<T>(stores: string[], what: string, fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    let tx: WriteTx;
    try {
      tx = this.db.transaction(stores, 'readwrite', { durability: 'strict' });
    } catch (e) {
      throw toVaultError(e, what);
    }
    const done = tx.done;
    done.catch(() => undefined); // observed below, or moot after an abort
    try {
      const result = await fn(tx);
      await done;
      return result;
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // The transaction already aborted (e.g. a quota error) or finished.
      }
      if (e instanceof WriteConflict) throw e;
      throw toVaultError(e, what);
    }
  }

  async getMeta(): Promise<VaultMeta | undefined> {
    const raw: unknown = await this.read([META_STORE], 'vault meta', (tx) =>
      tx.objectStore(META_STORE).get(META_KEY),
    );
    return raw === undefined ? undefined : parseMeta(raw);
  }

  async requireMeta(): Promise<VaultMeta> {
    const meta = await this.getMeta();
    if (!meta) throw new VaultError('not-initialized', 'vault: not created yet');
    return meta;
  }

  /** The subkeys of `key`, after checking it is this vault's key (`locked` otherwise). */
  async keyed(key: VaultKey): Promise<{ meta: VaultMeta; subkeys: VaultSubkeys }> {
    const meta = await this.requireMeta();
    const subkeys = await deriveSubkeys(key, meta.vaultId);
    checkSubkeys(subkeys, meta.vaultId, meta.keyCheck);
    return { meta, subkeys };
  }

  async getRecord(store: RecordStore, id: string): Promise<unknown> {
    return this.read([store], store, (tx) => tx.objectStore(store).get(id));
  }

  async getAllRecords(store: RecordStore): Promise<unknown[]> {
    return this.read([store], store, (tx) => tx.objectStore(store).getAll());
  }

  async getContactsByTag(tag: string): Promise<unknown[]> {
    return this.read([CONTACTS], CONTACTS, (tx) =>
      tx.objectStore(CONTACTS).index(BY_FINGERPRINT).getAll(tag),
    );
  }

  /**
   * Applies `ops` in one transaction, after checking, in that same transaction,
   * that the key still opens the vault and that no record changed since it was
   * read. `updateMeta` may rewrite the meta record in the same transaction.
   */
  async commit(
    subkeys: VaultSubkeys,
    ops: readonly RecordOp[],
    what: string,
    updateMeta?: (meta: VaultMeta) => Record<string, unknown>,
  ): Promise<void> {
    const stores = [META_STORE, ...new Set(ops.map((op) => op.store))];
    await this.write(stores, what, async (tx) => {
      const raw: unknown = await tx.objectStore(META_STORE).get(META_KEY);
      if (raw === undefined) throw new VaultError('locked', 'vault: destroyed since this key was issued');
      const meta = parseMeta(raw);
      checkSubkeys(subkeys, meta.vaultId, meta.keyCheck);
      for (const op of ops) {
        const store = tx.objectStore(op.store);
        const id = 'put' in op ? op.put.id : op.delete;
        if (op.expect !== undefined) {
          const current = (await store.get(id)) as { nonce?: unknown } | undefined;
          if (!sameNonce(current?.nonce, op.expect)) throw new WriteConflict(`${op.store} changed meanwhile`);
        }
        if ('put' in op) await store.put(op.put);
        else await store.delete(id);
      }
      if (updateMeta) await tx.objectStore(META_STORE).put(updateMeta(meta), META_KEY);
    });
  }
}

function sameNonce(current: unknown, expected: Uint8Array | null): boolean {
  if (expected === null) return current === undefined;
  if (!(current instanceof Uint8Array) || current.length !== expected.length) return false;
  return current.every((b, i) => b === expected[i]);
}

/** Runs a read-modify-write until it commits without a concurrent change (a few tries). */
export async function retryOnConflict<T>(fn: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof WriteConflict) || i >= tries) {
        if (e instanceof WriteConflict)
          throw new VaultError('storage-failed', 'vault: too many concurrent writes');
        throw e;
      }
    }
  }
}

interface Counting {
  objectStore(name: string): { count(key?: IDBValidKey): Promise<number> };
}

/** No meta and no records: `create` and `importBackup` write only into such a vault. */
export async function isEmptyIn(tx: Counting): Promise<boolean> {
  const metaCount = await tx.objectStore(META_STORE).count(META_KEY);
  if (metaCount > 0) return false;
  for (const store of RECORD_STORES) if ((await tx.objectStore(store).count()) > 0) return false;
  return true;
}
