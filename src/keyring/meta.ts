/**
 * The meta store: two plaintext records that say how to unlock the vault.
 *
 * - "vault": schema version, vault id, creation time, the Argon2id parameters
 *   and salt, the two wraps of the vault key, and the key check value. Nothing
 *   here is secret: the wraps are ciphertext, the check value is an HKDF output.
 * - "attempts": the back-off state (backoff.ts). Apart from the wraps so that a
 *   wrong passphrase never rewrites key material.
 */
import { GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from '../crypto/aes-gcm';
import { ARGON2_SALT_LENGTH, argon2ParamsAreValid } from '../crypto/password-kek';
import type { AttemptState } from './backoff';
import { Fields } from './codec';
import type { PassphraseKdf, WrappedKey } from './key-wrap';
import { VAULT_KEY_LENGTH } from './vault-key';

export const META_KEY = 'vault';
export const ATTEMPTS_KEY = 'attempts';
export const VAULT_ID_LENGTH = 16;

export interface VaultMeta {
  readonly schemaVersion: number;
  readonly vaultId: Uint8Array;
  /** Epoch milliseconds. */
  readonly created: number;
  readonly kdf: PassphraseKdf;
  readonly passphraseWrap: WrappedKey;
  readonly recoveryWrap: WrappedKey;
  readonly keyCheck: Uint8Array;
  /**
   * Set by the v1 → v2 upgrade: contact fingerprint tags need the vault key, so
   * they are filled in at the next unlock (schema.ts, docs/keyring.md §Migrations).
   */
  readonly indexPending?: boolean;
}

function parseWrap(f: Fields): WrappedKey {
  return {
    nonce: f.bytes('nonce', GCM_NONCE_LENGTH),
    ciphertext: f.bytes('ciphertext', VAULT_KEY_LENGTH + GCM_TAG_LENGTH),
  };
}

/** Validates what IndexedDB (or a backup) gave back; anything else is `corrupted`. */
export function parseMeta(value: unknown, code: 'corrupted' | 'invalid-backup' = 'corrupted'): VaultMeta {
  const f = new Fields(value, 'vault meta', code);
  const kdf = f.object('kdf');
  if (kdf.string('algorithm') !== 'argon2id') kdf.fail('unknown KDF');
  const meta: VaultMeta = {
    schemaVersion: f.int('schemaVersion', 1, 1000),
    vaultId: f.bytes('vaultId', VAULT_ID_LENGTH),
    created: f.int('created'),
    kdf: {
      memoryKiB: kdf.int('memoryKiB', 1, 2 ** 32),
      iterations: kdf.int('iterations', 1, 1000),
      parallelism: kdf.int('parallelism', 1, 255),
      salt: kdf.bytes('salt', ARGON2_SALT_LENGTH),
    },
    passphraseWrap: parseWrap(f.object('passphraseWrap')),
    recoveryWrap: parseWrap(f.object('recoveryWrap')),
    keyCheck: f.bytes('keyCheck', 32),
  };
  // A hostile backup or an edited meta must not make us allocate gigabytes (RFC 9106 §4 bounds in password-kek.ts).
  if (!argon2ParamsAreValid(meta.kdf)) f.fail('Argon2id parameters out of bounds');
  return f.has('indexPending') && f.boolean('indexPending') ? { ...meta, indexPending: true } : meta;
}

/** The stored form: plain structured-clone values. */
export function metaRecord(meta: VaultMeta): Record<string, unknown> {
  const { kdf, passphraseWrap, recoveryWrap } = meta;
  return {
    schemaVersion: meta.schemaVersion,
    vaultId: meta.vaultId,
    created: meta.created,
    kdf: {
      algorithm: 'argon2id',
      memoryKiB: kdf.memoryKiB,
      iterations: kdf.iterations,
      parallelism: kdf.parallelism,
      salt: kdf.salt,
    },
    passphraseWrap: { nonce: passphraseWrap.nonce, ciphertext: passphraseWrap.ciphertext },
    recoveryWrap: { nonce: recoveryWrap.nonce, ciphertext: recoveryWrap.ciphertext },
    keyCheck: meta.keyCheck,
    ...(meta.indexPending ? { indexPending: true } : {}),
  };
}

/** A missing or unreadable attempts record counts as the worst case, not as none. */
export function parseAttempts(value: unknown, now: number): AttemptState {
  if (value === undefined) return { failures: 0, notBefore: 0 };
  try {
    const f = new Fields(value, 'attempts');
    return { failures: f.int('failures', 0, 1_000_000), notBefore: f.int('notBefore') };
  } catch {
    return { failures: 1_000_000, notBefore: now };
  }
}
