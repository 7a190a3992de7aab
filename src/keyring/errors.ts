/**
 * Typed errors of the vault. Like CryptoError they carry a stable `code` for the
 * UI and the messaging layer (src/messaging/result.ts lists the same codes) and
 * a message that says what went wrong; never a key, a passphrase, a recovery
 * code or a record's plaintext.
 */
import { isCryptoError } from '../crypto';

export type VaultErrorCode =
  /** No vault has been created in this database yet. */
  | 'not-initialized'
  /** `create` or `importBackup` on a vault that already holds data. */
  | 'already-initialized'
  /** The VaultKey given is not this vault's key (stale after `destroy`, or another vault's). */
  | 'locked'
  | 'wrong-passphrase'
  | 'wrong-recovery-code'
  /** A new passphrase is shorter than MIN_PASSPHRASE_LENGTH. */
  | 'weak-passphrase'
  /** Too many wrong passphrases: wait `retryAfterMs`. */
  | 'backoff'
  /** Stored bytes fail authentication or do not parse: a record or the meta was changed. */
  | 'corrupted'
  /** The browser refused the write for lack of space; nothing was written. */
  | 'quota-exceeded'
  /** Any other IndexedDB failure; nothing was written. */
  | 'storage-failed'
  /** The database was written by a newer Cipherpost (downgrade) or the backup is newer. */
  | 'unsupported-version'
  | 'invalid-backup'
  | 'not-found'
  /** A caller passed something malformed: a programming error or bad user data. */
  | 'invalid-input';

export class VaultError extends Error {
  override readonly name = 'VaultError';
  /** For `backoff` (and `wrong-passphrase`): milliseconds until the next attempt is allowed. */
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    options: { retryAfterMs?: number } = {},
  ) {
    super(message);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isVaultError(e: unknown): e is VaultError {
  return e instanceof VaultError;
}

/**
 * Turns whatever an IndexedDB call or the crypto core threw into a VaultError.
 * A quota error is a DOMException named `QuotaExceededError` (Web IDL §2.8.1;
 * it arrives as the request's and the transaction's `error`); legacy code 22
 * is accepted too. Only the exception's name goes into the message: a DOM
 * message may quote data.
 */
export function toVaultError(e: unknown, what: string): VaultError {
  if (isVaultError(e)) return e;
  if (isCryptoError(e)) {
    const code = e.code === 'invalid-input' ? 'invalid-input' : 'corrupted';
    return new VaultError(code, `${what}: ${e.message}`);
  }
  const name = errorName(e);
  if (name === 'QuotaExceededError' || (e as { code?: unknown })?.code === 22) {
    return new VaultError('quota-exceeded', `${what}: the browser's storage quota is exhausted`);
  }
  if (name === 'VersionError') {
    return new VaultError('unsupported-version', `${what}: the database is from a newer Cipherpost`);
  }
  return new VaultError('storage-failed', `${what}: IndexedDB failed (${name ?? 'unknown error'})`);
}

function errorName(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string') {
    return (e as { name: string }).name;
  }
  return undefined;
}
