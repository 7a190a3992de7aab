/**
 * Remote content of webmail pages, blocked by the browser before any request
 * leaves (issue 6, docs/privacy.md §How).
 *
 * - **Dynamic rules** (persist across restarts): one `block` rule per content host
 *   (the build's webmail hosts and every enabled site), for requests that page
 *   starts (`initiatorDomains`) to a third-party domain (`domainType`), of the
 *   types a mail body can make (images, media, fonts, style sheets, frames,
 *   objects, pings, prefetches: `other`). The webmail's own UI CDNs are excluded
 *   per provider, or the webmail itself would break; Gmail's image proxy
 *   (googleusercontent.com) is deliberately NOT excluded: it fetches the sender's
 *   tracker when asked, so blocking it is what keeps the open from being seen.
 *   The whole set is replaced in one `updateDynamicRules` call, so installing it
 *   at every start-up is idempotent and the set never grows past the host list.
 * - **Session rules** ("Load this time", and senders the user always allows): one
 *   `allow` rule per exact URL of one message, for one tab (`tabIds`), at a higher
 *   priority. They go when that tab scans another message, navigates or closes,
 *   so a second message with the same tracker stays blocked. The rules themselves
 *   say which tab they are for, so nothing is lost when the service worker stops.
 */
import type { ProviderId } from '../messaging/messages';

/** What a mail body can load by itself. `other` covers `<link rel=prefetch>`. */
export const BLOCKED_TYPES = [
  'image',
  'media',
  'font',
  'stylesheet',
  'sub_frame',
  'object',
  'ping',
  'other',
] as const;
export type ResourceType = (typeof BLOCKED_TYPES)[number];

export interface DnrRule {
  id: number;
  priority: number;
  action: { type: 'block' | 'allow' };
  condition: {
    initiatorDomains?: string[];
    domainType?: 'thirdParty' | 'firstParty';
    excludedRequestDomains?: string[];
    requestDomains?: string[];
    urlFilter?: string;
    tabIds?: number[];
    resourceTypes: ResourceType[];
  };
}

/** `declarativeNetRequest`, the four calls we use. */
export interface DnrPort {
  getDynamicRules(): Promise<DnrRule[]>;
  updateDynamicRules(update: { removeRuleIds?: number[]; addRules?: DnrRule[] }): Promise<void>;
  getSessionRules(): Promise<DnrRule[]>;
  updateSessionRules(update: { removeRuleIds?: number[]; addRules?: DnrRule[] }): Promise<void>;
}

/**
 * The webmail's own interface hosts (scripts are not blocked anyway; these serve
 * its images, fonts and style sheets). Requests to them from the webmail are
 * never blocked by the browser rules: mail content served from them is
 * neutralised in the DOM only (docs/privacy.md §Limits).
 */
export const PROVIDER_UI_DOMAINS: Readonly<Record<ProviderId, readonly string[]>> = {
  gmail: ['gstatic.com', 'google.com', 'googleapis.com'],
  outlook: [
    'office.net',
    'office.com',
    'office365.com',
    'live.com',
    'outlook.com',
    'microsoft.com',
    'microsoftonline.com',
    'msauth.net',
    'msftauth.net',
    'msecnd.net',
  ],
  yahoo: ['yimg.com', 'yahoo.com', 'yahooapis.com'],
  roundcube: [],
  generic: [],
};

/** The provider whose interface a host serves (the hosts of src/shell/hosts.ts). */
export function providerOfHost(host: string): ProviderId {
  if (host === 'mail.google.com') return 'gmail';
  if (host === 'outlook.live.com' || host === 'outlook.office.com' || host === 'outlook.office365.com')
    return 'outlook';
  if (host === 'mail.yahoo.com') return 'yahoo';
  // Loopback (e2e) and enabled sites: a Roundcube or another webmail; exclude nothing.
  return 'roundcube';
}

/** The host of a match pattern (`https://mail.google.com/*`) or origin; null if none. */
export function hostOf(patternOrOrigin: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/:*]+)(?::\d+)?(?:\/.*)?$/i.exec(patternOrOrigin);
  return m ? m[1]!.toLowerCase() : null;
}

