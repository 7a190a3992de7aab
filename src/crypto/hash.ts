/**
 * SHA-256 and HKDF-SHA-256 (RFC 5869). Small inputs go through @noble/hashes
 * (synchronous, no WebCrypto round trip); bulk data through WebCrypto.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from './bytes';

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** SHA-256 of bulk data (bodies, attachments) through WebCrypto. */
export async function sha256Bulk(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
}

export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdf(nobleSha256, ikm, salt, info, length);
}

export function hmacSha256(key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  return hmac(nobleSha256, key, concatBytes(...data));
}

/** Domain-separation labels: every derivation in Cipherpost names its purpose. */
export function label(name: string): Uint8Array {
  return utf8(`Cipherpost-v1 ${name}`);
}
