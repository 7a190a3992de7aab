/**
 * Export and import of the encrypted backup (format in backup-format.ts).
 *
 * Export copies one consistent snapshot (a single readonly transaction) of the
 * meta and every record, as ciphertext. Import checks the file completely
 * (structure, the secret, the key check value, the MAC) before it writes
 * anything, then writes everything in one transaction into an empty vault.
 * No back-off applies to import: whoever holds the file can guess offline anyway.
 */

import { NO_ATTEMPTS } from './backoff';
import { type BackupRecords, backupMacIsValid, encodeBackup, parseBackup } from './backup-format';
import { isVaultError, VaultError } from './errors';
import { passphraseKek, recoveryKek, unwrapVaultKey } from './key-wrap';
import { ATTEMPTS_KEY, META_KEY, metaRecord, parseMeta } from './meta';
import { parseStored, type StoredRecord } from './record-crypto';
import { parseRecoveryCode } from './recovery-code';
import { ALL_STORES, META_STORE, RECORD_STORES, SCHEMA_VERSION } from './schema';
import { isEmptyIn, type VaultDb } from './vault-db';
import { checkSubkeys, deriveSubkeys, type VaultKey } from './vault-key';

/** What opens a backup: the vault's passphrase or its recovery code. */
export type VaultSecret = { readonly passphrase: string } | { readonly recoveryCode: string };

export async function exportBackup(db: VaultDb, key: VaultKey): Promise<Uint8Array> {
  const { subkeys } = await db.keyed(key);
  const snapshot = await db.read(ALL_STORES, 'backup: export', async (tx) => ({
    meta: (await tx.objectStore(META_STORE).get(META_KEY)) as unknown,
    records: await Promise.all(
      RECORD_STORES.map((store) => tx.objectStore(store).getAll() as Promise<unknown[]>),
    ),
  }));
  if (snapshot.meta === undefined)
    throw new VaultError('locked', 'vault: destroyed since this key was issued');
  const meta = parseMeta(snapshot.meta);
  checkSubkeys(subkeys, meta.vaultId, meta.keyCheck);
  const records = {} as BackupRecords;
  RECORD_STORES.forEach((store, i) => {
    const out: StoredRecord[] = [];
    for (const raw of snapshot.records[i]!) {
      // A record too malformed to even copy is left out; one that merely fails its tag is
      // copied as it is and reads as corrupted after import too.
      try {
        const { id, v, nonce, ciphertext } = parseStored(raw, store);
        out.push({ id, v, nonce, ciphertext });
      } catch {}
    }
    records[store] = out;
  });
  return encodeBackup({ ...meta, schemaVersion: db.schemaVersion }, records, db.now(), subkeys.backupKey);
}

export async function importBackup(db: VaultDb, bytes: Uint8Array, secret: VaultSecret): Promise<VaultKey> {
  const backup = parseBackup(bytes);
  const { meta } = backup;
  if (meta.schemaVersion > SCHEMA_VERSION) {
    throw new VaultError('unsupported-version', 'backup: made by a newer Cipherpost');
  }
  let key: VaultKey | undefined;
  if ('passphrase' in secret) {
    if (typeof secret.passphrase !== 'string' || secret.passphrase.length === 0) {
      throw new VaultError('invalid-input', 'backup: expected a passphrase');
    }
    const kek = await passphraseKek(secret.passphrase, meta.kdf, meta.vaultId);
    key = await unwrapVaultKey(kek, meta.passphraseWrap, meta.vaultId, 'passphrase');
    if (!key) throw new VaultError('wrong-passphrase', 'backup: wrong passphrase');
  } else {
    const code = parseRecoveryCode(secret.recoveryCode);
    key = await unwrapVaultKey(recoveryKek(code, meta.vaultId), meta.recoveryWrap, meta.vaultId, 'recovery');
    code.fill(0);
    if (!key) throw new VaultError('wrong-recovery-code', 'backup: wrong recovery code');
  }
  const subkeys = await deriveSubkeys(key, meta.vaultId);
  try {
    checkSubkeys(subkeys, meta.vaultId, meta.keyCheck);
  } catch (e) {
    if (isVaultError(e)) throw new VaultError('invalid-backup', 'backup: key check value does not match');
    throw e;
  }
  if (!backupMacIsValid(backup, subkeys.backupKey)) {
    throw new VaultError('invalid-backup', 'backup: the file was changed');
  }
  // Backups carry no index fields; the v2 fingerprint tags are recomputed by the keyed
  // migration step right after (Vault.importBackup), as for a v1 database.
  const restored = metaRecord({
    ...meta,
    schemaVersion: db.schemaVersion,
    ...(db.schemaVersion >= 2 ? { indexPending: true } : {}),
  });
  await db.write(ALL_STORES, 'backup: import', async (tx) => {
    if (!(await isEmptyIn(tx)))
      throw new VaultError('already-initialized', 'vault: not empty, import refused');
    await tx.objectStore(META_STORE).put(restored, META_KEY);
    await tx.objectStore(META_STORE).put({ ...NO_ATTEMPTS }, ATTEMPTS_KEY);
    for (const store of RECORD_STORES) {
      for (const record of backup.records[store]) await tx.objectStore(store).put({ ...record });
    }
  });
  return key;
}
