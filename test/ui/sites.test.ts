/** "Use Cipherpost on this site": which tabs it is offered for (issue 5). */
import { describe, expect, it } from 'vitest';
import { WEBMAIL_MATCHES } from '../../src/shell/hosts';
import { base64Size, formatSize, ticketFromHash } from '../../src/ui/frame';
import { httpOrigin, isCovered, originMatches, originPattern } from '../../src/ui/sites';

describe('sites', () => {
  it('offers only http(s) pages', () => {
    expect(httpOrigin('https://mail.example.org/roundcube/?_task=mail')).toBe('https://mail.example.org');
    expect(httpOrigin('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080');
    for (const url of [
      'chrome://extensions',
      'about:blank',
      'file:///etc/passwd',
      'moz-extension://x/y',
      'nonsense',
      undefined,
    ])
      expect(httpOrigin(url), String(url)).toBeNull();
  });

  it('matches origins against match patterns, any port', () => {
    expect(originMatches('https://mail.google.com', 'https://mail.google.com/*')).toBe(true);
    expect(originMatches('http://mail.google.com', 'https://mail.google.com/*')).toBe(false);
    expect(originMatches('https://evil-mail.google.com.example', 'https://mail.google.com/*')).toBe(false);
    expect(originMatches('http://127.0.0.1:8080', 'http://127.0.0.1/*')).toBe(true);
    expect(originMatches('https://a.example.com', 'https://*.example.com/*')).toBe(true);
    expect(originMatches('https://example.com', 'https://*.example.com/*')).toBe(true);
    expect(originMatches('https://badexample.com', 'https://*.example.com/*')).toBe(false);
    expect(originMatches('https://x.org', '*://x.org/*')).toBe(true);
  });

  it('treats build hosts and enabled origins as covered', () => {
    expect(isCovered('https://mail.google.com', WEBMAIL_MATCHES, [])).toBe(true);
    expect(isCovered('https://mail.example.org', WEBMAIL_MATCHES, [])).toBe(false);
    expect(isCovered('https://mail.example.org', WEBMAIL_MATCHES, ['https://mail.example.org'])).toBe(true);
    expect(originPattern('https://mail.example.org')).toBe('https://mail.example.org/*');
  });
});

describe('frame helpers', () => {
  it('takes a base64url ticket from the fragment, nothing else', () => {
    expect(ticketFromHash('#abc_DEF-123')).toBe('abc_DEF-123');
    expect(ticketFromHash('')).toBe('');
    expect(ticketFromHash('#a b')).toBe('');
    expect(ticketFromHash(`#${'a'.repeat(65)}`)).toBe('');
  });

  it('sizes base64 and formats sizes', () => {
    expect(base64Size('')).toBe(0);
    expect(base64Size('YQ==')).toBe(1);
    expect(base64Size('YWI=')).toBe(2);
    expect(base64Size('YWJj')).toBe(3);
    expect(formatSize(512, 'en')).toBe('512 B');
    expect(formatSize(1536, 'en')).toBe('1.5 KB');
    expect(formatSize(20 * 1024 * 1024, 'en')).toBe('20 MB');
  });
});
