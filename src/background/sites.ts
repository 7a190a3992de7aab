/**
 * Sites the user enabled beyond the build's webmail hosts (docs/webmail-integration.md
 * §Host permissions), e.g. a company's Roundcube.
 *
 * The popup asks the browser for the optional host permission of that one origin
 * from a user gesture; only then does `sites:enable` register our content script
 * for it (persisted across sessions) and, if the popup names its tab, inject it
 * there at once. The list lives in `storage.local` ('sites') and feeds the
 * router's content-script hosts, so a content script is accepted only from build
 * hosts and enabled sites. A permission the user later revokes in the browser's
 * settings disables the site at the next check (start-up, permissions.onRemoved).
 */
import { toHex, utf8 } from '../crypto/bytes';
import { sha256 } from '../crypto/hash';
import { HandlerError } from '../messaging/result';
import type { Handlers } from '../messaging/router';
import { BUILD_CONTENT_HOSTS } from '../messaging/sender';
import type { MarkerStore } from './context';
import type { BrowserPorts } from './ports';

export const SITES_KEY = 'sites';
const SCRIPT_PREFIX = 'site-';

/** `scheme://host[:port]` of an http(s) URL or origin; anything else is `invalid-input`. */
export function normalizeSiteOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HandlerError('invalid-input', 'not a web address');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
    throw new HandlerError('invalid-input', 'only http and https sites can be enabled');
  }
  if (url.username !== '' || url.password !== '') {
    throw new HandlerError('invalid-input', 'a site address carries no user name');
  }
  return url.origin;
}

/**
 * The match pattern of a site, for the permission, the registered script and
 * the router: the same `<origin>/*` the popup requests (src/ui/sites.ts
 * `originPattern`), so the permission we check is the one the user granted.
 */
export function sitePattern(origin: string): string {
  return `${origin}/*`;
}

export const siteScriptId = (origin: string): string =>
  `${SCRIPT_PREFIX}${toHex(sha256(utf8(origin))).slice(0, 32)}`;

type SitePorts = Pick<BrowserPorts, 'scripting' | 'permissions' | 'contentScriptFiles'>;

export class SiteRegistry {
  private cached: string[] | undefined;

  constructor(
    private readonly local: MarkerStore,
    private readonly ports: SitePorts,
  ) {}

  async list(): Promise<string[]> {
    if (!this.cached) {
      const raw = (await this.local.get(SITES_KEY))[SITES_KEY];
      this.cached = Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string') : [];
    }
    return [...this.cached];
  }

  /** The router's content-script hosts: the build's and every enabled site's. */
  async contentHosts(): Promise<readonly string[]> {
    const sites = await this.list();
    return sites.length === 0 ? BUILD_CONTENT_HOSTS : [...BUILD_CONTENT_HOSTS, ...sites.map(sitePattern)];
  }

  private async save(sites: string[]): Promise<void> {
    await this.local.set({ [SITES_KEY]: sites });
    this.cached = [...sites];
  }

  private async register(origin: string): Promise<void> {
    const id = siteScriptId(origin);
    // Re-registering replaces the entry, so a new build's script path is picked up.
    if ((await this.ports.scripting.registeredIds()).includes(id))
      await this.ports.scripting.unregister([id]);
    await this.ports.scripting.register({
      id,
      matches: [sitePattern(origin)],
      js: this.ports.contentScriptFiles(),
      runAt: 'document_idle',
      persistAcrossSessions: true,
    });
  }

  async enable(raw: string, tabId?: number): Promise<{ origin: string; injected: boolean }> {
    const origin = normalizeSiteOrigin(raw);
    const pattern = sitePattern(origin);
    // The popup requested it from a user gesture; without it we must not claim the site.
    if (!(await this.ports.permissions.contains([pattern]))) {
      throw new HandlerError('forbidden', `the browser has not granted access to ${origin}`);
    }
    await this.register(origin);
    const sites = await this.list();
    if (!sites.includes(origin)) await this.save([...sites, origin]);
    let injected = false;
    if (tabId !== undefined) {
      try {
        await this.ports.scripting.inject(tabId, this.ports.contentScriptFiles());
        injected = true;
      } catch {
        // The tab shows another site or cannot be scripted: the next load will run it.
      }
    }
    return { origin, injected };
  }

  async disable(raw: string): Promise<{ origin: string }> {
    const origin = normalizeSiteOrigin(raw);
    const id = siteScriptId(origin);
    await this.save((await this.list()).filter((s) => s !== origin));
    if ((await this.ports.scripting.registeredIds()).includes(id))
      await this.ports.scripting.unregister([id]);
    await this.ports.permissions.remove([sitePattern(origin)]).catch(() => false);
    return { origin };
  }

  /**
   * At start-up and when a permission goes: a site whose permission is gone is
   * disabled; one that lost its registration is registered again; a `site-`
   * script of no enabled site is removed.
   */
  async recheck(): Promise<void> {
    const kept: string[] = [];
    for (const origin of await this.list()) {
      if (await this.ports.permissions.contains([sitePattern(origin)])) kept.push(origin);
    }
    await this.save(kept);
    const wanted = new Set(kept.map(siteScriptId));
    const registered = (await this.ports.scripting.registeredIds()).filter((id) =>
      id.startsWith(SCRIPT_PREFIX),
    );
    const stale = registered.filter((id) => !wanted.has(id));
    if (stale.length > 0) await this.ports.scripting.unregister(stale);
    for (const origin of kept) if (!registered.includes(siteScriptId(origin))) await this.register(origin);
  }
}

export function siteHandlers(
  sites: SiteRegistry,
): Pick<Handlers, 'sites:list' | 'sites:enable' | 'sites:disable'> {
  return {
    'sites:list': () => sites.list(),
    'sites:enable': ({ origin, tabId }) => sites.enable(origin, tabId),
    'sites:disable': ({ origin }) => sites.disable(origin),
  };
}