/** Dynamic rule ids 1..MAX_HOSTS; enabled sites beyond that are not covered (and logged). */
export const MAX_HOSTS = 1000;
export const BLOCK_PRIORITY = 1;
export const ALLOW_PRIORITY = 2;

/** The block rules for these content hosts: ids 1..n in sorted host order, so the set is stable. */
export function blockRules(hosts: readonly string[]): DnrRule[] {
  const unique = [...new Set(hosts.map((h) => h.toLowerCase()))].sort().slice(0, MAX_HOSTS);
  return unique.map((host, i) => {
    const excluded = PROVIDER_UI_DOMAINS[providerOfHost(host)];
    return {
      id: i + 1,
      priority: BLOCK_PRIORITY,
      action: { type: 'block' },
      condition: {
        initiatorDomains: [host],
        domainType: 'thirdParty',
        ...(excluded.length > 0 ? { excludedRequestDomains: [...excluded] } : {}),
        resourceTypes: [...BLOCKED_TYPES],
      },
    };
  });
}

/** At most this many allow rules per message (a mail with more loads only the first ones). */
export const MAX_URLS_PER_MESSAGE = 200;
/** Chrome allows 5000 session rules; keep well below, dropping the oldest tab's first. */
export const MAX_SESSION_RULES = 4000;

/**
 * The urlFilter matching exactly this URL, or null when it cannot be written
 * safely: `*`, `^` and `|` are urlFilter syntax with no escape, and urlFilter
 * must be ASCII (URL.href is: punycode host, percent-encoded path).
 */
export function exactUrlFilter(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // The fragment never reaches the network, and the browser matches without it.
  url.hash = '';
  const href = url.href;
  if (/[*^|]/.test(href) || !/^[\x21-\x7e]+$/.test(href)) return null;
  return `|${href}|`;
}

/** What an allowed style sheet loads in turn: `@import`, `url()` images, `@font-face`. */
export const SHEET_TYPES = ['stylesheet', 'image', 'font'] as const;
/** Style-sheet hosts per message whose nested loads are allowed. */
export const MAX_SHEET_HOSTS = 10;

/**
 * Allow rules for these URLs in this tab, ids from `firstId`; and, for the hosts of
 * the message's style sheets, what those sheets load from their own host (the
 * browser attributes a sheet's `@import` and `url()` requests to the page, and their
 * URLs are not in the message, so exact rules cannot name them).
 */
export function allowRules(
  tabId: number,
  urls: readonly string[],
  firstId: number,
  sheetHosts: readonly string[] = [],
): DnrRule[] {
  const filters = [...new Set(urls.map(exactUrlFilter).filter((f): f is string => f !== null))].slice(
    0,
    MAX_URLS_PER_MESSAGE,
  );
  const exact: DnrRule[] = filters.map((urlFilter, i) => ({
    id: firstId + i,
    priority: ALLOW_PRIORITY,
    action: { type: 'allow' },
    condition: { urlFilter, tabIds: [tabId], resourceTypes: [...BLOCKED_TYPES] },
  }));
  const hosts = [...new Set(sheetHosts.map((h) => h.toLowerCase()))]
    .filter((h) => /^[a-z0-9.-]+$/.test(h) || /^\[[0-9a-f:.]+\]$/.test(h))
    .slice(0, MAX_SHEET_HOSTS);
  const nested: DnrRule[] = hosts.map((host, i) => ({
    id: firstId + exact.length + i,
    priority: ALLOW_PRIORITY,
    action: { type: 'allow' },
    condition: { requestDomains: [host], tabIds: [tabId], resourceTypes: [...SHEET_TYPES] },
  }));
  return [...exact, ...nested];
}

/** What makes two allow rules the same (for not adding one twice). */
const allowKey = (r: DnrRule) => r.condition.urlFilter ?? `domain:${r.condition.requestDomains?.join(',')}`;

/**
 * The rules of one browser, serialised: every change reads the current rules and
 * writes one update, one change after another, so concurrent scans cannot pick
 * the same rule id.
 */
