import { describe, expect, it } from 'vitest';
import {
  BUILD_CONTENT_HOSTS,
  classifySender,
  originMatches,
  parseMatchPattern,
  parseOrigin,
  urlMatches,
} from '../../src/messaging/sender';
import { WEBMAIL_MATCHES } from '../../src/shell/hosts';
import {
  CHROME_ID,
  CHROME_ORIGIN,
  chromeComposeFrame,
  chromeGmailContent,
  chromeLoopbackContent,
  chromeOptionsTab,
  chromePopup,
  E2E_HOSTS,
  FIREFOX_ID,
  FIREFOX_ORIGIN,
  firefoxOutlookContent,
  firefoxPopup,
  PROD_HOSTS,
} from './fixtures';

const chrome = (sender: unknown, hosts = PROD_HOSTS) =>
  classifySender(sender, CHROME_ID, CHROME_ORIGIN, hosts);
const firefox = (sender: unknown, hosts = PROD_HOSTS) =>
  classifySender(sender, FIREFOX_ID, FIREFOX_ORIGIN, hosts);
const kindOf = (c: ReturnType<typeof classifySender>) => (c.ok ? c.sender.kind : `refused: ${c.reason}`);

describe('classifySender: accepted senders', () => {
  it('a Chrome popup (extension origin, no tab) is an extension-page', () => {
    expect(kindOf(chrome(chromePopup()))).toBe('extension-page');
  });

  it('a Firefox popup (no origin field, url only) is an extension-page', () => {
    expect(kindOf(firefox(firefoxPopup()))).toBe('extension-page');
  });

  it('the options page in its own tab is an extension-page', () => {
    expect(kindOf(chrome(chromeOptionsTab()))).toBe('extension-page');
  });

  it('an extension iframe inside a webmail tab is an extension-frame', () => {
    const c = chrome(chromeComposeFrame());
    expect(kindOf(c)).toBe('extension-frame');
    expect(c.ok && c.sender.kind === 'extension-frame' && c.sender.frameId).toBe(7);
  });

  it('our content script in the top frame of a Gmail tab is a content-script', () => {
    const c = chrome(chromeGmailContent());
    expect(c).toEqual({
      ok: true,
      sender: {
        kind: 'content-script',
        origin: 'https://mail.google.com',
        url: 'https://mail.google.com/mail/u/0/#inbox',
        tabId: 9,
        tabUrl: 'https://mail.google.com/mail/u/0/#inbox',
      },
    });
  });

  it('a Firefox content script (url, no origin) on Outlook is a content-script', () => {
    expect(kindOf(firefox(firefoxOutlookContent()))).toBe('content-script');
  });

  it('every production webmail host is accepted for content scripts', () => {
    for (const pattern of WEBMAIL_MATCHES) {
      const url = pattern.replace('/*', '/mail/');
      const sender = { id: CHROME_ID, url, origin: new URL(url).origin, frameId: 0, tab: { id: 1, url } };
      expect(kindOf(chrome(sender)), url).toBe('content-script');
    }
  });

  it('loopback pages are content-script hosts only with the e2e host list, on any port', () => {
    expect(kindOf(chrome(chromeLoopbackContent(41234), E2E_HOSTS))).toBe('content-script');
    expect(kindOf(chrome(chromeLoopbackContent(8080), E2E_HOSTS))).toBe('content-script');
    expect(chrome(chromeLoopbackContent(41234), PROD_HOSTS).ok).toBe(false);
  });

  it('unit tests run with the production host list (no loopback)', () => {
    expect(BUILD_CONTENT_HOSTS).toEqual(WEBMAIL_MATCHES);
  });
});

