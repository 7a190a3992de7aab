/** Authentication-Results parsing (RFC 8601 §2.2) and which fields are trusted (§5). */
import { describe, expect, it } from 'vitest';
import { domainOfProp, parseAuthResults, trustedAuthResults } from '../../src/privacy/auth-results';

describe('parseAuthResults', () => {
  it('reads an RFC 8601 Appendix B style field (several methods, one MTA)', () => {
    const field = parseAuthResults(
      'example.com;\r\n  auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n  spf=pass smtp.mailfrom=example.net',
    );
    expect(field).toEqual({
      authservId: 'example.com',
      results: [
        { method: 'auth', result: 'pass', props: { 'smtp.auth': 'sender@example.net' } },
        { method: 'spf', result: 'pass', props: { 'smtp.mailfrom': 'example.net' } },
      ],
    });
  });

  it('reads a Gmail-style field with comments, a version and a reason', () => {
    const field = parseAuthResults(
      'mx.google.com 1; dkim=pass header.i=@github.com header.s=pf2023 header.b=Xy1+/2=; ' +
        'spf=pass (google.com: domain of noreply@github.com designates 192.30.252.201 as permitted sender) smtp.mailfrom=noreply@github.com; ' +
        'dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=github.com',
    );
    expect(field!.authservId).toBe('mx.google.com');
    expect(field!.results.map((r) => [r.method, r.result])).toEqual([
      ['dkim', 'pass'],
      ['spf', 'pass'],
      ['dmarc', 'pass'],
    ]);
    expect(field!.results[0]!.props).toEqual({
      'header.i': '@github.com',
      'header.s': 'pf2023',
      'header.b': 'Xy1+/2=',
    });
    expect(field!.results[1]!.props).toEqual({ 'smtp.mailfrom': 'noreply@github.com' });
  });

  it('handles quoted reasons with ; inside, nested comments, method versions and case', () => {
    const field = parseAuthResults(
      'MX.Example.Test (a (nested) comment); DKIM/1 = FAIL reason="bad; very bad" header.d=Example.COM (c); spf=SoftFail',
    );
    expect(field).toEqual({
      authservId: 'mx.example.test',
      results: [
        { method: 'dkim', result: 'fail', props: { 'header.d': 'Example.COM' } },
        { method: 'spf', result: 'softfail', props: {} },
      ],
    });
  });

  it('reads "none" (no result) and rejects a field without authserv-id', () => {
    expect(parseAuthResults('mx.example.test; none')).toEqual({ authservId: 'mx.example.test', results: [] });
    expect(parseAuthResults('   ')).toBeNull();
    expect(parseAuthResults('; spf=fail')).toBeNull();
  });

  it('keeps the first value of a repeated property (a later one cannot override it)', () => {
    const field = parseAuthResults(
      'mx.example.test; dmarc=fail header.from=bank.example header.from=evil.example',
    );
    expect(field!.results[0]!.props['header.from']).toBe('bank.example');
  });

  it('stays linear on hostile input', () => {
    const hostile = `x; ${'('.repeat(50_000)}${'a=b '.repeat(50_000)}${'"'.repeat(10_001)}`;
    const start = performance.now();
    parseAuthResults(hostile);
    parseAuthResults(`x;${' spf=fail'.repeat(100_000)}`);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('trustedAuthResults', () => {
  it('trusts the topmost field and the fields right below it from the same server', () => {
    const results = trustedAuthResults([
      'mx.example.test; spf=pass smtp.mailfrom=a.example',
      'mx.example.test; dmarc=fail header.from=a.example',
      'attacker.example; dkim=pass header.d=a.example',
      'mx.example.test; dmarc=pass header.from=a.example',
    ]);
    expect(results.map((r) => `${r.method}=${r.result}`)).toEqual(['spf=pass', 'dmarc=fail']);
  });

  it('skips nothing when there is nothing', () => {
    expect(trustedAuthResults([])).toEqual([]);
    expect(trustedAuthResults(['garbage without semicolon'])).toEqual([]);
  });

  it('stops at an unparseable field', () => {
    expect(
      trustedAuthResults(['mx.example.test; spf=pass', ';', 'mx.example.test; dmarc=fail']),
    ).toHaveLength(1);
  });
});

describe('domainOfProp', () => {
  it('takes the part after @, lower-cased', () => {
    expect(domainOfProp('@Example.COM')).toBe('example.com');
    expect(domainOfProp('bounce@mail.example')).toBe('mail.example');
    expect(domainOfProp('example.org')).toBe('example.org');
    expect(domainOfProp(undefined)).toBe('');
  });
});
