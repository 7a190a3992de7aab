/** Words for sender reasons (src/privacy/reason-text.ts) in English and Japanese. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SenderReason, SenderReasonCode } from '../../src/messaging/messages';
import { REASON_TEXT_KEYS, reasonText, shown, type Translate } from '../../src/privacy/reason-text';
import { checkSender, checkSigner } from '../../src/privacy/sender-check';

const load = (lang: string): Record<string, { message: string }> =>
  JSON.parse(readFileSync(`public/_locales/${lang}/messages.json`, 'utf8'));

/** browser.i18n.getMessage's substitution of $1..$9, on the real locale files. */
function translator(lang: string): Translate {
  const messages = load(lang);
  return (key, subs) => {
    const m = messages[key]?.message;
    if (m === undefined) throw new Error(`missing ${lang} message ${key}`);
    const list = subs === undefined ? [] : Array.isArray(subs) ? subs : [subs];
    return m.replace(/\$(\d)/g, (_, n: string) => list[Number(n) - 1] ?? '');
  };
}

const REASONS: SenderReason[] = [
  {
    code: 'display-name-address',
    severity: 'danger',
    detail: { shown: 'support@apple.com', actual: 'x@random.example' },
  },
  { code: 'confusable-domain', severity: 'danger', detail: { domain: 'paypa1.com', like: 'paypal.com' } },
  {
    code: 'idn-homograph',
    severity: 'danger',
    detail: {
      domain: 'pаypal.com',
      ascii: 'xn--pypal-4ve.com',
      scripts: 'Latin, Cyrillic',
      like: 'paypal.com',
    },
  },
  {
    code: 'idn-homograph',
    severity: 'danger',
    detail: { domain: 'раураl.com', ascii: 'xn--l-7sba6dbr.com', scripts: 'Cyrillic, Latin' },
  },
  {
    code: 'lookalike-contact',
    severity: 'danger',
    detail: { domain: 'acme-crop.example', like: 'acme-corp.example', whose: 'contact' },
  },
  {
    code: 'lookalike-contact',
    severity: 'danger',
    detail: { domain: 'exmaple.test', like: 'example.test', whose: 'own' },
  },
  { code: 'lookalike-popular', severity: 'warning', detail: { domain: 'gmial.com', like: 'gmail.com' } },
  { code: 'reply-to-domain', severity: 'warning', detail: { from: 'paypal.com', replyTo: 'desk@gmail.com' } },
  {
    code: 'sender-differs',
    severity: 'warning',
    detail: { from: 'uni.example', sender: 'list@lists.example' },
  },
  {
    code: 'return-path-differs',
    severity: 'warning',
    detail: { from: 'shop.example', returnPath: 'b@bulk.example' },
  },
  { code: 'spf-fail', severity: 'warning', detail: { domain: 'bankofamerica.com' } },
  { code: 'dkim-fail', severity: 'warning', detail: { domain: 'small-business.example' } },
  { code: 'dmarc-fail', severity: 'danger', detail: { domain: 'bankofamerica.com' } },
  {
    code: 'signer-differs',
    severity: 'danger',
    detail: { shown: 'ceo@acme.example', signer: 'mallory@evil.example' },
  },
];

describe('reasonText', () => {
  it('covers every reason code', () => {
    const codes = new Set(REASONS.map((r) => r.code));
    expect([...codes].sort()).toEqual(Object.keys(REASON_TEXT_KEYS).sort());
  });

  it('every key exists in English and Japanese with the same placeholders', () => {
    const en = load('en');
    const ja = load('ja');
    const ph = (s: string) => (s.match(/\$\d/g) ?? []).sort();
    for (const key of Object.values(REASON_TEXT_KEYS).flat()) {
      expect(en[key]?.message, key).toBeTruthy();
      expect(ja[key]?.message, key).toBeTruthy();
      expect(ph(ja[key]!.message), key).toEqual(ph(en[key]!.message));
    }
  });

  it.each(['en', 'ja'])('%s: names the facts in the summary, leaves no placeholder', (lang) => {
    const t = translator(lang);
    for (const r of REASONS) {
      const text = reasonText(r, t);
      expect(text.summary, r.code).not.toMatch(/\$\d|\?/);
      expect(text.why.length, r.code).toBeGreaterThan(40);
      // The summary names the fact the reason is about.
      const d = r.detail;
      const fact =
        r.code === 'signer-differs'
          ? d.signer
          : (d.domain ?? d.shown ?? d.replyTo ?? d.sender ?? d.returnPath);
      expect(text.summary, r.code).toContain(fact);
    }
  });

  it('words the display-name case as the issue asks', () => {
    expect(reasonText(REASONS[0]!, translator('en'))).toEqual({
      summary: 'The name shown says support@apple.com, but the mail comes from x@random.example.',
      why: expect.stringContaining('really comes from x@random.example'),
    });
  });

  it('shows the real (ASCII) form of an IDN domain in the why', () => {
    expect(reasonText(REASONS[2]!, translator('en')).why).toContain('xn--pypal-4ve.com');
  });

  it('picks the own-domain wording', () => {
    expect(reasonText(REASONS[5]!, translator('en')).summary).toContain('your own domain example.test');
  });

  it('words every verdict of the checks', () => {
    const t = translator('en');
    const v = checkSender(
      {
        source: 'headers',
        fromName: 'service@paypal.com',
        fromAddress: 'x@paypa1.com',
        replyTo: ['y@gmail.com'],
        sender: 's@bulk.example',
        returnPath: 'b@bulk.example',
        authResults: [
          'mx.example.test; spf=fail smtp.mailfrom=bulk.example; dkim=fail header.d=paypa1.com; dmarc=fail header.from=paypa1.com',
        ],
      },
      { contacts: [], own: [] },
    );
    const codes = new Set<SenderReasonCode>(v.reasons.map((r) => r.code));
    const signer = checkSigner('a@b.example', 'c@d.example')!;
    expect(codes.size).toBe(8);
    for (const r of [...v.reasons, signer]) expect(reasonText(r, t).summary).not.toMatch(/\$\d/);
  });
});

describe('shown', () => {
  it('removes bidi overrides, isolates and zero-width characters', () => {
    expect(shown('\u202Emoc.live\u202C@x')).toBe('moc.live@x');
    expect(shown('pay\u200Bpal\u2066.com\u2069')).toBe('paypal.com');
    expect(shown('a\u0000b\u001b[31m')).toBe('ab[31m');
  });

  it('clips long values and never shows an empty one', () => {
    expect(shown('a'.repeat(500))).toBe(`${'a'.repeat(200)}…`);
    expect(shown('')).toBe('?');
    expect(shown(undefined)).toBe('?');
  });
});
