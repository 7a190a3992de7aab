/** Punycode decoding (RFC 3492 §7.1 vectors) and mixed-script labels (UTS #39 §5). */
import { describe, expect, it } from 'vitest';
import {
  isMixedScript,
  punycodeDecode,
  punycodeEncode,
  scriptNames,
  toAsciiHost,
  toUnicodeHost,
} from '../../src/privacy/idn';

describe('punycodeDecode', () => {
  // RFC 3492 §7.1 sample strings.
  it.each([
    ['(A) Arabic (Egyptian)', 'egbpdaj6bu4bxfgehfvwxn', 'ليهمابتكلموشعربي؟'],
    ['(B) Chinese (simplified)', 'ihqwcrb4cv8a8dqg056pqjye', '他们为什么不说中文'],
    ['(L) 3<nen>B<gumi><kinpachi><sensei>', '3B-ww4c5e180e575a65lsy2b', '3年B組金八先生'],
    ['(Q) <pafii>de<runba>', 'de-jg4avhby1noc0d', 'パフィーdeルンバ'],
    ['(R) <sono><supiido><de>', 'd9juau41awczczp', 'そのスピードで'],
  ])('%s', (_name, encoded, decoded) => {
    expect(punycodeDecode(encoded)).toBe(decoded);
  });

  it.each([
    'ليهمابتكلموشعربي؟',
    '他们为什么不说中文',
    '3年B組金八先生',
    'パフィーdeルンバ',
    'そのスピードで',
  ])('encodes %s back to the RFC 3492 §7.1 sample', (text) => {
    expect(punycodeDecode(punycodeEncode(text)!)).toBe(text);
  });

  it('encodes as the RFC samples say', () => {
    expect(punycodeEncode('ليهمابتكلموشعربي؟')).toBe('egbpdaj6bu4bxfgehfvwxn');
    expect(punycodeEncode('3年B組金八先生')).toBe('3B-ww4c5e180e575a65lsy2b');
    expect(punycodeEncode('münchen')).toBe('mnchen-3ya');
  });

  it('decodes IDN labels seen in phishing', () => {
    expect(punycodeDecode('pypal-4ve')).toBe('p\u0430ypal');
    expect(punycodeDecode('80ak6aa92e')).toBe('\u0430\u0440\u0440\u04cf\u0435');
  });

  it('returns null on malformed input instead of throwing', () => {
    expect(punycodeDecode('abc-!!')).toBeNull();
    expect(punycodeDecode('99999999999')).toBeNull();
    expect(punycodeDecode('a'.repeat(64))).toBeNull();
    expect(punycodeDecode('é-abc')).toBeNull();
  });
});

describe('hosts', () => {
  it('decodes xn-- labels and keeps the rest', () => {
    expect(toUnicodeHost('Mail.XN--MNCHEN-3YA.de')).toBe('mail.münchen.de');
    expect(toUnicodeHost('gmaiI.com', true)).toBe('gmaiI.com');
    expect(toUnicodeHost('xn--!!.com')).toBe('xn--!!.com');
  });

  it('encodes literally, without UTS #46 mapping', () => {
    expect(toAsciiHost('münchen.de')).toBe('xn--mnchen-3ya.de');
    expect(toAsciiHost('p\u0430ypal.com')).toBe('xn--pypal-4ve.com');
    // A full-width p is not "paypal.com" (the URL parser would say it is).
    expect(toAsciiHost('\uff50aypal.com')).not.toBe('paypal.com');
    expect(toAsciiHost('\uff50aypal.com')).toMatch(/^xn--aypal-/);
    expect(toAsciiHost('plain.example')).toBe('plain.example');
  });
});

describe('isMixedScript (Highly Restrictive, UTS #39 §5.2)', () => {
  it.each([
    ['p\u0430ypal', true], // Latin + Cyrillic
    ['g\u03bfogle', true], // Latin + Greek
    ['paypal\u0434', true],
    ['münchen', false],
    ['пример', false],
    ['\u0430\u0440\u0440\u04cf\u0435', false], // single-script Cyrillic: caught by skeleton, not here
    ['ドメイン名例', false], // Katakana + Han = Japanese
    ['テストabc', false], // Latin + Japanese is allowed
    ['한국abc', false], // Latin + Korean is allowed
    ['日本\u0430', true], // Han + Cyrillic
    ['abc-123', false],
  ])('%s → %s', (label, mixed) => {
    expect(isMixedScript(label)).toBe(mixed);
  });

  it('names the scripts in order of use', () => {
    expect(scriptNames('p\u0430ypal')).toEqual(['Latin', 'Cyrillic']);
  });
});
