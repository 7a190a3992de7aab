/**
 * The sender corpus (issue 6): every case's verdict, severity and reason codes
 * exactly. The loader refuses a corpus of fewer than 40 cases, so a broken or
 * emptied fixture fails instead of passing vacuously.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SenderFacts, SenderReasonCode, SenderVerdict } from '../../src/messaging/messages';
import {
  checkSender,
  checkSigner,
  editDistance,
  normalizeAddress,
  type SenderContext,
  skeleton,
} from '../../src/privacy/sender-check';

interface Case {
  name: string;
  facts: SenderFacts;
  context: SenderContext;
  expected: { severity: SenderVerdict['severity']; reasons: SenderReasonCode[] };
}

function loadCorpus(): Case[] {
  const path = join(import.meta.dirname, '../fixtures/senders/corpus.json');
  const { cases } = JSON.parse(readFileSync(path, 'utf8')) as { cases: Case[] };
  if (!Array.isArray(cases) || cases.length < 40)
    throw new Error(`sender corpus: ${cases?.length} cases, need 40`);
  return cases;
}

const CASES = loadCorpus();

describe('sender corpus', () => {
  it('has at least 40 cases, benign and spoofed, with unique names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(CASES.filter((c) => c.expected.severity === 'none').length).toBeGreaterThanOrEqual(15);
    expect(CASES.filter((c) => c.expected.severity !== 'none').length).toBeGreaterThanOrEqual(15);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const verdict = checkSender(c.facts, c.context);
    expect({ severity: verdict.severity, reasons: verdict.reasons.map((r) => r.code).sort() }).toEqual({
      severity: c.expected.severity,
      reasons: [...c.expected.reasons].sort(),
    });
    // The verdict's severity is its worst reason's; benign mail has no reasons at all.
    const worst = verdict.reasons.some((r) => r.severity === 'danger')
      ? 'danger'
      : verdict.reasons.length
        ? 'warning'
        : 'none';
    expect(verdict.severity).toBe(worst);
  });
});

describe('reason details', () => {
  const ctx: SenderContext = { contacts: [], own: [] };
  const dom = (fromName: string, fromAddress: string): SenderFacts => ({
    source: 'dom',
    fromName,
    fromAddress,
    replyTo: [],
    sender: '',
    returnPath: '',
    authResults: [],
  });

  it('names the address shown and the real one', () => {
    const v = checkSender(dom('support@apple.com', 'x@random.example'), ctx);
    expect(v.reasons[0]).toEqual({
      code: 'display-name-address',
      severity: 'danger',
      detail: { shown: 'support@apple.com', actual: 'x@random.example' },
    });
  });

  it('names the domain imitated and, for an IDN, its ASCII form and scripts', () => {
    expect(checkSender(dom('', 'a@paypa1.com'), ctx).reasons[0]!.detail).toEqual({
      domain: 'paypa1.com',
      like: 'paypal.com',
    });
    expect(checkSender(dom('', 'a@xn--pypal-4ve.com'), ctx).reasons[0]!.detail).toEqual({
      domain: 'pаypal.com',
      ascii: 'xn--pypal-4ve.com',
      scripts: 'Latin, Cyrillic',
      like: 'paypal.com',
    });
  });

  it('says whose domain a near miss imitates', () => {
    const v = checkSender(dom('', 'a@acme-crop.example'), { contacts: ['c@acme-corp.example'], own: [] });
    expect(v.reasons[0]!.detail).toEqual({
      domain: 'acme-crop.example',
      like: 'acme-corp.example',
      whose: 'contact',
    });
  });

  it('clips details taken from the mail', () => {
    const long = `${'a'.repeat(1000)}@random.example`;
    const v = checkSender(dom(long, 'x@other.example'), ctx);
    expect(v.reasons[0]!.detail.shown!.length).toBe(320);
  });

  it('lists danger before warning', () => {
    const v = checkSender(
      { ...dom('', 'a@gmial.com'), fromName: 'x@y.example', replyTo: ['z@w.example'] },
      ctx,
    );
    expect(v.reasons.map((r) => r.severity)).toEqual(['danger', 'warning', 'warning']);
  });

  it('has no address to check: nothing to say', () => {
    expect(checkSender(dom('PayPal', ''), ctx)).toEqual({ severity: 'none', reasons: [] });
    expect(checkSender(dom('PayPal', 'not an address'), ctx)).toEqual({ severity: 'none', reasons: [] });
  });
});

describe('checkSigner', () => {
  it('is silent when the verified signer is the displayed From', () => {
    expect(checkSigner('alice@example.com', 'alice@example.com')).toBeNull();
    expect(checkSigner('Alice <Alice@Example.COM>', 'alice@example.com')).toBeNull();
    expect(checkSigner('bob@bücher.example', 'bob@xn--bcher-kva.example')).toBeNull();
  });

  it('is danger when they differ', () => {
    expect(checkSigner('ceo@acme.example', 'mallory@evil.example')).toEqual({
      code: 'signer-differs',
      severity: 'danger',
      detail: { shown: 'ceo@acme.example', signer: 'mallory@evil.example' },
    });
  });

  it('has nothing to compare without a displayed address', () => {
    expect(checkSigner('', 'alice@example.com')).toBeNull();
    expect(checkSigner('Alice', 'alice@example.com')).toBeNull();
  });
});

describe('skeleton (UTS #39 §4) and edit distance', () => {
  it('maps confusables to their prototypes', () => {
    expect(skeleton('paypa1.com')).toBe(skeleton('paypal.com'));
    expect(skeleton('rnicrosoft')).toBe(skeleton('microsoft'));
    expect(skeleton('раураl')).toBe(skeleton('paypal'));
    expect(skeleton('g\u200Bmail')).toBe(skeleton('gmail'));
    expect(skeleton('gmail')).not.toBe(skeleton('gmall'));
  });

  it('counts an adjacent transposition once and stops past the limit', () => {
    expect(editDistance('gmail.com', 'gmial.com', 2)).toBe(1);
    expect(editDistance('gmail.com', 'gmail.com', 2)).toBe(0);
    expect(editDistance('kitten', 'sitting', 5)).toBe(3);
    expect(editDistance('abc', 'xyzxyzxyz', 2)).toBe(3);
    expect(editDistance('aaaaaaaa', 'bbbbbbbb', 2)).toBe(3);
  });
});

describe('normalizeAddress', () => {
  it('compares addresses as Cipherpost does (NFC, lower case) and IDNs in Unicode', () => {
    expect(normalizeAddress('Alice <Alice@Example.COM>')).toBe('alice@example.com');
    expect(normalizeAddress('mailto:bob@XN--BCHER-KVA.example')).toBe('bob@bücher.example');
    expect(normalizeAddress('bob@bu\u0308cher.example')).toBe('bob@bücher.example');
  });

  it('refuses what is not an address instead of guessing', () => {
    expect(normalizeAddress('x@paypal.com/y.evil.example')).toBe('');
    expect(normalizeAddress('x@paypal.com?y')).toBe('');
    expect(normalizeAddress('x@[127.0.0.1]')).toBe('');
    expect(normalizeAddress('@example.com')).toBe('');
    expect(normalizeAddress('x@')).toBe('');
    expect(normalizeAddress('PayPal')).toBe('');
  });
});
