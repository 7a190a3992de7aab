/**
 * The public key bundle: a canonical, versioned, self-signed encoding of an
 * identity's addresses, validity and three public keys (docs/format.md §Key bundle).
 *
 *   "CPKB" | version u8 = 1 | suite u8 = 1 | created u64 | expires u64
 *   | count u8 | count × (len u8, address UTF-8)
 *   | X25519 pk (32) | ML-KEM-1024 pk (1568) | Ed25519 pk (32)
 *   | Ed25519 signature (64) over label("key bundle") ‖ all preceding bytes
 *
 * Times are seconds since the Unix epoch. The fingerprint is SHA-256 of the
 * bytes before the signature: it names the content the owner signed, and
 * stays the same however the (deterministic) signature is re-made.
 */
import { MAX_ADDRESS_BYTES, normalizeAddress } from './address';
import { ByteReader, ByteWriter, concatBytes, equalBytes, fromUtf8, toHex, utf8 } from './bytes';
import {
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  ed25519SignWith,
  ed25519Verify,
} from './ed25519';
import { CryptoError, checkBytes } from './errors';
import { label, sha256 } from './hash';
import { ML_KEM_1024, mlKem1024PublicKeyIsValid } from './ml-kem';
import { X25519_KEY_LENGTH } from './x25519';

export const KEY_BUNDLE_MAGIC = utf8('CPKB');
export const KEY_BUNDLE_VERSION = 1;
/** Suite 1: X25519 + ML-KEM-1024 for encryption, Ed25519 for signatures. */
export const SUITE_1 = 1;
export const MAX_BUNDLE_ADDRESSES = 16;
const SIGNATURE_LABEL = label('key bundle');

export interface PublicKeyBundle {
  readonly version: number;
  readonly suite: number;
  readonly addresses: readonly string[];
  /** Seconds since the epoch. */
  readonly created: number;
  readonly expires: number;
  readonly x25519PublicKey: Uint8Array;
  readonly mlKemPublicKey: Uint8Array;
  readonly ed25519PublicKey: Uint8Array;
  readonly signature: Uint8Array;
  /** The canonical encoding, signature included. */
  readonly bytes: Uint8Array;
  /** SHA-256 of the signed part. */
  readonly fingerprint: Uint8Array;
}

export interface UnsignedBundle {
  addresses: readonly string[];
  created: number;
  expires: number;
  x25519PublicKey: Uint8Array;
  mlKemPublicKey: Uint8Array;
  ed25519PublicKey: Uint8Array;
}

function encodeToBeSigned(b: UnsignedBundle): Uint8Array {
  if (!Array.isArray(b.addresses) || b.addresses.length < 1 || b.addresses.length > MAX_BUNDLE_ADDRESSES) {
    throw new CryptoError('invalid-input', `key bundle: 1 to ${MAX_BUNDLE_ADDRESSES} addresses required`);
  }
  const addresses = b.addresses.map(normalizeAddress);
  if (new Set(addresses).size !== addresses.length) {
    throw new CryptoError('invalid-input', 'key bundle: duplicate address');
  }
  checkTimes(b.created, b.expires, 'invalid-input');
  checkBytes(b.x25519PublicKey, X25519_KEY_LENGTH, 'key bundle: x25519PublicKey');
  checkBytes(b.mlKemPublicKey, ML_KEM_1024.publicKeyLength, 'key bundle: mlKemPublicKey');
  checkBytes(b.ed25519PublicKey, ED25519_PUBLIC_KEY_LENGTH, 'key bundle: ed25519PublicKey');
  const w = new ByteWriter()
    .bytes(KEY_BUNDLE_MAGIC)
    .u8(KEY_BUNDLE_VERSION)
    .u8(SUITE_1)
    .u64(b.created)
    .u64(b.expires);
  w.u8(addresses.length);
  for (const a of addresses) w.var8(utf8(a));
  return w.bytes(b.x25519PublicKey).bytes(b.mlKemPublicKey).bytes(b.ed25519PublicKey).finish();
}

function checkTimes(created: number, expires: number, code: 'invalid-input' | 'invalid-key'): void {
  if (!Number.isSafeInteger(created) || created < 0 || !Number.isSafeInteger(expires) || expires <= created) {
    throw new CryptoError(code, 'key bundle: expiry must be after creation');
  }
}

