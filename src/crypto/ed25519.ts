/**
 * Ed25519 (RFC 8032 §5.1) through WebCrypto for signing and verifying. The
 * public key of a seed is computed once per identity with @noble/curves, since
 * WebCrypto cannot derive it from an imported private key portably.
 */
import { ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js';
import { concatBytes, fromHex, own } from './bytes';
import { checkBytes } from './errors';

export const ED25519_SEED_LENGTH = 32;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

/** RFC 8410 §7 PrivateKeyInfo prefix for id-Ed25519 (1.3.101.112) with a 32-byte seed. */
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');
const ALGORITHM = { name: 'Ed25519' } as const;

export function importEd25519PrivateKey(seed: Uint8Array): Promise<CryptoKey> {
  checkBytes(seed, ED25519_SEED_LENGTH, 'Ed25519: seed');
  const pkcs8 = own(concatBytes(PKCS8_PREFIX, seed));
  return crypto.subtle.importKey('pkcs8', pkcs8, ALGORITHM, false, ['sign']).finally(() => pkcs8.fill(0));
}

export function importEd25519PublicKey(publicKey: Uint8Array): Promise<CryptoKey> {
  checkBytes(publicKey, ED25519_PUBLIC_KEY_LENGTH, 'Ed25519: publicKey');
  return crypto.subtle.importKey('raw', own(publicKey), ALGORITHM, true, ['verify']);
}

export async function ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array> {
  checkBytes(seed, ED25519_SEED_LENGTH, 'Ed25519: seed');
  return nobleEd25519.getPublicKey(seed);
}

export async function ed25519SignWith(privateKey: CryptoKey, message: Uint8Array): Promise<Uint8Array> {
  checkBytes(message, undefined, 'Ed25519.sign: message');
  return new Uint8Array(await crypto.subtle.sign(ALGORITHM, privateKey, own(message)));
}

export async function ed25519Sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  return ed25519SignWith(await importEd25519PrivateKey(seed), message);
}

/**
 * Returns false for any signature that does not verify, including a public key
 * that is not a valid point (WebCrypto then refuses the import).
 */
export async function ed25519Verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  checkBytes(publicKey, ED25519_PUBLIC_KEY_LENGTH, 'Ed25519.verify: publicKey');
  checkBytes(message, undefined, 'Ed25519.verify: message');
  checkBytes(signature, ED25519_SIGNATURE_LENGTH, 'Ed25519.verify: signature');
  let key: CryptoKey;
  try {
    key = await importEd25519PublicKey(publicKey);
  } catch {
    return false;
  }
  try {
    return await crypto.subtle.verify(ALGORITHM, key, own(signature), own(message));
  } catch {
    return false;
  }
}
