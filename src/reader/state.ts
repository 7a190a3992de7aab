/**
 * The reader frame's decisions, as pure functions (tested in test/reader/state.test.ts):
 * which sentence explains an error, and how the signature verdict reads.
 */

import type { SenderReason, SignatureView } from '../messaging/messages';
import type { ErrorCode } from '../messaging/result';

export type ReaderPhase = 'loading' | 'ready' | 'error' | 'locked';

/** A message key (public/_locales) and its substitutions. */
export interface Words {
  key: string;
  subs?: string[];
}

/** Reader-specific sentences; anything else falls back to the generic `error_*` text. */
const READER_ERRORS: Partial<Record<ErrorCode, string>> = {
  locked: 'reader_locked',
  'not-for-this-key': 'reader_error_not_for_this_key',
  'bad-signature': 'reader_error_bad_signature',
  corrupted: 'reader_error_corrupted',
  truncated: 'reader_error_truncated',
  'not-cipherpost': 'reader_error_not_cipherpost',
  'unsupported-version': 'reader_error_unsupported_version',
  'ticket-expired': 'reader_error_ticket_expired',
  forbidden: 'reader_error_ticket_expired',
  'rate-limited': 'reader_error_rate_limited',
  unavailable: 'error_unavailable',
};

/** The message key for a failed reader:open. Never the background's own message text. */
export function readerErrorKey(code: string): string {
  return READER_ERRORS[code as ErrorCode] ?? 'reader_error_generic';
}

/** Which phase an answer leads to. */
export function phaseForError(code: string): ReaderPhase {
  return code === 'locked' ? 'locked' : 'error';
}

/** "Signed by alice@… — key verified" and friends. */
export function signatureWords(sig: SignatureView): Words {
  const key =
    sig.trust === 'verified'
      ? 'sig_verified'
      : sig.trust === 'directory-verified'
        ? 'sig_directory'
        : sig.trust === 'own'
          ? 'sig_own'
          : sig.trust === 'unverified'
            ? 'sig_unverified'
            : 'sig_unknown';
  return { key, subs: [sig.signer] };
}

/**
 * The danger reason when the verified signer is not the From the webmail shows, else null
 * (issue 6, `signer-differs`), worded like the webmail banner's by reasonText
 * (src/privacy/reason-text.ts, which also strips bidi controls from the quoted From).
 * `fromMismatch` comes from the background, which compared the signature's signer with
 * the From; the DOM text is only what is quoted.
 */
export function mismatchReason(sig: SignatureView): SenderReason | null {
  return sig.fromMismatch
    ? { code: 'signer-differs', severity: 'danger', detail: { signer: sig.signer, shown: sig.displayedFrom } }
    : null;
}

/**
 * Why "Always for this sender" is not offered for this signature, as a message key, or
 * null when it is: the same rule the background enforces (reader-handlers.ts remoteRefusal).
 */
export function remoteSenderRefusal(sig: SignatureView): string | null {
  if (sig.fromMismatch) return 'reader_remote_sender_mismatch';
  if (sig.trust !== 'verified' && sig.trust !== 'directory-verified' && sig.trust !== 'own') {
    return 'reader_remote_sender_unverified';
  }
  return null;
}

/** "1 remote item blocked" / "3 remote items blocked", by the language's plural rules. */
export function blockedWords(count: number, lang: string): Words {
  const form = new Intl.PluralRules(lang).select(count) === 'one' ? 'one' : 'other';
  return { key: `reader_remote_blocked_${form}`, subs: [String(count)] };
}

/** Every key this module can return, for the locale test. */
export const READER_STATE_KEYS: readonly string[] = [
  ...new Set(Object.values(READER_ERRORS)),
  'reader_error_generic',
  'sig_verified',
  'sig_directory',
  'sig_own',
  'sig_unverified',
  'sig_unknown',
  'reader_remote_sender_mismatch',
  'reader_remote_sender_unverified',
  'reader_remote_blocked_one',
  'reader_remote_blocked_other',
];
