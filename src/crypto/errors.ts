/**
 * Typed errors of the crypto core. They carry a stable `code` for the UI and
 * the messaging layer, and a message that says what is wrong. They never carry
 * secret data: no keys, no plaintext, no passwords (docs/format.md §Errors).
 */
export type CryptoErrorCode =
  /** A caller passed a value of the wrong type or length: a programming error. */
  | 'invalid-input'
  /** The input is not a Cipherpost message or key at all. */
  | 'not-cipherpost'
  /** The input stops before its declared end (a clipped mail, a cut paste). */
  | 'truncated'
  /** A format version or algorithm suite this code does not implement. */
  | 'unsupported-version'
  /** Structure or authentication failed: the bytes were changed. */
  | 'corrupted'
  /** The message is well-formed but none of its stanzas opens with this key. */
  | 'not-for-this-key'
  /** The password does not open the password stanza. */
  | 'wrong-password'
  /** A signature does not verify, or the signer is not who the message says. */
  | 'bad-signature'
  /** A key bundle is malformed, expired in the future, or its self-signature fails. */
  | 'invalid-key';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isCryptoError(e: unknown): e is CryptoError {
  return e instanceof CryptoError;
}

/** Throws `invalid-input` unless `value` is a Uint8Array of exactly `length` bytes. */
export function checkBytes(
  value: unknown,
  length: number | undefined,
  what: string,
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoError('invalid-input', `${what}: expected Uint8Array, got ${describe(value)}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new CryptoError('invalid-input', `${what}: wrong length ${value.length}, expected ${length}`);
  }
}

/** Throws `invalid-input` unless `value` is a string of at most `maxLength` UTF-16 units. */
export function checkString(value: unknown, maxLength: number, what: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new CryptoError('invalid-input', `${what}: expected string, got ${describe(value)}`);
  }
  if (value.length > maxLength) {
    throw new CryptoError('invalid-input', `${what}: longer than ${maxLength} characters`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
