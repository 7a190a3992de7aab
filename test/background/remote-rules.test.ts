/**
 * Browser rules for remote content (issue 6): the block rules per content host,
 * exactly as declarativeNetRequest gets them; installing twice changes nothing;
 * allow rules match exact URLs of one tab and go with the next message.
 */
import { describe, expect, it } from 'vitest';
import {
  ALLOW_PRIORITY,
  allowRules,
  blockRules,
  exactUrlFilter,
  hostOf,
  MAX_SESSION_RULES,
  MAX_URLS_PER_MESSAGE,
  memoryDnr,
  RemoteRules,
} from '../../src/background/remote-rules';
import { E2E_MATCHES, WEBMAIL_MATCHES } from '../../src/shell/hosts';

const TYPES = ['image', 'media', 'font', 'stylesheet', 'sub_frame', 'object', 'ping', 'other'];

describe('block rules', () => {
  it('one rule per host, third-party requests from that host, the provider UI domains excluded', () => {
    const hosts = [...WEBMAIL_MATCHES, ...E2E_MATCHES].map(hostOf);
    expect(hosts).toEqual([
      'mail.google.com',
      'outlook.live.com',
      'outlook.office.com',
      'outlook.office365.com',
      'mail.yahoo.com',
      '127.0.0.1',
    ]);
    const rules = blockRules(hosts as string[]);
    expect(rules).toHaveLength(6);
    expect(rules[0]).toEqual({
      id: 1,
      priority: 1,
      action: { type: 'block' },
      condition: { initiatorDomains: ['127.0.0.1'], domainType: 'thirdParty', resourceTypes: TYPES },
    });
    expect(rules[1]).toEqual({
      id: 2,
      priority: 1,
      action: { type: 'block' },
      condition: {
        initiatorDomains: ['mail.google.com'],
        domainType: 'thirdParty',
        excludedRequestDomains: ['gstatic.com', 'google.com', 'googleapis.com'],
        resourceTypes: TYPES,
      },
    });
    // Gmail's image proxy is blocked on purpose: it is what fetches the tracker.
    expect(rules[1]!.condition.excludedRequestDomains).not.toContain('googleusercontent.com');
    expect(rules[2]!.condition.initiatorDomains).toEqual(['mail.yahoo.com']);
    expect(rules[2]!.condition.excludedRequestDomains).toEqual(['yimg.com', 'yahoo.com', 'yahooapis.com']);
    for (const r of rules.slice(3)) {
      expect(r.condition.excludedRequestDomains).toEqual(
        expect.arrayContaining(['office.net', 'office.com', 'live.com', 'microsoft.com', 'msauth.net']),
      );
    }
    // An enabled site (a company's Roundcube) excludes nothing.
    expect(blockRules(['webmail.example.org'])[0]!.condition).toEqual({
      initiatorDomains: ['webmail.example.org'],
      domainType: 'thirdParty',
      resourceTypes: TYPES,
    });
  });

  it('hostOf reads match patterns and origins, ports dropped', () => {
    expect(hostOf('https://mail.google.com/*')).toBe('mail.google.com');
    expect(hostOf('http://127.0.0.1/*')).toBe('127.0.0.1');
    expect(hostOf('https://Mail.Example.org:8443')).toBe('mail.example.org');
    expect(hostOf('https://*/*')).toBeNull();
  });

  it('install replaces the whole set: idempotent, stale rules gone, never growing', async () => {
    const dnr = memoryDnr();
    dnr.dynamic = [
      { id: 99, priority: 1, action: { type: 'block' }, condition: { resourceTypes: ['image'] } },
    ];
    const rules = new RemoteRules(dnr);
    await rules.install(['mail.google.com', '127.0.0.1']);
    const first = structuredClone(dnr.dynamic);
    expect(first.map((r) => r.id)).toEqual([1, 2]);
    await rules.install(['127.0.0.1', 'mail.google.com', 'mail.google.com']);
    expect(dnr.dynamic).toEqual(first);
    // A site disabled: its rule goes.
    await rules.install(['mail.google.com']);
    expect(dnr.dynamic.map((r) => r.condition.initiatorDomains)).toEqual([['mail.google.com']]);
  });
});

