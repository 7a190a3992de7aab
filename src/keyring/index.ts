/**
 * The keyring: Cipherpost's vault of identities, contacts and settings,
 * encrypted at rest in IndexedDB. Pure logic, no extension APIs; the
 * background owns the factory and the unlocked key. See docs/keyring.md.
 */
export { BASE_DELAY_MS, FREE_ATTEMPTS, MAX_DELAY_MS } from './backoff';
export type { VaultSecret } from './backup';
export { BACKUP_VERSION } from './backup-format';
export {
  type Contact,
  type ContactEvent,
  type ContactKey,
  currentKey,
  type KeySource,
  MAX_HISTORY,
  MAX_KEYS_PER_CONTACT,
  normalizeFingerprint,
  type ObserveResult,
  type PendingChange,
  type TrustState,
} from './contact-record';
export type { ObserveInput, VaultContacts } from './contacts';
export { isVaultError, VaultError, type VaultErrorCode } from './errors';
export type { NewIdentityOptions, VaultIdentities } from './identities';
export type { IdentityInfo } from './identity-record';
export { MIN_PASSPHRASE_LENGTH } from './key-wrap';
export type { CorruptedRecord, ListResult } from './record-crypto';
export { formatRecoveryCode, parseRecoveryCode } from './recovery-code';
export { DEFAULT_DB_NAME, SCHEMA_VERSION } from './schema';
export { DEFAULT_SETTINGS, type Settings, type VaultSettings } from './settings';
export { type PassphraseOptions, Vault, type VaultOpenOptions, type VaultStatus } from './vault';
export { type VaultKey, vaultKeyFromBytes } from './vault-key';
