/** Raw RFC 5322 header blocks into SenderFacts (src/privacy/headers.ts). */
import { describe, expect, it } from 'vitest';
import {
  decodeEncodedWords,
  MAX_HEADER_BYTES,
  parseAddressList,
  parseHeaderBlock,
  senderFactsFromHeaders,
} from '../../src/privacy/headers';
import { checkSender } from '../../src/privacy/sender-check';

const CRLF = '\r\n';

describe('parseHeaderBlock', () => {
  it('unfolds continuation lines (RFC 5322 §2.2.3) and stops at the empty line', () => {
    const fields = parseHeaderBlock(
      ['Subject: a long', '\tsubject line', 'X-Test:  two', '  spaces', '', 'From: body@not.header'].join(
        CRLF,
      ),
    );
    expect(fields).toEqual([
      { name: 'subject', value: 'a long\tsubject line' },
      { name: 'x-test', value: 'two  spaces' },
    ]);
  });

  it('accepts LF-only line ends and drops lines that are not fields', () => {
    const fields = parseHeaderBlock(
      'From alice@example.com Mon Jan 1\nFrom: a@b.example\nno colon here\n: empty\n',
    );
    expect(fields).toEqual([{ name: 'from', value: 'a@b.example' }]);
  });

  it('reads at most MAX_HEADER_BYTES', () => {
    const big = `X-Pad: ${'a'.repeat(MAX_HEADER_BYTES)}${CRLF}From: late@example.com${CRLF}`;
    expect(parseHeaderBlock(big).some((f) => f.name === 'from')).toBe(false);
  });
});

describe('decodeEncodedWords (RFC 2047)', () => {
  it('decodes B and Q words in any charset TextDecoder knows', () => {
    expect(decodeEncodedWords('=?UTF-8?B?44OG44K544OI?=')).toBe('テスト');
    expect(decodeEncodedWords('=?iso-8859-1?q?Andr=E9?= Pirard')).toBe('André Pirard');
    expect(decodeEncodedWords('=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=')).toBe('テスト');
    expect(decodeEncodedWords('=?utf-8?Q?a_b?=')).toBe('a b');
  });

  it('drops whitespace between adjacent encoded words only (§6.2)', () => {
    expect(decodeEncodedWords('=?UTF-8?Q?a?= =?UTF-8?Q?b?=')).toBe('ab');
    expect(decodeEncodedWords('=?UTF-8?Q?a?= x =?UTF-8?Q?b?=')).toBe('a x b');
  });

  it('keeps words it cannot decode', () => {
    expect(decodeEncodedWords('=?x-unknown?Q?a?=')).toBe('=?x-unknown?Q?a?=');
    expect(decodeEncodedWords('=?UTF-8?B?!!!?=')).toBe('=?UTF-8?B?!!!?=');
    expect(decodeEncodedWords('plain')).toBe('plain');
  });

  it('decodes an address hidden in an encoded display name', () => {
    // "support@apple.com" in Base64: the check must see the decoded name.
    expect(decodeEncodedWords('=?UTF-8?B?c3VwcG9ydEBhcHBsZS5jb20=?=')).toBe('support@apple.com');
  });
});

