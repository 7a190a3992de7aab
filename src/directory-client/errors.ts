/**
 * Typed errors of the directory client (docs/transparency.md §Client checks).
 * Every failed check is one of these, never a silent fallback to an
 * unverified key. Messages name the check that failed and carry no secrets.
 */
export type DirectoryErrorCode =
  /** The directory has no key for the address (HTTP 404). */
  | 'not-found'
  /** A key bundle's self-signature or a signed tree head's signature does not verify. */
  | 'bad-signature'
  /** The bundle is valid but does not bind the requested address, or the log entry names another key. */
  | 'wrong-address'
  /** An inclusion proof does not lead to the signed root. */
  | 'bad-proof'
  /** A consistency proof from the last tree head we saw does not verify, or an address's log state went backwards. */
  | 'inconsistent'
  /** Two signed tree heads that cannot both be honest: a smaller tree, or the same size with another root. */
  | 'forked'
  /** Network failure, timeout, or a server error (5xx). */
  | 'unreachable'
  /** The directory asked us to slow down (HTTP 429). */
  | 'rate-limited'
  /** The response is not the documented JSON shape or binary encoding. */
  | 'malformed';

export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
    /** For `forked`: the two signed tree heads (encoded) that contradict each other, to report. */
    readonly evidence?: readonly Uint8Array[],
  ) {
    super(message);
  }
}

export function isDirectoryError(e: unknown): e is DirectoryError {
  return e instanceof DirectoryError;
}
