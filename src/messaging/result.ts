/**
 * The shape of every answer that crosses the messaging boundary. Errors carry a
 * stable machine-readable `code` and a short human-readable `message`; never a
 * stack trace or secret material.
 */

export type ErrorCode =
  /** The sender may not send this message (or is not one of ours at all). */
  | 'forbidden'
  /** The `type` is not a message this build knows. */
  | 'unknown-message'
  /** Not a message object, or its fields do not fit the message's type. */
  | 'bad-request'
  /** The handler failed; details stay in the background's console. */
  | 'internal'
  /** Client side only: the message could not be delivered or got no valid answer. */
  | 'unavailable'
  | DomainErrorCode;

/**
 * Codes a handler reports on purpose, for the UI to explain: the vault's, the
 * crypto core's (src/crypto/errors.ts) and the rate limiter's.
 */
export type DomainErrorCode =
  | 'not-initialized'
  | 'already-initialized'
  | 'locked'
  | 'wrong-passphrase'
  | 'wrong-recovery-code'
  | 'weak-passphrase'
  | 'backoff'
  | 'corrupted'
  | 'quota-exceeded'
  | 'storage-failed'
  | 'invalid-backup'
  | 'not-found'
  | 'invalid-input'
  | 'rate-limited'
  | 'not-cipherpost'
  | 'truncated'
  | 'unsupported-version'
  | 'not-for-this-key'
  | 'wrong-password'
  | 'bad-signature'
  | 'invalid-key'
  | 'directory-not-configured'
  | 'directory-not-found'
  | 'directory-bad-signature'
  | 'directory-wrong-address'
  | 'directory-bad-proof'
  | 'directory-inconsistent'
  | 'directory-forked'
  | 'directory-unreachable'
  | 'directory-rate-limited'
  | 'directory-malformed'
  | 'directory-refused'
  /** Webmail integration (docs/webmail-integration.md). */
  | 'recipient-without-key'
  | 'too-large-inline'
  | 'not-delivered'
  | 'ticket-expired';

const DOMAIN_ERROR_CODES: readonly DomainErrorCode[] = [
  'not-initialized',
  'already-initialized',
  'locked',
  'wrong-passphrase',
  'wrong-recovery-code',
  'weak-passphrase',
  'backoff',
  'corrupted',
  'quota-exceeded',
  'storage-failed',
  'invalid-backup',
  'not-found',
  'invalid-input',
  'rate-limited',
  'not-cipherpost',
  'truncated',
  'unsupported-version',
  'not-for-this-key',
  'wrong-password',
  'bad-signature',
  'invalid-key',
  'directory-not-configured',
  'directory-not-found',
  'directory-bad-signature',
  'directory-wrong-address',
  'directory-bad-proof',
  'directory-inconsistent',
  'directory-forked',
  'directory-unreachable',
  'directory-rate-limited',
  'directory-malformed',
  'directory-refused',
  'recipient-without-key',
  'too-large-inline',
  'not-delivered',
  'ticket-expired',
];

/** Thrown by a handler to answer `{ ok: false, code, message }`; the message must hold no secret. */
export class HandlerError extends Error {
  override readonly name = 'HandlerError';
  constructor(
    /**
     * `forbidden` too: a ticket redeemed by a frame it is not bound to is refused
     * like a sender the policy refuses (docs/webmail-integration.md §Tickets).
     */
    readonly code: DomainErrorCode | 'forbidden',
    message: string,
  ) {
    super(message);
  }
}

export function isDomainErrorCode(code: unknown): code is DomainErrorCode {
  return typeof code === 'string' && (DOMAIN_ERROR_CODES as readonly string[]).includes(code);
}

export const ERROR_CODES: readonly ErrorCode[] = [
  'forbidden',
  'unknown-message',
  'bad-request',
  'internal',
  'unavailable',
  ...DOMAIN_ERROR_CODES,
];

export type Ok<T> = { ok: true; value: T };
export type Err = { ok: false; code: ErrorCode; message: string };
export type Result<T> = Ok<T> | Err;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err(code: ErrorCode, message: string): Err {
  return { ok: false, code, message };
}

/** True when `raw` has the outer shape of a Result (the value itself is not checked). */
export function isResult(raw: unknown): raw is Result<unknown> {
  if (typeof raw !== 'object' || raw === null) return false;
  const r = raw as Record<string, unknown>;
  if (r.ok === true) return 'value' in r;
  return (
    r.ok === false &&
    typeof r.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(r.code) &&
    typeof r.message === 'string'
  );
}