describe('classifySender: forged and foreign senders are refused', () => {
  it('refuses a missing or non-object sender', () => {
    for (const s of [undefined, null, 'sender', 42]) expect(chrome(s).ok).toBe(false);
  });

  it('refuses another extension (wrong id), even with our origin', () => {
    expect(chrome({ ...chromePopup(), id: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' }).ok).toBe(false);
    expect(chrome({ ...chromeGmailContent(), id: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' }).ok).toBe(false);
  });

  it('refuses a sender without an id', () => {
    const { id: _id, ...noId } = chromePopup();
    expect(chrome(noId).ok).toBe(false);
  });

  it('refuses when our own extension id is unknown', () => {
    expect(classifySender(chromePopup(), '', CHROME_ORIGIN).ok).toBe(false);
    expect(
      classifySender({ ...chromePopup(), id: undefined }, undefined as unknown as string, CHROME_ORIGIN).ok,
    ).toBe(false);
  });

  it('refuses a missing origin and url', () => {
    expect(chrome({ id: CHROME_ID }).ok).toBe(false);
    expect(chrome({ id: CHROME_ID, tab: { id: 1, url: 'https://mail.google.com/' }, frameId: 0 }).ok).toBe(
      false,
    );
  });

  it('refuses an opaque origin and does not fall back to the url', () => {
    expect(chrome({ ...chromeGmailContent(), origin: 'null' }).ok).toBe(false);
    expect(chrome({ ...chromePopup(), origin: 'null' }).ok).toBe(false);
  });

  it('refuses about:blank, data: and unparsable urls', () => {
    for (const url of ['about:blank', 'data:text/html,hi', 'not a url', '']) {
      expect(
        chrome({ id: CHROME_ID, url, frameId: 0, tab: { id: 1, url: 'https://mail.google.com/' } }).ok,
      ).toBe(false);
    }
  });

  it('refuses a content script in a sub-frame of a webmail tab', () => {
    expect(chrome({ ...chromeGmailContent(), frameId: 2 }).ok).toBe(false);
  });

  it('refuses a web sender without a tab or without a frameId', () => {
    const { tab: _tab, ...noTab } = chromeGmailContent();
    expect(chrome(noTab).ok).toBe(false);
    const { frameId: _f, ...noFrame } = chromeGmailContent();
    expect(chrome(noFrame).ok).toBe(false);
  });

  it('refuses content scripts from hosts that are not webmail, including look-alikes', () => {
    for (const url of [
      'https://evil.example/',
      'http://mail.google.com/',
      'https://mail.google.com.evil.example/',
      'https://evilmail.google.com/',
      'https://google.com/',
      'https://mail.google.com@evil.example/',
      'ftp://mail.google.com/',
    ]) {
      const origin = parseOrigin(url);
      const sender = {
        id: CHROME_ID,
        url,
        origin: origin ? `${origin.scheme}://${origin.host}` : 'null',
        frameId: 0,
        tab: { id: 1, url },
      };
      expect(chrome(sender).ok, url).toBe(false);
    }
  });

  it('refuses a webmail origin whose tab is elsewhere', () => {
    expect(chrome({ ...chromeGmailContent(), tab: { id: 9, url: 'https://evil.example/' } }).ok).toBe(false);
    expect(chrome({ ...chromeGmailContent(), tab: { id: 9 } }).ok).toBe(false);
  });

  it('refuses pages of another extension (their origin is not ours)', () => {
    const other = 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba';
    expect(chrome({ id: CHROME_ID, url: `${other}/popup.html`, origin: other }).ok).toBe(false);
    expect(
      firefox({ id: FIREFOX_ID, url: 'moz-extension://00000000-0000-0000-0000-000000000000/p.html' }).ok,
    ).toBe(false);
  });

  it('compares origins by scheme, host and port', () => {
    expect(chrome({ ...chromePopup(), origin: `${CHROME_ORIGIN}:8080` }).ok).toBe(false);
    expect(chrome({ ...chromePopup(), origin: `moz-extension://${CHROME_ID}` }).ok).toBe(false);
  });

  it('refuses an extension-origin top frame in a foreign tab', () => {
    expect(chrome({ ...chromeOptionsTab(), tab: { id: 4, url: 'https://mail.google.com/' } }).ok).toBe(false);
    expect(chrome({ ...chromeOptionsTab(), frameId: undefined }).ok).toBe(false);
  });

  it('refuses malformed frameId and tab fields', () => {
    expect(chrome({ ...chromeGmailContent(), frameId: -1 }).ok).toBe(false);
    expect(chrome({ ...chromeGmailContent(), frameId: '0' }).ok).toBe(false);
    expect(chrome({ ...chromeGmailContent(), tab: 'tab' }).ok).toBe(false);
    expect(chrome({ ...chromeGmailContent(), tab: null }).ok).toBe(false);
  });
});

describe('match patterns', () => {
  it('parses patterns and rejects what it does not support', () => {
    expect(parseMatchPattern('https://mail.google.com/*')).toMatchObject({
      host: 'mail.google.com',
      port: null,
    });
    expect(parseMatchPattern('<all_urls>')).toBeNull();
    expect(parseMatchPattern('mail.google.com')).toBeNull();
  });

  it('matches by scheme and host; a pattern without port matches every port', () => {
    const o = parseOrigin('https://mail.google.com:444/x');
    expect(o).toEqual({ scheme: 'https', host: 'mail.google.com', port: '444' });
    expect(originMatches(o!, ['https://mail.google.com/*'])).toBe(true);
    expect(originMatches(o!, ['https://mail.google.com:443/*'])).toBe(false);
    expect(originMatches(parseOrigin('https://a.b.example')!, ['https://*.example/*'])).toBe(true);
    expect(originMatches(parseOrigin('https://example')!, ['https://*.example/*'])).toBe(true);
    expect(originMatches(parseOrigin('https://bexample')!, ['https://*.example/*'])).toBe(false);
  });

  it('urlMatches checks the path too', () => {
    expect(urlMatches('https://mail.google.com/mail/u/0', ['https://mail.google.com/mail/*'])).toBe(true);
    expect(urlMatches('https://mail.google.com/other', ['https://mail.google.com/mail/*'])).toBe(false);
    expect(urlMatches(undefined, WEBMAIL_MATCHES)).toBe(false);
  });
});
