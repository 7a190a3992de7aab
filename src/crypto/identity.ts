/**
 * An identity: one 32-byte secret seed from which every private key is
 * derived, so a backup or vault record holds 32 bytes (X-Wing, draft-connolly-
 * cfrg-xwing-kem §5.2, expands its decapsulation key from a seed the same way).
 *
 *   HKDF-SHA-256(IKM = seed, salt = label("identity"), info = label("identity keys"), L = 160)
 *     → X25519 sk (32) | Ed25519 seed (32) | ML-KEM d (32) | ML-KEM z (32) | self-wrap key (32)
 *
 * The self-wrap key is the sender's own stanza key (docs/crypto.md §Sender's copy).
 */
import { wipe } from './bytes';
import { ed25519PublicKey, importEd25519PrivateKey } from './ed25519';
import { checkBytes } from './errors';
import { hkdfSha256, label } from './hash';
import { type PublicKeyBundle, signKeyBundle } from './key-bundle';
import { mlKem1024KeyGen } from './ml-kem';
import { type RandomSource, systemRandom } from './random';
import { importX25519PrivateKey, x25519PublicKeyOf } from './x25519';

export const IDENTITY_SEED_LENGTH = 32;
/** Default key lifetime: two years, then the owner rotates. */
export const DEFAULT_KEY_LIFETIME_SECONDS = 2 * 365 * 24 * 3600;

declare const identitySeedBrand: unique symbol;
/** The secret seed of an identity. Only the keyring stores it, encrypted. */
export type IdentitySeed = Uint8Array & { readonly [identitySeedBrand]: true };

export interface IdentityKeys {
  readonly x25519PrivateKey: CryptoKey;
  readonly x25519PublicKey: Uint8Array;
  readonly ed25519PrivateKey: CryptoKey;
  readonly ed25519PublicKey: Uint8Array;
  readonly mlKemSecretKey: Uint8Array;
  readonly mlKemPublicKey: Uint8Array;
  readonly selfWrapKey: Uint8Array;
}

/** An unlocked identity: its keys and its signed public bundle. */
export interface Identity {
  readonly keys: IdentityKeys;
  readonly bundle: PublicKeyBundle;
}

export function generateIdentitySeed(random: RandomSource = systemRandom): IdentitySeed {
  return random(IDENTITY_SEED_LENGTH) as IdentitySeed;
}

export async function deriveIdentityKeys(seed: Uint8Array): Promise<IdentityKeys> {
  checkBytes(seed, IDENTITY_SEED_LENGTH, 'identity seed');
  const okm = hkdfSha256(seed, label('identity'), label('identity keys'), 160);
  const x25519Secret = okm.subarray(0, 32);
  const edSeed = okm.subarray(32, 64);
  try {
    const x25519PrivateKey = await importX25519PrivateKey(x25519Secret);
    const ed25519PrivateKey = await importEd25519PrivateKey(edSeed);
    const { publicKey: mlKemPublicKey, secretKey: mlKemSecretKey } = mlKem1024KeyGen(
      okm.subarray(64, 96),
      okm.subarray(96, 128),
    );
    return {
      x25519PrivateKey,
      x25519PublicKey: await x25519PublicKeyOf(x25519PrivateKey),
      ed25519PrivateKey,
      ed25519PublicKey: await ed25519PublicKey(edSeed),
      mlKemSecretKey,
      mlKemPublicKey,
      selfWrapKey: okm.slice(128, 160),
    };
  } finally {
    wipe(okm);
  }
}

export interface BundleOptions {
  addresses: readonly string[];
  /** Seconds since the epoch; defaults to now. */
  created?: number;
  lifetimeSeconds?: number;
}

/** Derives the keys of `seed` and signs a fresh public bundle for them. */
export async function openIdentity(seed: Uint8Array, options: BundleOptions): Promise<Identity> {
  const keys = await deriveIdentityKeys(seed);
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const bundle = await signKeyBundle(
    {
      addresses: options.addresses,
      created,
      expires: created + (options.lifetimeSeconds ?? DEFAULT_KEY_LIFETIME_SECONDS),
      x25519PublicKey: keys.x25519PublicKey,
      mlKemPublicKey: keys.mlKemPublicKey,
      ed25519PublicKey: keys.ed25519PublicKey,
    },
    keys.ed25519PrivateKey,
  );
  return { keys, bundle };
}

/** Creates a new identity for `addresses`. The caller stores `seed` in the vault. */
export async function createIdentity(
  options: BundleOptions,
  random: RandomSource = systemRandom,
): Promise<{ seed: IdentitySeed; identity: Identity }> {
  const seed = generateIdentitySeed(random);
  return { seed, identity: await openIdentity(seed, options) };
}
