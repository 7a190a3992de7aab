/**
 * The one source of randomness of the crypto core. Production code always uses
 * the platform CSPRNG; the known-answer tests inject a deterministic source
 * through the internal `seal*` functions only (docs/format.md §Test vectors).
 */
export type RandomSource = (length: number) => Uint8Array;

export const systemRandom: RandomSource = (length) => {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let i = 0; i < length; i += 65536)
    crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
};
