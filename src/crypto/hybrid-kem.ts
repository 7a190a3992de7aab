/**
 * The per-recipient hybrid KEM: one ephemeral X25519 key per message, shared by
 * all recipients, plus one ML-KEM-1024 encapsulation per recipient, combined
 * by a domain-separated HKDF that binds both shared secrets, both ciphertexts
 * and the recipient's public keys (docs/crypto.md §Hybrid KEM):
 *
 *   ss_X = X25519(eph_sk, pk_X)           ct_X = eph_pk
 *   (ct_M, ss_M) = ML-KEM-1024.Encaps(pk_M)
 *   KEK  = HKDF-SHA-256(IKM  = ss_M ‖ ss_X,
 *                       salt = label("hybrid kem"),
 *                       info = ct_X ‖ pk_X ‖ ct_M ‖ SHA-256(pk_M), L = 32)
 *   hint = HKDF-SHA-256(IKM = ss_X, salt = label("recipient hint"), info = ct_X ‖ pk_X, L = 8)
 *
 * The KEK stays secret while either X25519 or ML-KEM-1024 holds. The hint lets
 * a recipient find its stanza with one X25519 operation instead of one
 * decapsulation per stanza; only holders of ss_X can link it to a recipient.
 */
import { concatBytes } from './bytes';
import { checkBytes } from './errors';
import { hkdfSha256, label, sha256 } from './hash';
import { ML_KEM_1024, mlKem1024Decapsulate, mlKem1024EncapsulateWith } from './ml-kem';
import type { RandomSource } from './random';
import { X25519_KEY_LENGTH, x25519Derive } from './x25519';

export const STANZA_HINT_LENGTH = 8;
const KEM_SALT = label('hybrid kem');
const HINT_SALT = label('recipient hint');

export interface HybridRecipientKeys {
  x25519PublicKey: Uint8Array;
  mlKemPublicKey: Uint8Array;
}

export interface HybridEncapsulation {
  hint: Uint8Array;
  mlKemCiphertext: Uint8Array;
  kek: Uint8Array;
}

export function hybridCombine(
  ssM: Uint8Array,
  ssX: Uint8Array,
  ephemeralPublicKey: Uint8Array,
  recipient: HybridRecipientKeys,
  mlKemCiphertext: Uint8Array,
): Uint8Array {
  checkBytes(ssM, 32, 'hybrid KEM: ML-KEM shared secret');
  checkBytes(ssX, 32, 'hybrid KEM: X25519 shared secret');
  checkBytes(ephemeralPublicKey, X25519_KEY_LENGTH, 'hybrid KEM: ephemeral public key');
  checkBytes(mlKemCiphertext, ML_KEM_1024.ciphertextLength, 'hybrid KEM: ML-KEM ciphertext');
  const ikm = concatBytes(ssM, ssX);
  try {
    return hkdfSha256(
      ikm,
      KEM_SALT,
      concatBytes(
        ephemeralPublicKey,
        recipient.x25519PublicKey,
        mlKemCiphertext,
        sha256(recipient.mlKemPublicKey),
      ),
      32,
    );
  } finally {
    ikm.fill(0);
  }
}

export function recipientHint(
  ssX: Uint8Array,
  ephemeralPublicKey: Uint8Array,
  x25519PublicKey: Uint8Array,
): Uint8Array {
  return hkdfSha256(ssX, HINT_SALT, concatBytes(ephemeralPublicKey, x25519PublicKey), STANZA_HINT_LENGTH);
}

/**
 * Sender side, first half: the ML-KEM encapsulation. It is split from the
 * X25519 half so the sender can run it on the CPU while WebCrypto works on the
 * ephemeral key and the signature (docs/benchmarks.md).
 */
export function mlKemEncapsulateFor(
  recipient: HybridRecipientKeys,
  random: RandomSource,
): MlKemEncapsulation {
  checkBytes(recipient.mlKemPublicKey, ML_KEM_1024.publicKeyLength, 'hybrid KEM: recipient ML-KEM key');
  return mlKem1024EncapsulateWith(recipient.mlKemPublicKey, random);
}

export interface MlKemEncapsulation {
  ciphertext: Uint8Array;
  sharedSecret: Uint8Array;
}

/** Sender side, second half: X25519 with the ephemeral key, then the combiner. Wipes the ML-KEM secret. */
export async function hybridEncapsulate(
  ephemeralPrivateKey: CryptoKey,
  ephemeralPublicKey: Uint8Array,
  recipient: HybridRecipientKeys,
  { ciphertext, sharedSecret }: MlKemEncapsulation,
): Promise<HybridEncapsulation> {
  checkBytes(recipient.x25519PublicKey, X25519_KEY_LENGTH, 'hybrid KEM: recipient X25519 key');
  const ssX = await x25519Derive(ephemeralPrivateKey, recipient.x25519PublicKey);
  try {
    return {
      hint: recipientHint(ssX, ephemeralPublicKey, recipient.x25519PublicKey),
      mlKemCiphertext: ciphertext,
      kek: hybridCombine(sharedSecret, ssX, ephemeralPublicKey, recipient, ciphertext),
    };
  } finally {
    ssX.fill(0);
    sharedSecret.fill(0);
  }
}

/** Recipient side: the KEK of a stanza whose hint matched. */
export function hybridDecapsulate(
  ssX: Uint8Array,
  ephemeralPublicKey: Uint8Array,
  recipient: HybridRecipientKeys & { mlKemSecretKey: Uint8Array },
  mlKemCiphertext: Uint8Array,
): Uint8Array {
  const ssM = mlKem1024Decapsulate(mlKemCiphertext, recipient.mlKemSecretKey);
  try {
    return hybridCombine(ssM, ssX, ephemeralPublicKey, recipient, mlKemCiphertext);
  } finally {
    ssM.fill(0);
  }
}
