/**
 * The vault key: 32 random bytes that encrypt every record. It never touches
 * storage in the clear; it is stored only wrapped (key-wrap.ts). Everything the
 * vault does with it goes through subkeys derived per purpose and per vault,
 * so no two uses share a key (docs/keyring.md §Keys):
 *
 *   subkey(purpose) = HKDF-SHA-256(IKM = vault key, salt = label(purpose), info = vault id, L = 32)
 *
 *   "vault records"   AES-256-GCM key of the records
 *   "vault index"     HMAC key of the blind record ids and fingerprint tags
 *   "vault key check" stored in the meta record, to refuse a stale or foreign key before a write
 *   "vault backup"    HMAC key that authenticates a backup file as a whole
 */
import { importAesGcmKey } from '../crypto/aes-gcm';
import { equalBytes, toHex, utf8 } from '../crypto/bytes';
import { hkdfSha256, hmacSha256, label } from '../crypto/hash';
import { systemRandom } from '../crypto/random';
import { VaultError } from './errors';

export const VAULT_KEY_LENGTH = 32;

declare const vaultKeyBrand: unique symbol;
/** The unlocked vault key. The background holds it while the vault is unlocked, and only there. */
export type VaultKey = Uint8Array & { readonly [vaultKeyBrand]: true };

export function generateVaultKey(): VaultKey {
  return systemRandom(VAULT_KEY_LENGTH) as VaultKey;
}

/**
 * Re-brands bytes the background kept (e.g. in `storage.session` across a
 * service-worker restart). The vault still checks the key against its meta
 * record before every use.
 */
export function vaultKeyFromBytes(bytes: Uint8Array): VaultKey {
  if (!(bytes instanceof Uint8Array) || bytes.length !== VAULT_KEY_LENGTH) {
    throw new VaultError('invalid-input', `vault key: expected ${VAULT_KEY_LENGTH} bytes`);
  }
  return bytes.slice() as VaultKey;
}

export interface VaultSubkeys {
  readonly vaultId: Uint8Array;
  readonly recordKey: CryptoKey;
  readonly indexKey: Uint8Array;
  readonly keyCheck: Uint8Array;
  readonly backupKey: Uint8Array;
}

export function keyCheckValue(key: VaultKey, vaultId: Uint8Array): Uint8Array {
  return hkdfSha256(key, label('vault key check'), vaultId, 32);
}

// One derivation per key object and vault: HKDF and importKey are cheap but not free, and
// every record operation needs them. Keyed weakly so a dropped key takes its subkeys with it.
const cache = new WeakMap<VaultKey, { vaultIdHex: string; subkeys: Promise<VaultSubkeys> }>();

export function deriveSubkeys(key: VaultKey, vaultId: Uint8Array): Promise<VaultSubkeys> {
  if (!(key instanceof Uint8Array) || key.length !== VAULT_KEY_LENGTH) {
    throw new VaultError('invalid-input', 'vault key: expected a VaultKey');
  }
  const vaultIdHex = toHex(vaultId);
  const hit = cache.get(key);
  if (hit && hit.vaultIdHex === vaultIdHex) return hit.subkeys;
  const subkeys = (async () => {
    const recordRaw = hkdfSha256(key, label('vault records'), vaultId, 32);
    try {
      return {
        vaultId: vaultId.slice(),
        recordKey: await importAesGcmKey(recordRaw),
        indexKey: hkdfSha256(key, label('vault index'), vaultId, 32),
        keyCheck: keyCheckValue(key, vaultId),
        backupKey: hkdfSha256(key, label('vault backup'), vaultId, 32),
      };
    } finally {
      recordRaw.fill(0);
    }
  })();
  cache.set(key, { vaultIdHex, subkeys });
  return subkeys;
}

/** Throws `locked` unless the subkeys belong to the vault whose meta holds `vaultId` and `keyCheck`. */
export function checkSubkeys(subkeys: VaultSubkeys, vaultId: Uint8Array, keyCheck: Uint8Array): void {
  if (!equalBytes(subkeys.vaultId, vaultId) || !equalBytes(subkeys.keyCheck, keyCheck)) {
    throw new VaultError('locked', 'vault: this key does not open this vault (locked or stale key)');
  }
}

/**
 * A blind index value: HMAC(index key, label(purpose) ‖ value), first 16 bytes
 * in hex. Contacts are stored under blind ids so the database does not list
 * whom the user writes to (docs/keyring.md §What is in the clear).
 */
export function blindIndex(subkeys: VaultSubkeys, purpose: string, value: Uint8Array | string): string {
  const bytes = typeof value === 'string' ? utf8(value) : value;
  return toHex(hmacSha256(subkeys.indexKey, label(purpose), bytes).subarray(0, 16));
}
