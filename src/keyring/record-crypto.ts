/**
 * Records at rest. Each identity, contact and settings record is sealed on its
 * own under the records subkey (vault-key.ts):
 *
 *   nonce = 96 random bits, fresh on every write
 *   AAD   = label("vault record") ‖ len ‖ vault id ‖ len ‖ store ‖ len ‖ record id ‖ u16 record version
 *   stored { id, v, nonce, ciphertext }   (+ plaintext index fields, see schema.ts)
 *
 * The AAD binds a record to its vault, store, id and version: a record copied
 * to another id, store or vault, or relabelled with another version, fails its
 * tag and reads as `corrupted`. Random nonces are safe here: a vault writes far
 * fewer than 2^32 records under one key (SP 800-38D §8.3).
 */
import { aesGcmOpen, aesGcmSeal, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from '../crypto/aes-gcm';
import { ByteWriter, utf8 } from '../crypto/bytes';
import { label } from '../crypto/hash';
import { systemRandom } from '../crypto/random';
import { Fields } from './codec';
import { VaultError } from './errors';
import type { RecordStore } from './schema';
import type { VaultSubkeys } from './vault-key';

export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export interface StoredRecord {
  readonly id: string;
  /** The record's own format version (not the database schema version). */
  readonly v: number;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
  /** Contacts, schema v2+: blind tags of every fingerprint, for the byFingerprint index. */
  readonly fingerprintTags?: readonly string[];
}

function recordAad(vaultId: Uint8Array, store: RecordStore, id: string, version: number): Uint8Array {
  return new ByteWriter()
    .bytes(label('vault record'))
    .var8(vaultId)
    .var8(utf8(store))
    .var8(utf8(id))
    .u16(version)
    .finish();
}

export async function sealRecord(
  subkeys: VaultSubkeys,
  store: RecordStore,
  id: string,
  version: number,
  plaintext: Uint8Array,
): Promise<StoredRecord> {
  if (plaintext.length > MAX_RECORD_BYTES)
    throw new VaultError('invalid-input', `${store}: record too large`);
  const nonce = systemRandom(GCM_NONCE_LENGTH);
  const aad = recordAad(subkeys.vaultId, store, id, version);
  const ciphertext = await aesGcmSeal(subkeys.recordKey, nonce, plaintext, aad);
  return { id, v: version, nonce, ciphertext };
}

/** Checks the stored shape; the id is needed to report a record that does not open. */
export function parseStored(value: unknown, store: RecordStore): StoredRecord {
  const f = new Fields(value, `${store} record`);
  const record: StoredRecord = {
    id: f.string('id', 200),
    v: f.int('v', 1, 0xffff),
    nonce: f.bytes('nonce', GCM_NONCE_LENGTH),
    ciphertext: f.bytes('ciphertext'),
  };
  if (record.ciphertext.length < GCM_TAG_LENGTH) f.fail('ciphertext too short');
  return record;
}

/**
 * Opens a stored record; `corrupted` if it was changed, moved or is not from
 * this vault. The version is checked after authentication (it is in the AAD),
 * so only a genuine record from a newer Cipherpost reads as `unsupported-version`.
 */
export async function openRecord(
  subkeys: VaultSubkeys,
  store: RecordStore,
  record: StoredRecord,
  knownVersion: number,
): Promise<Uint8Array> {
  const aad = recordAad(subkeys.vaultId, store, record.id, record.v);
  let plaintext: Uint8Array;
  try {
    plaintext = await aesGcmOpen(subkeys.recordKey, record.nonce, record.ciphertext, aad);
  } catch {
    throw new VaultError('corrupted', `${store} record: authentication failed`);
  }
  if (record.v > knownVersion) {
    throw new VaultError(
      'unsupported-version',
      `${store} record: version ${record.v} is from a newer Cipherpost`,
    );
  }
  return plaintext;
}

/** A record that did not open; listed so the UI can say so, while the others still read. */
export interface CorruptedRecord {
  readonly store: RecordStore;
  readonly id: string;
}

export interface ListResult<T> {
  readonly items: T[];
  readonly corrupted: CorruptedRecord[];
}

/**
 * Opens every record of a list with `decode`; a record that fails is reported
 * in `corrupted` and does not stop the others.
 */
export async function openAll<T>(
  raws: readonly unknown[],
  store: RecordStore,
  decode: (record: StoredRecord) => Promise<T>,
): Promise<ListResult<T>> {
  const items: T[] = [];
  const corrupted: CorruptedRecord[] = [];
  for (const raw of raws) {
    try {
      items.push(await decode(parseStored(raw, store)));
    } catch (e) {
      if (!(e instanceof VaultError) || (e.code !== 'corrupted' && e.code !== 'unsupported-version')) throw e;
      const id = (raw as { id?: unknown } | null)?.id;
      corrupted.push({ store, id: typeof id === 'string' ? id : '?' });
    }
  }
  return { items, corrupted };
}