describe('parseAddressList (RFC 5322 §3.4)', () => {
  it.each([
    ['alice@example.com', [{ name: '', address: 'alice@example.com' }]],
    ['Alice <alice@example.com>', [{ name: 'Alice', address: 'alice@example.com' }]],
    ['"Doe, John" <john@example.com>', [{ name: 'Doe, John', address: 'john@example.com' }]],
    [
      '"Joe Q. Public" <john.q.public@example.com>',
      [{ name: 'Joe Q. Public', address: 'john.q.public@example.com' }],
    ],
    ['"quoted \\"inner\\"" <q@example.com>', [{ name: 'quoted "inner"', address: 'q@example.com' }]],
    ['jdoe@example.org (John Doe)', [{ name: 'John Doe', address: 'jdoe@example.org' }]],
    [
      'Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>',
      [{ name: 'Pete', address: 'pete@silly.test' }],
    ],
    ['<@route.example:user@host.example>', [{ name: '', address: 'user@host.example' }]],
    ['support@apple.com <x@evil.example>', [{ name: 'support@apple.com', address: 'x@evil.example' }]],
    ['=?UTF-8?B?44OG44K544OI?= <t@example.jp>', [{ name: 'テスト', address: 't@example.jp' }]],
    ['"=?utf-8?q?PayPal?=" <service@paypal.com>', [{ name: 'PayPal', address: 'service@paypal.com' }]],
    [
      'A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Mary <mary@x.test>',
      [
        { name: 'Ed Jones', address: 'c@a.test' },
        { name: '', address: 'joe@where.test' },
        { name: 'John', address: 'jdoe@one.test' },
        { name: 'Mary', address: 'mary@x.test' },
      ],
    ],
    ['Undisclosed recipients:;', []],
    ['<>', []],
  ])('%s', (value, expected) => {
    expect(parseAddressList(value)).toEqual(expected);
  });

  it('ends on a colon after an angle address (found by the property test: it looped forever)', () => {
    expect(parseAddressList('<a@b.example>:')).toEqual([{ name: '', address: 'a@b.example' }]);
    expect(parseAddressList('Name <a@b.example> : junk, c@d.example')).toEqual([
      { name: 'Name', address: 'a@b.example' },
      { name: '', address: 'c@d.example' },
    ]);
    expect(senderFactsFromHeaders('From: <x@y.example>:\r\n\r\n')?.fromAddress).toBe('x@y.example');
  });

  it('survives hostile input in linear time', () => {
    const start = performance.now();
    parseAddressList('('.repeat(200_000));
    parseAddressList('"'.repeat(200_000));
    parseAddressList(`${'a@'.repeat(100_000)}`);
    parseAddressList('<'.repeat(100_000));
    parseAddressList(`${'=?UTF-8?Q?'.repeat(20_000)}`);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(parseAddressList(Array.from({ length: 1000 }, (_, i) => `u${i}@x.test`).join(','))).toHaveLength(
      100,
    );
  });
});

describe('senderFactsFromHeaders', () => {
  const RAW = [
    'Return-Path: <bounce-123@mailer.bank-0f-america.example>',
    'Delivered-To: bob@example.test',
    'Authentication-Results: mx.example.test;',
    '\tdkim=none (message not signed);',
    '\tspf=fail smtp.mailfrom=bounce-123@mailer.bank-0f-america.example;',
    '\tdmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=bankofamerica.com',
    'Received: from mailer.bank-0f-america.example (unknown [203.0.113.7])',
    '\tby mx.example.test (Postfix) with ESMTP id 4A1B2C3D',
    'Authentication-Results: mx.bankofamerica.com; dmarc=pass header.from=bankofamerica.com',
    'From: =?UTF-8?Q?Bank_of_America?= <alert@bankofamerica.com>',
    'Reply-To: "BoA Support" <support@secure-boa.example>, second@secure-boa.example',
    'Sender: mailer@bank-0f-america.example',
    'To: bob@example.test',
    'Subject: Account locked',
    '',
    'Return-Path: <not@a.header>',
    'From: body@example.com',
  ].join(CRLF);

  it('reads From, Reply-To, Sender, Return-Path and Authentication-Results (newest first)', () => {
    expect(senderFactsFromHeaders(RAW)).toEqual({
      source: 'headers',
      fromName: 'Bank of America',
      fromAddress: 'alert@bankofamerica.com',
      replyTo: ['support@secure-boa.example', 'second@secure-boa.example'],
      sender: 'mailer@bank-0f-america.example',
      returnPath: 'bounce-123@mailer.bank-0f-america.example',
      authResults: [
        'mx.example.test;\tdkim=none (message not signed);\tspf=fail smtp.mailfrom=bounce-123@mailer.bank-0f-america.example;\tdmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=bankofamerica.com',
        'mx.bankofamerica.com; dmarc=pass header.from=bankofamerica.com',
      ],
    });
  });

  it('feeds the checks: the forged pass below the receiving server is ignored', () => {
    const verdict = checkSender(senderFactsFromHeaders(RAW)!, { contacts: [], own: ['bob@example.test'] });
    expect(verdict.severity).toBe('danger');
    expect(verdict.reasons.map((r) => r.code).sort()).toEqual(
      ['dmarc-fail', 'reply-to-domain', 'return-path-differs', 'sender-differs', 'spf-fail'].sort(),
    );
  });

  it('takes the first From mailbox and the topmost Return-Path', () => {
    const facts = senderFactsFromHeaders(
      'Return-Path: <>\nReturn-Path: <older@example.com>\nFrom: a@one.example, b@two.example\n\n',
    );
    expect(facts!.fromAddress).toBe('a@one.example');
    expect(facts!.returnPath).toBe('');
  });

  it('is null without a From address', () => {
    expect(senderFactsFromHeaders('Subject: x\r\n\r\n')).toBeNull();
    expect(senderFactsFromHeaders('From: Undisclosed:;\r\n\r\n')).toBeNull();
    expect(senderFactsFromHeaders('')).toBeNull();
  });
});
