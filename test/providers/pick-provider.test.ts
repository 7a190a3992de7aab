// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"disableJavaScriptEvaluation":true,"disableJavaScriptFileLoading":true,"disableCSSFileLoading":true,"disableIframePageLoading":true,"handleDisabledFileLoadingAsSuccess":true}}
import { describe, expect, it } from 'vitest';
import { hostMatches, PROVIDERS, pickProvider } from '../../src/providers';
import { WEBMAIL_MATCHES } from '../../src/shell/hosts';
import { loadFixture } from './fixtures';

const blank = () => new DOMParser().parseFromString('<html><body><p>hi</p></body></html>', 'text/html');

describe('pickProvider', () => {
  it('known webmail hosts by hostname, whatever the page holds', () => {
    expect(pickProvider({ hostname: 'mail.google.com' }, blank()).id).toBe('gmail');
    expect(pickProvider({ hostname: 'outlook.live.com' }, blank()).id).toBe('outlook');
    expect(pickProvider({ hostname: 'outlook.office.com' }, blank()).id).toBe('outlook');
    expect(pickProvider({ hostname: 'OUTLOOK.OFFICE365.COM' }, blank()).id).toBe('outlook');
    expect(pickProvider({ hostname: 'mail.yahoo.com' }, blank()).id).toBe('yahoo');
    // A Roundcube-looking page on Gmail's host is still Gmail.
    expect(pickProvider({ hostname: 'mail.google.com' }, loadFixture('roundcube', 'mail-list')).id).toBe(
      'gmail',
    );
  });

  it('Roundcube on any origin by its DOM: login, list, compose', () => {
    for (const page of ['login', 'mail-list', 'compose-plain', 'compose-html']) {
      expect(pickProvider({ hostname: 'webmail.example.org' }, loadFixture('roundcube', page)).id, page).toBe(
        'roundcube',
      );
    }
  });

  it('anything else is generic', () => {
    expect(pickProvider({ hostname: 'forum.example.org' }, loadFixture('generic', 'page')).id).toBe(
      'generic',
    );
    expect(pickProvider({ hostname: 'google.com' }, blank()).id).toBe('generic');
    expect(pickProvider({ hostname: 'evilmail.google.com.example' }, blank()).id).toBe('generic');
  });

  it('every host the build matches has a provider', () => {
    for (const pattern of WEBMAIL_MATCHES) {
      const host = new URL(pattern.replace('/*', '/')).hostname;
      expect(
        PROVIDERS.some((p) => p.hosts.includes(host)),
        host,
      ).toBe(true);
    }
  });

  it('hostMatches: exact and *. suffix patterns', () => {
    expect(hostMatches('a.example.com', '*.example.com')).toBe(true);
    expect(hostMatches('example.com', '*.example.com')).toBe(true);
    expect(hostMatches('badexample.com', '*.example.com')).toBe(false);
    expect(hostMatches('mail.google.com.evil', 'mail.google.com')).toBe(false);
  });
});