describe('allow rules', () => {
  it('match exactly one URL, for one tab, above the block rules', () => {
    expect(allowRules(7, ['https://t.example/p.gif?id=1#frag'], 10)).toEqual([
      {
        id: 10,
        priority: ALLOW_PRIORITY,
        action: { type: 'allow' },
        condition: { urlFilter: '|https://t.example/p.gif?id=1|', tabIds: [7], resourceTypes: TYPES },
      },
    ]);
    expect(ALLOW_PRIORITY).toBeGreaterThan(blockRules(['a.example'])[0]!.priority);
  });

  it('a message’s style-sheet hosts: what the sheets load from there, in that tab', () => {
    const rules = allowRules(7, ['https://s.example/a.css'], 1, ['s.example', 'S.example', 'bad host/']);
    expect(rules).toEqual([
      {
        id: 1,
        priority: ALLOW_PRIORITY,
        action: { type: 'allow' },
        condition: { urlFilter: '|https://s.example/a.css|', tabIds: [7], resourceTypes: TYPES },
      },
      {
        id: 2,
        priority: ALLOW_PRIORITY,
        action: { type: 'allow' },
        condition: {
          requestDomains: ['s.example'],
          tabIds: [7],
          resourceTypes: ['stylesheet', 'image', 'font'],
        },
      },
    ]);
  });

  it('skip URLs that urlFilter cannot say exactly, and non-http URLs', () => {
    expect(exactUrlFilter('https://t.example/a*b')).toBeNull();
    expect(exactUrlFilter('https://t.example/a^b')).toBeNull();
    expect(exactUrlFilter('https://t.example/a|b')).toBeNull();
    expect(exactUrlFilter('data:image/gif;base64,AAAA')).toBeNull();
    expect(exactUrlFilter('not a url')).toBeNull();
    // ASCII as the browser matches it: punycode host, percent-encoded path.
    expect(exactUrlFilter('https://bücher.example/ä b.png')).toBe(
      '|https://xn--bcher-kva.example/%C3%A4%20b.png|',
    );
  });

  it('at most MAX_URLS_PER_MESSAGE per message', () => {
    const urls = Array.from({ length: 300 }, (_, i) => `https://t.example/${i}.png`);
    expect(allowRules(1, urls, 1)).toHaveLength(MAX_URLS_PER_MESSAGE);
  });

  it('replaceTab drops the tab’s rules (next message, navigation, close) and keeps other tabs’', async () => {
    const dnr = memoryDnr();
    const rules = new RemoteRules(dnr);
    await rules.allow(3, ['https://t.example/a.gif', 'https://t.example/b.gif']);
    await rules.allow(4, ['https://t.example/a.gif']);
    expect(dnr.session.map((r) => [r.id, r.condition.tabIds, r.condition.urlFilter])).toEqual([
      [1, [3], '|https://t.example/a.gif|'],
      [2, [3], '|https://t.example/b.gif|'],
      [3, [4], '|https://t.example/a.gif|'],
    ]);
    // Allowing the same URL again adds nothing.
    expect(await rules.allow(3, ['https://t.example/a.gif'])).toBe(0);
    expect(dnr.session).toHaveLength(3);
    await rules.replaceTab(3);
    expect(dnr.session.map((r) => r.condition.tabIds)).toEqual([[4]]);
    // A sender always allowed: the next message's URLs replace the tab's rules.
    await rules.replaceTab(4, ['https://t.example/c.gif']);
    expect(dnr.session.map((r) => r.condition.urlFilter)).toEqual(['|https://t.example/c.gif|']);
    expect(dnr.session[0]!.id).toBe(4);
  });

  it('stay bounded: the oldest rules of other tabs go first', async () => {
    const dnr = memoryDnr();
    const rules = new RemoteRules(dnr);
    for (let tab = 0; tab < 21; tab++) {
      await rules.allow(
        tab,
        Array.from({ length: 200 }, (_, i) => `https://t.example/${tab}/${i}.png`),
      );
    }
    expect(dnr.session.length).toBeLessThanOrEqual(MAX_SESSION_RULES);
    expect(dnr.session.some((r) => r.condition.tabIds![0] === 0)).toBe(false);
    expect(dnr.session.filter((r) => r.condition.tabIds![0] === 20)).toHaveLength(200);
  });

  it('concurrent changes never reuse a rule id', async () => {
    const dnr = memoryDnr();
    const rules = new RemoteRules(dnr);
    await Promise.all(
      Array.from({ length: 10 }, (_, tab) => rules.replaceTab(tab, [`https://t.example/${tab}.png`])),
    );
    expect(new Set(dnr.session.map((r) => r.id)).size).toBe(10);
  });
});
