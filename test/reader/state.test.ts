/** The reader frame's words for errors and signatures (issue 5). */
import { describe, expect, it } from 'vitest';
import type { SignatureView } from '../../src/messaging/messages';
import { ERROR_CODES } from '../../src/messaging/result';
import {
  blockedWords,
  mismatchReason,
  phaseForError,
  readerErrorKey,
  remoteSenderRefusal,
  signatureWords,
} from '../../src/reader/state';

const sig = (over: Partial<SignatureView> = {}): SignatureView => ({
  signer: 'alice@example.com',
  fingerprint: 'AAAA BBBB',
  trust: 'verified',
  displayedFrom: 'alice@example.com',
  fromMismatch: false,
  ...over,
});

describe('readerErrorKey', () => {
  it.each([
    ['not-for-this-key', 'reader_error_not_for_this_key'],
    ['bad-signature', 'reader_error_bad_signature'],
    ['corrupted', 'reader_error_corrupted'],
    ['truncated', 'reader_error_truncated'],
    ['not-cipherpost', 'reader_error_not_cipherpost'],
    ['unsupported-version', 'reader_error_unsupported_version'],
    ['ticket-expired', 'reader_error_ticket_expired'],
    ['forbidden', 'reader_error_ticket_expired'],
    ['rate-limited', 'reader_error_rate_limited'],
    ['locked', 'reader_locked'],
  ])('%s → %s', (code, key) => {
    expect(readerErrorKey(code)).toBe(key);
  });

  it('gives every error code a sentence of our own, never the background text', () => {
    for (const code of [...ERROR_CODES, 'something-new'])
      expect(readerErrorKey(code)).toMatch(/^(reader|error)_/);
    expect(readerErrorKey('internal')).toBe('reader_error_generic');
  });

  it('sends only locked to the unlock state', () => {
    expect(phaseForError('locked')).toBe('locked');
    for (const code of ERROR_CODES.filter((c) => c !== 'locked')) expect(phaseForError(code)).toBe('error');
  });
});

describe('signatureWords', () => {
  it.each([
    ['verified', 'sig_verified'],
    ['directory-verified', 'sig_directory'],
    ['unverified', 'sig_unverified'],
    ['unknown', 'sig_unknown'],
    ['own', 'sig_own'],
  ] as const)('%s → %s with the signer', (trust, key) => {
    expect(signatureWords(sig({ trust }))).toEqual({ key, subs: ['alice@example.com'] });
  });

  it('makes a From mismatch the danger reason signer-differs, with the shown From and the signer', () => {
    expect(mismatchReason(sig())).toBeNull();
    expect(mismatchReason(sig({ displayedFrom: 'Alice <ceo@example.com>', fromMismatch: true }))).toEqual({
      code: 'signer-differs',
      severity: 'danger',
      detail: { signer: 'alice@example.com', shown: 'Alice <ceo@example.com>' },
    });
  });
});

describe('remote content words', () => {
  it('offers "Always for this sender" only for a trusted signer who is the From', () => {
    for (const trust of ['verified', 'directory-verified', 'own'] as const)
      expect(remoteSenderRefusal(sig({ trust })), trust).toBeNull();
    for (const trust of ['unverified', 'unknown'] as const)
      expect(remoteSenderRefusal(sig({ trust })), trust).toBe('reader_remote_sender_unverified');
    expect(remoteSenderRefusal(sig({ displayedFrom: 'ceo@example.com', fromMismatch: true }))).toBe(
      'reader_remote_sender_mismatch',
    );
  });

  it('counts in the language’s plural forms', () => {
    expect(blockedWords(1, 'en')).toEqual({ key: 'reader_remote_blocked_one', subs: ['1'] });
    expect(blockedWords(3, 'en')).toEqual({ key: 'reader_remote_blocked_other', subs: ['3'] });
    expect(blockedWords(1, 'ja')).toEqual({ key: 'reader_remote_blocked_other', subs: ['1'] });
  });
});
