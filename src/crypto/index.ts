/**
 * The Cipherpost crypto core: pure code on WebCrypto, @noble and hash-wasm,
 * no extension APIs. See docs/crypto.md and docs/format.md.
 */
export { normalizeAddress } from './address';
export {
  ARMOR_BEGIN,
  ARMOR_END,
  ARMOR_PREFACE,
  type ArmorKind,
  armor,
  armorPublicKey,
  dearmor,
  findArmored,
  PLACEHOLDER_SUBJECT,
} from './armor';
export { CryptoError, type CryptoErrorCode, isCryptoError } from './errors';
export {
  createIdentity,
  deriveIdentityKeys,
  generateIdentitySeed,
  type Identity,
  type IdentityKeys,
  type IdentitySeed,
  openIdentity,
} from './identity';
export {
  bundleHasAddress,
  formatFingerprint,
  isBundleExpired,
  type PublicKeyBundle,
  parseKeyBundle,
} from './key-bundle';
export {
  type DecryptedMessage,
  type DecryptKey,
  decryptMessage,
  type EncryptOptions,
  encryptMessage,
  type KeyRecipient,
  type MessageInput,
  type PasswordRecipients,
} from './message';
export { type Argon2Params, argon2idKey, DEFAULT_ARGON2 } from './password-kek';
export type { Attachment, BodyType, RecipientEntry } from './payload';