export class RemoteRules {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dnr: DnrPort,
    private readonly log: (message: string) => void = () => {},
  ) {}

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Replaces every dynamic rule by the block rules of these hosts (start-up, sites changed). */
  install(hosts: readonly string[]): Promise<void> {
    return this.serial(async () => {
      if (hosts.length > MAX_HOSTS) this.log(`only the first ${MAX_HOSTS} content hosts are protected`);
      const existing = await this.dnr.getDynamicRules();
      await this.dnr.updateDynamicRules({
        removeRuleIds: existing.map((r) => r.id),
        addRules: blockRules(hosts),
      });
    });
  }

  /**
   * The tab shows another message (or navigated, or closed): its allow rules go.
   * Then, when `urls` is given, allows exactly those URLs for that tab.
   */
  replaceTab(
    tabId: number,
    urls: readonly string[] = [],
    sheetHosts: readonly string[] = [],
  ): Promise<number> {
    return this.serial(async () => {
      const existing = await this.dnr.getSessionRules();
      const remove = existing.filter((r) => r.condition.tabIds?.includes(tabId)).map((r) => r.id);
      const kept = existing.filter((r) => !r.condition.tabIds?.includes(tabId));
      const nextId = existing.reduce((max, r) => Math.max(max, r.id), 0) + 1;
      const add = allowRules(tabId, urls, nextId, sheetHosts);
      // Bounded: the oldest rules (lowest ids) of other tabs go first.
      const overflow = kept.length + add.length - MAX_SESSION_RULES;
      if (overflow > 0) {
        for (const r of [...kept].sort((a, b) => a.id - b.id).slice(0, overflow)) remove.push(r.id);
      }
      if (remove.length === 0 && add.length === 0) return 0;
      await this.dnr.updateSessionRules({ removeRuleIds: remove, addRules: add });
      return add.length;
    });
  }

  /** Adds allow rules for these URLs in this tab, keeping the tab's others. */
  allow(tabId: number, urls: readonly string[], sheetHosts: readonly string[] = []): Promise<number> {
    return this.serial(async () => {
      const existing = await this.dnr.getSessionRules();
      const have = new Set(existing.filter((r) => r.condition.tabIds?.includes(tabId)).map(allowKey));
      const nextId = existing.reduce((max, r) => Math.max(max, r.id), 0) + 1;
      const add = allowRules(tabId, urls, nextId, sheetHosts).filter((r) => !have.has(allowKey(r)));
      add.forEach((r, i) => {
        r.id = nextId + i;
      });
      const overflow = existing.length + add.length - MAX_SESSION_RULES;
      const remove =
        overflow > 0
          ? existing
              .filter((r) => !r.condition.tabIds?.includes(tabId))
              .sort((a, b) => a.id - b.id)
              .slice(0, overflow)
              .map((r) => r.id)
          : [];
      if (add.length === 0 && remove.length === 0) return 0;
      await this.dnr.updateSessionRules({ removeRuleIds: remove, addRules: add });
      return add.length;
    });
  }
}

/** An in-memory declarativeNetRequest (tests; and builds without the API). */
export type MemoryDnr = DnrPort & { dynamic: DnrRule[]; session: DnrRule[] };

export function memoryDnr(): MemoryDnr {
  const store: MemoryDnr = {
    dynamic: [] as DnrRule[],
    session: [] as DnrRule[],
    getDynamicRules: async () => structuredClone(store.dynamic),
    updateDynamicRules: async ({ removeRuleIds = [], addRules = [] }) => {
      const kept = store.dynamic.filter((r) => !removeRuleIds.includes(r.id));
      for (const r of addRules) if (kept.some((k) => k.id === r.id)) throw new Error(`duplicate id ${r.id}`);
      store.dynamic = [...kept, ...structuredClone(addRules)];
    },
    getSessionRules: async () => structuredClone(store.session),
    updateSessionRules: async ({ removeRuleIds = [], addRules = [] }) => {
      const kept = store.session.filter((r) => !removeRuleIds.includes(r.id));
      for (const r of addRules) if (kept.some((k) => k.id === r.id)) throw new Error(`duplicate id ${r.id}`);
      store.session = [...kept, ...structuredClone(addRules)];
    },
  };
  return store;
}
