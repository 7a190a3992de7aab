/**
 * The identity record: the 32-byte seed (everything private derives from it,
 * src/crypto/identity.ts), the signed public bundle, when it was added and
 * whether it is the primary identity.
 *
 *   plaintext (record version 1) = JSON { seed: base64, bundle: base64, created: ms, primary: bool }
 */
import {
  deriveIdentityKeys,
  type Identity,
  type IdentitySeed,
  type PublicKeyBundle,
  parseKeyBundle,
} from '../crypto';
import { equalBytes, toHex } from '../crypto/bytes';
import { decodeJson, encodeJson, Fields, toBase64 } from './codec';
import { VaultError, type VaultErrorCode } from './errors';

export const IDENTITY_RECORD_VERSION = 1;

export interface IdentityRecord {
  readonly seed: IdentitySeed;
  /** The signed public key bundle, canonical bytes. */
  readonly bundle: Uint8Array;
  /** Epoch milliseconds when it was added to the vault. */
  readonly created: number;
  readonly primary: boolean;
}

/** What the UI may see of an identity: no secrets. */
export interface IdentityInfo {
  readonly id: string;
  /** Lower-case hex of the bundle fingerprint (formatFingerprint for display). */
  readonly fingerprint: string;
  readonly addresses: readonly string[];
  /** Bundle validity, seconds since the epoch. */
  readonly keyCreated: number;
  readonly expires: number;
  /** Epoch milliseconds when it was added to the vault. */
  readonly added: number;
  readonly primary: boolean;
}

export function encodeIdentity(record: IdentityRecord): Uint8Array {
  return encodeJson({
    seed: toBase64(record.seed),
    bundle: toBase64(record.bundle),
    created: record.created,
    primary: record.primary,
  });
}

export function decodeIdentity(bytes: Uint8Array): IdentityRecord {
  const f = new Fields(decodeJson(bytes, 'identity'), 'identity');
  return {
    seed: f.base64('seed', 32) as IdentitySeed,
    bundle: f.base64('bundle'),
    created: f.int('created'),
    primary: f.boolean('primary'),
  };
}

/**
 * Derives the keys from the seed and checks that the bundle is valid and
 * carries exactly those public keys: a bundle that belongs to another seed
 * would make us sign with one key and advertise another.
 */
export async function openIdentity(
  seed: Uint8Array,
  bundleBytes: Uint8Array,
  code: VaultErrorCode = 'corrupted',
): Promise<Identity> {
  let bundle: PublicKeyBundle;
  try {
    bundle = await parseKeyBundle(bundleBytes);
  } catch {
    throw new VaultError(code, 'identity: the public bundle does not verify');
  }
  const keys = await deriveIdentityKeys(seed);
  if (
    !equalBytes(keys.x25519PublicKey, bundle.x25519PublicKey) ||
    !equalBytes(keys.ed25519PublicKey, bundle.ed25519PublicKey) ||
    !equalBytes(keys.mlKemPublicKey, bundle.mlKemPublicKey)
  ) {
    throw new VaultError(code, 'identity: the bundle does not belong to this seed');
  }
  return { keys, bundle };
}

export function identityInfo(id: string, record: IdentityRecord, bundle: PublicKeyBundle): IdentityInfo {
  return {
    id,
    fingerprint: toHex(bundle.fingerprint),
    addresses: bundle.addresses,
    keyCreated: bundle.created,
    expires: bundle.expires,
    added: record.created,
    primary: record.primary,
  };
}
