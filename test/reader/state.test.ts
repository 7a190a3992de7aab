/** The reader frame's words for errors and signatures (issue 5). */
import { describe, expect, it } from 'vitest';
import type { SignatureView } from '../../src/messaging/messages';
import { ERROR_CODES } from '../../src/messaging/result';
import { mismatchWords, phaseForError, readerErrorKey, signatureWords } from '../../src/reader/state';

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

  it('words a From mismatch with the From the webmail showed', () => {
    expect(mismatchWords(sig())).toBeNull();
    expect(mismatchWords(sig({ displayedFrom: 'ceo@example.com', fromMismatch: true }))).toEqual({
      key: 'sig_from_mismatch',
      subs: ['ceo@example.com'],
    });
  });
});
