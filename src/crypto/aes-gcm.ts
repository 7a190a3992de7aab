/**
 * AES-256-GCM (NIST SP 800-38D) through WebCrypto, with 96-bit nonces and
 * 128-bit tags only.
 */
import { own } from './bytes';
import { CryptoError, checkBytes } from './errors';

export const AES_KEY_LENGTH = 32;
export const GCM_NONCE_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;

export function importAesGcmKey(key: Uint8Array): Promise<CryptoKey> {
  checkBytes(key, AES_KEY_LENGTH, 'AES-256-GCM: key');
  return crypto.subtle.importKey('raw', own(key), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

export async function aesGcmSeal(
  key: CryptoKey,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  checkBytes(nonce, GCM_NONCE_LENGTH, 'AES-256-GCM: nonce');
  const out = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: own(nonce), additionalData: own(aad), tagLength: 128 },
    key,
    plaintext as Uint8Array<ArrayBuffer>,
  );
  return new Uint8Array(out);
}

/** Returns the plaintext, or throws `corrupted` (the caller may re-type it). */
export async function aesGcmOpen(
  key: CryptoKey,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  checkBytes(nonce, GCM_NONCE_LENGTH, 'AES-256-GCM: nonce');
  if (ciphertext.length < GCM_TAG_LENGTH)
    throw new CryptoError('corrupted', 'AES-256-GCM: ciphertext shorter than a tag');
  try {
    const out = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: own(nonce), additionalData: own(aad), tagLength: 128 },
      key,
      ciphertext as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(out);
  } catch {
    throw new CryptoError('corrupted', 'AES-256-GCM: authentication failed');
  }
}
