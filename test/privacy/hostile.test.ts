/**
 * Hostile input (issue 6): headers and page text are written by whoever sent the
 * mail. Property tests (fast-check) that the parsers and checks never throw, stay
 * within their caps, and that the verdict is always consistent with its reasons.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SenderFacts } from '../../src/messaging/messages';
import { parseAuthResults, trustedAuthResults } from '../../src/privacy/auth-results';
import { parseAddressList, parseHeaderBlock, senderFactsFromHeaders } from '../../src/privacy/headers';
import { punycodeDecode } from '../../src/privacy/idn';
import { checkSender } from '../../src/privacy/sender-check';

/** Strings biased towards the syntax the parsers care about. */
const syntax = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '"',
        '\\',
        '(',
        ')',
        '<',
        '>',
        ',',
        ';',
        ':',
        '@',
        '.',
        '=?',
        '?=',
        '?Q?',
        '?B?',
        ' ',
        '\t',
      ),
      fc.constantFrom('\r\n', '\n', '\r\n ', 'xn--', 'From: ', 'Reply-To: ', 'Authentication-Results: '),
      fc.constantFrom(
        'spf=',
        'dkim=',
        'dmarc=',
        'fail',
        'pass',
        'header.from=',
        'paypal.com',
        'а',
        'ｐ',
        '\u202e',
      ),
      fc.string({ maxLength: 8 }),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

describe('hostile input', () => {
  it('header parsing never throws and respects its caps', () => {
    fc.assert(
      fc.property(syntax, (raw) => {
        const fields = parseHeaderBlock(raw);
        expect(fields.length).toBeLessThanOrEqual(1000);
        for (const f of fields) expect(f.value.length).toBeLessThanOrEqual(16 * 1024);
        for (const m of parseAddressList(raw)) {
          expect(m.address.length).toBeLessThanOrEqual(320);
          expect(m.name.length).toBeLessThanOrEqual(512);
        }
        senderFactsFromHeaders(raw);
      }),
      { numRuns: 2000 },
    );
  });

  it('Authentication-Results parsing never throws', () => {
    fc.assert(
      fc.property(fc.array(syntax, { maxLength: 4 }), (values) => {
        for (const v of values) parseAuthResults(v);
        trustedAuthResults(values);
      }),
      { numRuns: 2000 },
    );
  });

  it('Punycode decoding never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (s) => {
        const out = punycodeDecode(s);
        expect(out === null || typeof out === 'string').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('checkSender never throws; severity is always the worst reason, none has no reasons', () => {
    const address = fc.oneof(
      syntax,
      fc
        .tuple(
          syntax,
          fc.constantFrom('example.com', 'paypa1.com', 'xn--pypal-4ve.com', 'gmial.com', 'ｐaypal.com'),
        )
        .map(([l, d]) => `${l}@${d}`),
    );
    const facts: fc.Arbitrary<SenderFacts> = fc.record({
      source: fc.constantFrom('dom' as const, 'headers' as const),
      fromName: syntax,
      fromAddress: address,
      replyTo: fc.array(address, { maxLength: 3 }),
      sender: address,
      returnPath: address,
      authResults: fc.array(syntax, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(facts, fc.array(address, { maxLength: 3 }), (f, contacts) => {
        const v = checkSender(f, { contacts, own: ['bob@example.test'] });
        const worst = v.reasons.some((r) => r.severity === 'danger')
          ? 'danger'
          : v.reasons.length
            ? 'warning'
            : 'none';
        expect(v.severity).toBe(worst);
        for (const r of v.reasons)
          for (const value of Object.values(r.detail)) expect(value.length).toBeLessThanOrEqual(320);
      }),
      { numRuns: 1000 },
    );
  });

  it('checks a header block of the maximum size quickly', () => {
    const raw = `From: ${'"a\\"(b'.repeat(5000)} <x@paypa1.com>\r\nAuthentication-Results: ${'x; spf=fail '.repeat(3000)}\r\n\r\n`;
    const start = performance.now();
    const facts = senderFactsFromHeaders(raw);
    if (facts) checkSender(facts, { contacts: [], own: [] });
    expect(performance.now() - start).toBeLessThan(500);
  });
});
