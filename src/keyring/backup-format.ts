/**
 * The encrypted backup file (docs/keyring.md §Backup):
 *
 *   "CPVB" | version u8 = 1 | body length u32 | body | HMAC-SHA-256(backup subkey, all preceding bytes)
 *   body = UTF-8 JSON { vaultId, schemaVersion, created, exported, kdf, passphraseWrap, recoveryWrap,
 *                       keyCheck, records: { identities, contacts, settings } }   (bytes as base64)
 *
 * The records are the vault's ciphertexts as stored, and the wraps are the
 * vault's wraps, so the file opens with the same passphrase or recovery code
 * and nothing is decrypted to make it. Each record is authenticated on its own;
 * the MAC over the whole file (under a subkey of the vault key, so checked
 * after unwrapping) also catches records dropped, duplicated or swapped for
 * older versions from another backup of the same vault.
 */
import { ByteReader, ByteWriter, equalBytes, utf8 } from '../crypto/bytes';
import { hmacSha256 } from '../crypto/hash';
import { decodeJson, Fields, toBase64 } from './codec';
import { VaultError } from './errors';
import { parseMeta, type VaultMeta } from './meta';
import { parseStored, type StoredRecord } from './record-crypto';
import { RECORD_STORES, type RecordStore } from './schema';

export const BACKUP_MAGIC = utf8('CPVB');
export const BACKUP_VERSION = 1;
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024;
const MAX_RECORDS = 100_000;

export type BackupRecords = Record<RecordStore, StoredRecord[]>;

export interface ParsedBackup {
  readonly meta: VaultMeta;
  readonly exported: number;
  readonly records: BackupRecords;
  readonly signed: Uint8Array;
  readonly mac: Uint8Array;
}

const b64 = (bytes: Uint8Array) => toBase64(bytes);
const wrapJson = (w: { nonce: Uint8Array; ciphertext: Uint8Array }) => ({
  nonce: b64(w.nonce),
  ciphertext: b64(w.ciphertext),
});

export function encodeBackup(
  meta: VaultMeta,
  records: BackupRecords,
  exported: number,
  macKey: Uint8Array,
): Uint8Array {
  const body = utf8(
    JSON.stringify({
      vaultId: b64(meta.vaultId),
      schemaVersion: meta.schemaVersion,
      created: meta.created,
      exported,
      kdf: {
        algorithm: 'argon2id',
        memoryKiB: meta.kdf.memoryKiB,
        iterations: meta.kdf.iterations,
        parallelism: meta.kdf.parallelism,
        salt: b64(meta.kdf.salt),
      },
      passphraseWrap: wrapJson(meta.passphraseWrap),
      recoveryWrap: wrapJson(meta.recoveryWrap),
      keyCheck: b64(meta.keyCheck),
      records: Object.fromEntries(
        RECORD_STORES.map((store) => [
          store,
          records[store].map((r) => ({
            id: r.id,
            v: r.v,
            nonce: b64(r.nonce),
            ciphertext: b64(r.ciphertext),
          })),
        ]),
      ),
    }),
  );
  const signed = new ByteWriter().bytes(BACKUP_MAGIC).u8(BACKUP_VERSION).var32(body).finish();
  return new ByteWriter().bytes(signed).bytes(hmacSha256(macKey, signed)).finish();
}

/** Parses the structure only; the caller unwraps the key, then calls `backupMacIsValid`. */
export function parseBackup(bytes: Uint8Array): ParsedBackup {
  if (!(bytes instanceof Uint8Array)) throw new VaultError('invalid-input', 'backup: expected bytes');
  if (bytes.length > MAX_BACKUP_BYTES) throw new VaultError('invalid-backup', 'backup: file too large');
  const fail = (message: string): never => {
    throw new VaultError('invalid-backup', `backup: ${message}`);
  };
  let body: Uint8Array;
  let signedLength: number;
  try {
    const r = new ByteReader(bytes, 'backup');
    if (!equalBytes(r.bytes(4, 'magic'), BACKUP_MAGIC)) fail('not a Cipherpost vault backup');
    const version = r.u8('version');
    if (version !== BACKUP_VERSION) {
      throw new VaultError('unsupported-version', `backup: version ${version} is not supported`);
    }
    body = r.var32('body', MAX_BACKUP_BYTES);
    signedLength = r.offset;
    r.bytes(32, 'MAC');
    r.end();
  } catch (e) {
    if (e instanceof VaultError) throw e;
    return fail('truncated or malformed');
  }
  const f = new Fields(decodeJson(body, 'backup body', 'invalid-backup'), 'backup', 'invalid-backup');
  const kdf = f.object('kdf');
  const wrap = (name: string) => {
    const w = f.object(name);
    return { nonce: w.base64('nonce'), ciphertext: w.base64('ciphertext') };
  };
  // Re-use the meta validator: same fields, same bounds.
  const meta = parseMeta(
    {
      schemaVersion: f.int('schemaVersion', 1, 1000),
      vaultId: f.base64('vaultId'),
      created: f.int('created'),
      kdf: {
        algorithm: kdf.string('algorithm'),
        memoryKiB: kdf.raw('memoryKiB'),
        iterations: kdf.raw('iterations'),
        parallelism: kdf.raw('parallelism'),
        salt: kdf.base64('salt'),
      },
      passphraseWrap: wrap('passphraseWrap'),
      recoveryWrap: wrap('recoveryWrap'),
      keyCheck: f.base64('keyCheck'),
    },
    'invalid-backup',
  );
  const recordsField = f.object('records');
  const records = {} as BackupRecords;
  for (const store of RECORD_STORES) {
    const seen = new Set<string>();
    records[store] = recordsField.array(store, MAX_RECORDS).map((raw) => {
      const r = new Fields(raw, `backup ${store}`, 'invalid-backup');
      const stored = {
        id: r.string('id', 200),
        v: r.int('v', 1, 0xffff),
        nonce: r.base64('nonce'),
        ciphertext: r.base64('ciphertext'),
      };
      try {
        parseStored(stored, store);
      } catch {
        r.fail('malformed record');
      }
      if (seen.has(stored.id)) r.fail('duplicate record id');
      seen.add(stored.id);
      return stored;
    });
  }
  return {
    meta,
    exported: f.int('exported'),
    records,
    signed: bytes.subarray(0, signedLength),
    mac: bytes.subarray(signedLength),
  };
}

export function backupMacIsValid(backup: ParsedBackup, macKey: Uint8Array): boolean {
  return equalBytes(hmacSha256(macKey, backup.signed), backup.mac);
}
