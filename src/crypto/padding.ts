/**
 * Length hiding with Padmé (Nikitin et al., "Reducing Metadata Leakage from
 * Encrypted Files and Communication with PURBs", PETS 2019, §4): a length L is
 * rounded up so that only O(log log L) bits of it stay visible, at most ~12 %
 * overhead. Below MIN_PADDED_LENGTH everything pads to the same size.
 */
import { CryptoError } from './errors';

export const MIN_PADDED_LENGTH = 512;

export function padmeLength(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new CryptoError('invalid-input', `padme: invalid length ${length}`);
  }
  if (length <= MIN_PADDED_LENGTH) return MIN_PADDED_LENGTH;
  const e = Math.floor(Math.log2(length));
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = e - s;
  const step = 2 ** lastBits;
  // Arithmetic rather than bit masks: lengths may exceed 2^31.
  return Math.ceil(length / step) * step;
}
