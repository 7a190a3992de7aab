/**
 * Chunked AES-256-GCM: the STREAM construction (Hoang, Reyhanitabar, Rogaway,
 * Vizár, "Online Authenticated-Encryption and its Nonce-Reuse Misuse-
 * Resistance", CRYPTO 2015, §7). Chunk i of n is sealed with
 *
 *   nonce = i (u64, big-endian) ‖ 0x000000 ‖ (i == n-1 ? 0x01 : 0x00)
 *   AAD   = the SHA-256 of the envelope header
 *
 * so reordering changes a nonce, truncation loses the last-chunk flag, and a
 * chunk moved from another message fails under that message's key and header.
 * `openChunks` authenticates every chunk before it returns anything.
 */

import { aesGcmOpen, aesGcmSeal, GCM_TAG_LENGTH } from './aes-gcm';
import { CryptoError, checkBytes } from './errors';

export const CHUNK_SIZE = 65536;
export const SEALED_CHUNK_SIZE = CHUNK_SIZE + GCM_TAG_LENGTH;

function chunkNonce(index: number, last: boolean): Uint8Array {
  const nonce = new Uint8Array(12);
  const view = new DataView(nonce.buffer);
  view.setUint32(0, Math.floor(index / 2 ** 32));
  view.setUint32(4, index >>> 0);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

export function sealedLength(plaintextLength: number): number {
  const chunks = Math.max(1, Math.ceil(plaintextLength / CHUNK_SIZE));
  return plaintextLength + chunks * GCM_TAG_LENGTH;
}

export async function sealChunks(
  key: CryptoKey,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  checkBytes(plaintext, undefined, 'STREAM.seal: plaintext');
  if (plaintext.length === 0) throw new CryptoError('invalid-input', 'STREAM.seal: empty plaintext');
  const n = Math.ceil(plaintext.length / CHUNK_SIZE);
  const out = new Uint8Array(sealedLength(plaintext.length));
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const chunk = plaintext.subarray(i * CHUNK_SIZE, Math.min(plaintext.length, (i + 1) * CHUNK_SIZE));
    jobs.push(
      aesGcmSeal(key, chunkNonce(i, i === n - 1), chunk, aad).then((sealed) =>
        out.set(sealed, i * SEALED_CHUNK_SIZE),
      ),
    );
  }
  await Promise.all(jobs);
  return out;
}

/** Opens all chunks; throws `corrupted` if any chunk, or the chunking itself, is wrong. */
export async function openChunks(key: CryptoKey, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  checkBytes(sealed, undefined, 'STREAM.open: ciphertext');
  const n = Math.ceil(sealed.length / SEALED_CHUNK_SIZE);
  const lastSize = sealed.length - (n - 1) * SEALED_CHUNK_SIZE;
  if (n === 0 || lastSize <= GCM_TAG_LENGTH) {
    throw new CryptoError('corrupted', 'payload: invalid chunking');
  }
  const out = new Uint8Array(sealed.length - n * GCM_TAG_LENGTH);
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const chunk = sealed.subarray(
      i * SEALED_CHUNK_SIZE,
      Math.min(sealed.length, (i + 1) * SEALED_CHUNK_SIZE),
    );
    jobs.push(
      aesGcmOpen(key, chunkNonce(i, i === n - 1), chunk, aad).then((plain) => out.set(plain, i * CHUNK_SIZE)),
    );
  }
  const results = await Promise.allSettled(jobs);
  if (results.some((r) => r.status === 'rejected')) {
    out.fill(0);
    throw new CryptoError('corrupted', 'payload: a chunk failed authentication');
  }
  return out;
}
