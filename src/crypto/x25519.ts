/**
 * X25519 (RFC 7748) through WebCrypto, which Chrome, Firefox and Node ship and
 * which is about 8x faster than the pure-JS ladder here (docs/benchmarks.md).
 * Private keys enter WebCrypto as PKCS#8 (RFC 8410) so that identities derived
 * from a seed and the known-answer tests use the same code path as production.
 */
import { concatBytes, fromHex, own } from './bytes';
import { CryptoError, checkBytes } from './errors';

export const X25519_KEY_LENGTH = 32;

/** RFC 8410 §7 PrivateKeyInfo prefix for id-X25519 (1.3.101.110) with a 32-byte key. */
const PKCS8_PREFIX = fromHex('302e020100300506032b656e04220420');
/** RFC 7748 §4.1: the base point, u = 9. */
const BASE_POINT = new Uint8Array(32);
BASE_POINT[0] = 9;

const ALGORITHM = { name: 'X25519' } as const;

export function importX25519PrivateKey(privateKey: Uint8Array): Promise<CryptoKey> {
  checkBytes(privateKey, X25519_KEY_LENGTH, 'X25519: privateKey');
  const pkcs8 = own(concatBytes(PKCS8_PREFIX, privateKey));
  return crypto.subtle
    .importKey('pkcs8', pkcs8, ALGORITHM, false, ['deriveBits'])
    .finally(() => pkcs8.fill(0));
}

export function importX25519PublicKey(publicKey: Uint8Array): Promise<CryptoKey> {
  checkBytes(publicKey, X25519_KEY_LENGTH, 'X25519: publicKey');
  return crypto.subtle.importKey('raw', own(publicKey), ALGORITHM, true, []);
}

/**
 * X25519(k, u) with an imported private key. WebCrypto refuses an all-zero
 * result (RFC 7748 §6.1: a low-order point), which we report as `invalid-key`.
 */
export async function x25519Derive(privateKey: CryptoKey, publicKey: Uint8Array): Promise<Uint8Array> {
  const peer = await importX25519PublicKey(publicKey);
  try {
    const bits = await crypto.subtle.deriveBits({ name: 'X25519', public: peer }, privateKey, 256);
    return new Uint8Array(bits);
  } catch {
    throw new CryptoError('invalid-key', 'X25519: the peer public key is of low order');
  }
}

/** The RFC 7748 §5 function X25519(scalar, u). */
export async function x25519(scalar: Uint8Array, uCoordinate: Uint8Array): Promise<Uint8Array> {
  checkBytes(uCoordinate, X25519_KEY_LENGTH, 'X25519: uCoordinate');
  return x25519Derive(await importX25519PrivateKey(scalar), uCoordinate);
}

/** RFC 7748 §6.1: the public key is X25519(k, 9). */
export async function x25519PublicKeyOf(privateKey: CryptoKey): Promise<Uint8Array> {
  return x25519Derive(privateKey, BASE_POINT);
}

export async function x25519PublicKey(privateKey: Uint8Array): Promise<Uint8Array> {
  return x25519PublicKeyOf(await importX25519PrivateKey(privateKey));
}

export interface X25519KeyPair {
  privateKey: CryptoKey;
  publicKey: Uint8Array;
}

/**
 * A fresh key pair from the platform. Faster than importing 32 random bytes
 * (no PKCS#8 parse, no extra scalar multiplication); the private key is not
 * extractable.
 */
export async function generateX25519KeyPair(): Promise<X25519KeyPair> {
  const pair = (await crypto.subtle.generateKey(ALGORITHM, false, ['deriveBits'])) as CryptoKeyPair;
  return {
    privateKey: pair.privateKey,
    publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)),
  };
}

/** The key pair of a given private key: the deterministic path of the known-answer tests. */
export async function x25519KeyPairFrom(privateKey: Uint8Array): Promise<X25519KeyPair> {
  const key = await importX25519PrivateKey(privateKey);
  return { privateKey: key, publicKey: await x25519PublicKeyOf(key) };
}
