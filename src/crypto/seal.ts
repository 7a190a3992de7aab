/**
 * The envelope layer, sender side: a fresh content key, one stanza per
 * recipient (hybrid KEM), the sender's self stanza and an optional password
 * stanza, shuffled; then the STREAM-encrypted payload bound to the header.
 */
import { aesGcmSeal, importAesGcmKey } from './aes-gcm';
import { concatBytes, wipe } from './bytes';
import { sealChunks, sealedLength } from './chunked-aead';
import { encodeHeader, encodeHeaderPrefix, type Stanza, StanzaType } from './envelope';
import { sha256 } from './hash';
import {
  type HybridRecipientKeys,
  hybridEncapsulate,
  type MlKemEncapsulation,
  mlKemEncapsulateFor,
} from './hybrid-kem';
import { ARGON2_SALT_LENGTH, type Argon2Params, passwordKek } from './password-kek';
import { type RandomSource, systemRandom } from './random';
import { selfHint, selfKek } from './self-stanza';
import { generateX25519KeyPair, type X25519KeyPair, x25519KeyPairFrom } from './x25519';

/** The key wraps use each KEK once, so a fixed nonce is safe (SP 800-38D §8.2 is about one key). */
export const WRAP_NONCE = new Uint8Array(12);

export interface SealTargets {
  recipients: readonly HybridRecipientKeys[];
  /** The sender's self-wrap key: their own copy. */
  selfWrapKey?: Uint8Array;
  password?: { password: string; params: Argon2Params };
}

/** Where a message's randomness comes from. */
export interface SealRandomness {
  random: RandomSource;
  ephemeral: () => Promise<X25519KeyPair>;
}

export const platformRandomness: SealRandomness = { random: systemRandom, ephemeral: generateX25519KeyPair };

/** Randomness from `random` alone, ephemeral key included: for known-answer tests only. */
export function deterministicRandomness(random: RandomSource): SealRandomness {
  return { random, ephemeral: () => x25519KeyPairFrom(random(32)) };
}

/**
 * Seals `payload` (padded plaintext, possibly still being signed) to `targets`.
 * The asynchronous WebCrypto work starts first and the synchronous ML-KEM
 * encapsulations run while it proceeds. The order of the draws from `random`
 * is fixed: content key, ephemeral key, ML-KEM m per recipient, salt, shuffle.
 */
export async function sealEnvelope(
  payload: Promise<Uint8Array>,
  targets: SealTargets,
  { random, ephemeral: makeEphemeral }: SealRandomness,
): Promise<Uint8Array> {
  const contentKey = random(32);
  const ephemeralPromise = makeEphemeral();
  // Both promises are awaited below; until then a rejection is not unhandled.
  ephemeralPromise.catch(() => {});
  payload.catch(() => {});
  let padded: Uint8Array | undefined;
  const encapsulations: MlKemEncapsulation[] = [];
  try {
    for (const r of targets.recipients) encapsulations.push(mlKemEncapsulateFor(r, random));
    const salt = targets.password ? random(ARGON2_SALT_LENGTH) : undefined;
    const { privateKey: ephemeral, publicKey: ephemeralPublicKey } = await ephemeralPromise;
    const prefix = encodeHeaderPrefix(ephemeralPublicKey);
    const wrap = async (kek: Uint8Array) => {
      try {
        return await aesGcmSeal(await importAesGcmKey(kek), WRAP_NONCE, contentKey, prefix);
      } finally {
        kek.fill(0);
      }
    };

    // All wraps run concurrently: each is an independent WebCrypto job.
    const jobs: Promise<Stanza>[] = targets.recipients.map(async (r, i): Promise<Stanza> => {
      const kem = await hybridEncapsulate(ephemeral, ephemeralPublicKey, r, encapsulations[i]!);
      const wrappedKey = await wrap(kem.kek);
      return { type: StanzaType.Recipient, hint: kem.hint, mlKemCiphertext: kem.mlKemCiphertext, wrappedKey };
    });
    const { selfWrapKey } = targets;
    if (selfWrapKey) {
      jobs.push(
        wrap(selfKek(selfWrapKey, ephemeralPublicKey)).then(
          (wrappedKey): Stanza => ({
            type: StanzaType.Self,
            hint: selfHint(selfWrapKey, ephemeralPublicKey),
            wrappedKey,
          }),
        ),
      );
    }
    if (targets.password && salt) {
      const { password, params } = targets.password;
      jobs.push(
        passwordKek(password, salt, params, ephemeralPublicKey).then(
          async (kek): Promise<Stanza> => ({
            type: StanzaType.Password,
            params,
            salt,
            wrappedKey: await wrap(kek),
          }),
        ),
      );
    }
    const contentCryptoKey = importAesGcmKey(contentKey);
    const stanzas = await Promise.all(jobs);
    shuffle(stanzas, random);

    padded = await payload;
    const header = encodeHeader(ephemeralPublicKey, stanzas, sealedLength(padded.length));
    const sealed = await sealChunks(await contentCryptoKey, padded, sha256(header));
    return concatBytes(header, sealed);
  } finally {
    wipe(contentKey, padded);
    for (const e of encapsulations) wipe(e.sharedSecret);
  }
}

/** Fisher–Yates with rejection sampling: stanza order must not reveal the To/Cc order. */
function shuffle<T>(items: T[], random: RandomSource): void {
  for (let i = items.length - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = Math.floor(0x1_0000_0000 / bound) * bound;
    let x: number;
    do {
      const b = random(4);
      x = ((b[0]! << 24) >>> 0) + ((b[1]! << 16) | (b[2]! << 8) | b[3]!);
    } while (x >= limit);
    const j = x % bound;
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
