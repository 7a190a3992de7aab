/**
 * The vault key is wrapped twice (docs/keyring.md §Unlocking):
 *
 *   passphrase KEK = HKDF-SHA-256(IKM = Argon2id(NFC(passphrase), salt, m, t, p),
 *                                 salt = label("vault passphrase kek"), info = vault id, L = 32)
 *   recovery KEK   = HKDF-SHA-256(IKM = recovery code (160 bits),
 *                                 salt = label("vault recovery kek"), info = vault id, L = 32)
 *   wrap           = AES-256-GCM(KEK, random 96-bit nonce, vault key,
 *                                AAD = label("vault key wrap") ‖ len ‖ vault id ‖ len ‖ kind)
 *
 * The recovery code is not stretched: with 160 uniformly random bits, guessing
 * costs 2^159 tries on average, which no work factor would change in practice,
 * while a passphrase has little entropy and needs Argon2id (RFC 9106) to make
 * each guess expensive. HKDF alone is a sound KDF for a uniformly random IKM
 * (RFC 5869 §3.3).
 */
import { aesGcmOpen, aesGcmSeal, GCM_NONCE_LENGTH, importAesGcmKey } from '../crypto/aes-gcm';
import { ByteWriter, utf8 } from '../crypto/bytes';
import { hkdfSha256, label } from '../crypto/hash';
import {
  type Argon2Params,
  argon2idKey,
  argon2ParamsAreValid,
  MAX_PASSWORD_LENGTH,
} from '../crypto/password-kek';
import { systemRandom } from '../crypto/random';
import { toVaultError, VaultError } from './errors';
import { VAULT_KEY_LENGTH, type VaultKey } from './vault-key';

export type WrapKind = 'passphrase' | 'recovery';

export interface WrappedKey {
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** The stored Argon2id parameters and salt of the passphrase wrap. */
export interface PassphraseKdf extends Argon2Params {
  readonly salt: Uint8Array;
}

/**
 * A floor, not a strength meter: the UI should do better (issue: passphrase
 * strength). Counted in code points after NFC, as the user sees characters.
 */
export const MIN_PASSPHRASE_LENGTH = 8;

export function checkNewPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase.length > MAX_PASSWORD_LENGTH) {
    throw new VaultError('invalid-input', `passphrase: expected a string of at most ${MAX_PASSWORD_LENGTH}`);
  }
  if ([...passphrase.normalize('NFC')].length < MIN_PASSPHRASE_LENGTH) {
    throw new VaultError('weak-passphrase', `passphrase: at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
}

export function checkArgon2Params(params: Argon2Params): void {
  if (!argon2ParamsAreValid(params)) {
    throw new VaultError('invalid-input', 'Argon2id parameters out of bounds');
  }
}

export async function passphraseKek(
  passphrase: string,
  kdf: PassphraseKdf,
  vaultId: Uint8Array,
): Promise<Uint8Array> {
  let stretched: Uint8Array;
  try {
    stretched = await argon2idKey(passphrase, kdf.salt, kdf);
  } catch (e) {
    throw toVaultError(e, 'passphrase');
  }
  try {
    return hkdfSha256(stretched, label('vault passphrase kek'), vaultId, 32);
  } finally {
    stretched.fill(0);
  }
}

export function recoveryKek(code: Uint8Array, vaultId: Uint8Array): Uint8Array {
  return hkdfSha256(code, label('vault recovery kek'), vaultId, 32);
}

function wrapAad(vaultId: Uint8Array, kind: WrapKind): Uint8Array {
  return new ByteWriter().bytes(label('vault key wrap')).var8(vaultId).var8(utf8(kind)).finish();
}

/** Wraps the vault key under `kek`, then wipes `kek`. */
export async function wrapVaultKey(
  kek: Uint8Array,
  key: VaultKey,
  vaultId: Uint8Array,
  kind: WrapKind,
): Promise<WrappedKey> {
  try {
    const nonce = systemRandom(GCM_NONCE_LENGTH);
    const ciphertext = await aesGcmSeal(await importAesGcmKey(kek), nonce, key, wrapAad(vaultId, kind));
    return { nonce, ciphertext };
  } finally {
    kek.fill(0);
  }
}

/** Unwraps with `kek` (then wipes it); `undefined` when the tag fails, i.e. the wrong secret. */
export async function unwrapVaultKey(
  kek: Uint8Array,
  wrapped: WrappedKey,
  vaultId: Uint8Array,
  kind: WrapKind,
): Promise<VaultKey | undefined> {
  try {
    const key = await aesGcmOpen(
      await importAesGcmKey(kek),
      wrapped.nonce,
      wrapped.ciphertext,
      wrapAad(vaultId, kind),
    );
    if (key.length !== VAULT_KEY_LENGTH) throw new VaultError('corrupted', 'vault key wrap: wrong length');
    return key as VaultKey;
  } catch (e) {
    if (e instanceof VaultError) throw e;
    return undefined;
  } finally {
    kek.fill(0);
  }
}
