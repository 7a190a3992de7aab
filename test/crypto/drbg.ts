/**
 * The deterministic byte stream of the known-answer vectors (docs/format.md
 * §Test vectors). Tests only: block i = SHA-256("Cipherpost-v1 test DRBG" ‖
 * seed ‖ u64(i)), blocks concatenated, read front to back.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { RandomSource } from '../../src/crypto/random';

export function testDrbg(seed: string): RandomSource {
  const prefix = new TextEncoder().encode(`Cipherpost-v1 test DRBG${seed}`);
  let counter = 0;
  let buffer = new Uint8Array(0);
  return (length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (buffer.length === 0) {
        const input = new Uint8Array(prefix.length + 8);
        input.set(prefix);
        new DataView(input.buffer).setBigUint64(prefix.length, BigInt(counter++));
        buffer = sha256(input);
      }
      const take = Math.min(buffer.length, length - filled);
      out.set(buffer.subarray(0, take), filled);
      buffer = buffer.subarray(take);
      filled += take;
    }
    return out;
  };
}