/** Encodes and self-signs a bundle with the identity's Ed25519 key. */
export async function signKeyBundle(
  unsigned: UnsignedBundle,
  signingKey: CryptoKey,
): Promise<PublicKeyBundle> {
  const tbs = encodeToBeSigned(unsigned);
  const signature = await ed25519SignWith(signingKey, concatBytes(SIGNATURE_LABEL, tbs));
  const bundle = await parseKeyBundle(concatBytes(tbs, signature));
  return bundle;
}

/**
 * Parses and verifies a bundle: exact structure, known version and suite,
 * valid ML-KEM key, and a valid self-signature. Anything else is `invalid-key`
 * (or `unsupported-version`). Expiry against the clock is the caller's check
 * (`isBundleExpired`), since a reader must still verify old mail.
 */
export async function parseKeyBundle(bytes: Uint8Array): Promise<PublicKeyBundle> {
  checkBytes(bytes, undefined, 'key bundle');
  const r: ByteReader = new ByteReader(bytes, 'key bundle', 'invalid-key');
  if (!equalBytes(r.bytes(4, 'magic'), KEY_BUNDLE_MAGIC))
    r.fail('invalid-key', 'not a Cipherpost key bundle');
  const version = r.u8('version');
  if (version !== KEY_BUNDLE_VERSION) r.fail('unsupported-version', `unsupported version ${version}`);
  const suite = r.u8('suite');
  if (suite !== SUITE_1) r.fail('unsupported-version', `unsupported suite ${suite}`);
  const created = r.u64('created');
  const expires = r.u64('expires');
  checkTimes(created, expires, 'invalid-key');
  const count = r.u8('address count');
  if (count < 1 || count > MAX_BUNDLE_ADDRESSES) r.fail('invalid-key', `address count ${count} out of range`);
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const raw = r.var8('address');
    if (raw.length > MAX_ADDRESS_BYTES) r.fail('invalid-key', 'address too long');
    const address = fromUtf8(raw, 'key bundle address', 'invalid-key');
    let normalized: string;
    try {
      normalized = normalizeAddress(address);
    } catch {
      r.fail('invalid-key', 'invalid address');
    }
    // Canonical form only: one bundle, one encoding.
    if (normalized !== address || addresses.includes(address)) r.fail('invalid-key', 'address not canonical');
    addresses.push(address);
  }
  const x25519PublicKey = r.bytes(X25519_KEY_LENGTH, 'X25519 public key').slice();
  const mlKemPublicKey = r.bytes(ML_KEM_1024.publicKeyLength, 'ML-KEM-1024 public key').slice();
  const ed25519PublicKey = r.bytes(ED25519_PUBLIC_KEY_LENGTH, 'Ed25519 public key').slice();
  const tbsLength = r.offset;
  const signature = r.bytes(ED25519_SIGNATURE_LENGTH, 'signature').slice();
  r.end('invalid-key');
  if (!mlKem1024PublicKeyIsValid(mlKemPublicKey)) r.fail('invalid-key', 'ML-KEM-1024 public key is invalid');
  const tbs = bytes.subarray(0, tbsLength);
  if (!(await ed25519Verify(ed25519PublicKey, concatBytes(SIGNATURE_LABEL, tbs), signature))) {
    r.fail('invalid-key', 'self-signature does not verify');
  }
  return Object.freeze({
    version,
    suite,
    addresses: Object.freeze(addresses),
    created,
    expires,
    x25519PublicKey,
    mlKemPublicKey,
    ed25519PublicKey,
    signature,
    bytes: bytes.slice(),
    fingerprint: sha256(tbs),
  });
}

export function isBundleExpired(bundle: PublicKeyBundle, nowSeconds: number): boolean {
  return nowSeconds >= bundle.expires;
}

export function bundleHasAddress(bundle: PublicKeyBundle, address: string): boolean {
  let normalized: string;
  try {
    normalized = normalizeAddress(address);
  } catch {
    return false;
  }
  return bundle.addresses.includes(normalized);
}

/** 64 hex digits in 16 groups of 4, upper case: "1A2B 3C4D …". */
export function formatFingerprint(fingerprint: Uint8Array): string {
  checkBytes(fingerprint, 32, 'fingerprint');
  return toHex(fingerprint).toUpperCase().match(/.{4}/g)?.join(' ') ?? '';
}
