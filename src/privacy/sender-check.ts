/**
 * Spoofed-sender checks (issue 6, docs/sender-warnings.md).
 *
 * Pure and synchronous: no browser APIs, so the background can run it on facts a
 * content script gathered, and unit tests can run it on a corpus.
 *
 * Signature committed first so other modules can import it; the checks follow.
 */

import type { SenderFacts, SenderReason, SenderVerdict } from '../messaging/messages';

export interface SenderContext {
  /** Addresses of contacts in the user's keyring: their domains are legitimate exact matches. */
  contacts: readonly string[];
  /** The user's own addresses. */
  own: readonly string[];
}

export function checkSender(_facts: SenderFacts, _ctx: SenderContext): SenderVerdict {
  return { severity: 'none', reasons: [] };
}

/**
 * Cipherpost mail: the verified signer's address against the displayed From.
 * The verdict rests on the verified signature, never on DOM text alone.
 */
export function checkSigner(_displayedFrom: string, _signer: string): SenderReason | null {
  return null;
}
