/**
 * Password recipients: the content key is also wrapped under a key derived
 * from a password with Argon2id (RFC 9106) through hash-wasm. The parameters
 * travel in the stanza; a reader refuses parameters outside sane bounds so a
 * hostile message cannot make it allocate gigabytes (docs/crypto.md §Passwords).
 */
import { argon2id } from 'hash-wasm';
import { utf8 } from './bytes';
import { CryptoError, checkBytes, checkString } from './errors';
import { hkdfSha256, label } from './hash';

export interface Argon2Params {
  /** Memory in KiB. */
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/** Issue #2: m = 64 MiB, t = 3, p = 1 (RFC 9106 §4, second recommended option). */
export const DEFAULT_ARGON2: Readonly<Argon2Params> = Object.freeze({
  memoryKiB: 65536,
  iterations: 3,
  parallelism: 1,
});
export const ARGON2_BOUNDS = Object.freeze({
  memoryKiB: [8192, 262144],
  iterations: [1, 10],
  parallelism: [1, 4],
} as const);
export const ARGON2_SALT_LENGTH = 16;
export const MAX_PASSWORD_LENGTH = 1024;

export function argon2ParamsAreValid(p: Argon2Params): boolean {
  return (Object.keys(ARGON2_BOUNDS) as (keyof Argon2Params)[]).every((k) => {
    const [min, max] = ARGON2_BOUNDS[k];
    return Number.isInteger(p[k]) && p[k] >= min && p[k] <= max;
  });
}

export function normalizePassword(password: string): Uint8Array {
  checkString(password, MAX_PASSWORD_LENGTH, 'password');
  if (password.length === 0) throw new CryptoError('invalid-input', 'password: empty');
  // NFC so the same password typed on two systems gives the same bytes.
  return utf8(password.normalize('NFC'));
}

/** Argon2id(password, salt) → 32 bytes. Used for message passwords and the vault. */
export async function argon2idKey(
  password: string,
  salt: Uint8Array,
  params: Argon2Params,
): Promise<Uint8Array> {
  checkBytes(salt, ARGON2_SALT_LENGTH, 'Argon2id: salt');
  if (!argon2ParamsAreValid(params))
    throw new CryptoError('invalid-input', 'Argon2id: parameters out of bounds');
  const passwordBytes = normalizePassword(password);
  try {
    return await argon2id({
      password: passwordBytes,
      salt,
      memorySize: params.memoryKiB,
      iterations: params.iterations,
      parallelism: params.parallelism,
      hashLength: 32,
      outputType: 'binary',
    });
  } finally {
    passwordBytes.fill(0);
  }
}

/** The message KEK of a password stanza, bound to the message's ephemeral key. */
export async function passwordKek(
  password: string,
  salt: Uint8Array,
  params: Argon2Params,
  ephemeralPublicKey: Uint8Array,
): Promise<Uint8Array> {
  const stretched = await argon2idKey(password, salt, params);
  try {
    return hkdfSha256(stretched, label('password kek'), ephemeralPublicKey, 32);
  } finally {
    stretched.fill(0);
  }
}
