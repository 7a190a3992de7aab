/**
 * ML-KEM-1024 (FIPS 203), through @noble/post-quantum. This wrapper fixes the
 * parameter set, checks every length before calling in, and maps failures to
 * typed errors. The randomness arguments exist for the known-answer tests
 * (FIPS 203 §6: KeyGen_internal(d, z), Encaps_internal(ek, m)).
 */
import { ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { concatBytes } from './bytes';
import { CryptoError, checkBytes } from './errors';
import { type RandomSource, systemRandom } from './random';

/** FIPS 203 Table 3, ML-KEM-1024. */
export const ML_KEM_1024 = {
  publicKeyLength: 1568,
  secretKeyLength: 3168,
  ciphertextLength: 1568,
  sharedSecretLength: 32,
  seedLength: 32,
} as const;

export interface MlKemKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** FIPS 203 Algorithm 16, ML-KEM.KeyGen_internal(d, z). */
export function mlKem1024KeyGen(d: Uint8Array, z: Uint8Array): MlKemKeyPair {
  checkBytes(d, ML_KEM_1024.seedLength, 'ML-KEM-1024.KeyGen: d');
  checkBytes(z, ML_KEM_1024.seedLength, 'ML-KEM-1024.KeyGen: z');
  const seed = concatBytes(d, z);
  try {
    return ml_kem1024.keygen(seed);
  } finally {
    seed.fill(0);
  }
}

/**
 * FIPS 203 Algorithm 20, ML-KEM.Encaps(ek), including the §7.2 encapsulation
 * key check (a public key with an out-of-range coefficient is refused).
 * `m` is the 32-byte randomness of Encaps_internal, for known-answer tests only.
 */
export function mlKem1024Encapsulate(
  publicKey: Uint8Array,
  m?: Uint8Array,
): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  checkBytes(publicKey, ML_KEM_1024.publicKeyLength, 'ML-KEM-1024.Encaps: publicKey');
  if (m !== undefined) checkBytes(m, 32, 'ML-KEM-1024.Encaps: m');
  try {
    const { cipherText, sharedSecret } = ml_kem1024.encapsulate(publicKey, m);
    return { ciphertext: cipherText, sharedSecret };
  } catch {
    throw new CryptoError(
      'invalid-key',
      'ML-KEM-1024.Encaps: public key fails the FIPS 203 §7.2 modulus check',
    );
  }
}

/** Encapsulates with randomness from `random` (the envelope's single source). */
export function mlKem1024EncapsulateWith(publicKey: Uint8Array, random: RandomSource = systemRandom) {
  const m = random(32);
  try {
    return mlKem1024Encapsulate(publicKey, m);
  } finally {
    m.fill(0);
  }
}

/**
 * FIPS 203 Algorithm 21, ML-KEM.Decaps(dk, c). An invalid ciphertext does not
 * throw: implicit rejection returns a pseudorandom key, so the caller's AEAD
 * is what detects it.
 */
export function mlKem1024Decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array {
  checkBytes(ciphertext, ML_KEM_1024.ciphertextLength, 'ML-KEM-1024.Decaps: ciphertext');
  checkBytes(secretKey, ML_KEM_1024.secretKeyLength, 'ML-KEM-1024.Decaps: secretKey');
  try {
    return ml_kem1024.decapsulate(ciphertext, secretKey);
  } catch {
    // §7.3 hash check of dk: a corrupted secret key, never attacker input.
    throw new CryptoError('invalid-key', 'ML-KEM-1024.Decaps: secret key fails the FIPS 203 §7.3 check');
  }
}

/**
 * FIPS 203 §7.2 encapsulation key check, done when a key bundle is parsed so an
 * invalid key is refused on import, not on first use (cf. Mailvelope
 * CVE-2019-9148): every 12-bit coefficient of t̂ must be below q = 3329.
 */
export function mlKem1024PublicKeyIsValid(publicKey: Uint8Array): boolean {
  checkBytes(publicKey, ML_KEM_1024.publicKeyLength, 'ML-KEM-1024: publicKey');
  const encodedT = 384 * 4; // ByteEncode12 of k = 4 polynomials; ρ (32 bytes) follows.
  for (let i = 0; i < encodedT; i += 3) {
    const b0 = publicKey[i]!;
    const b1 = publicKey[i + 1]!;
    const b2 = publicKey[i + 2]!;
    if ((b0 | ((b1 & 0x0f) << 8)) >= 3329 || ((b1 >> 4) | (b2 << 4)) >= 3329) return false;
  }
  return true;
}
