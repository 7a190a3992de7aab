/**
 * The background's start-up: everything registered synchronously (MV3 drops
 * events that arrive before their listener), the vault opened lazily, the
 * session restored from `storage.session`.
 */
import { browser } from 'wxt/browser';
import { Vault } from '../keyring';
import { registerMessageRouter } from '../messaging/register';
import { BUILD_CONTENT_HOSTS } from '../messaging/sender';
import { createContext, dropTab } from './context';
import { scheduledCheck } from './directory';
import { createBackgroundHandlers } from './handlers';
import { ensureSecurityMarker } from './misc-handlers';
import { browserPorts } from './ports';
import { hostOf, RemoteRules } from './remote-rules';
import { Session } from './session';
import { SITES_KEY, SiteRegistry } from './sites';

export const AUTO_LOCK_ALARM = 'cipherpost-auto-lock';
/** Issue #4: the owner checks their own address in the directory's log daily and at start-up. */
export const DIRECTORY_CHECK_ALARM = 'cipherpost-directory-check';

export function startBackground(): void {
  const sessionStorage = browser.storage.session;
  // Chrome's default already, stated explicitly: content scripts must never read the session.
  void (
    sessionStorage as unknown as { setAccessLevel?: (o: { accessLevel: string }) => Promise<void> }
  ).setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });

  const session = new Session(sessionStorage as never);
  const ctx = createContext(() => Vault.open(), session, browser.storage.local as never);
  const ports = browserPorts();
  const sites = new SiteRegistry(ctx.local, ports);
  const remoteRules = new RemoteRules(ports.dnr!, (m) => console.warn(`Cipherpost: ${m}`));
  registerMessageRouter(undefined, {
    handlers: createBackgroundHandlers(
      ctx,
      { version: browser.runtime.getManifest().version, browser: import.meta.env.BROWSER ?? 'unknown' },
      { ports, sites, remoteRules },
    ),
    // Build hosts plus the enabled sites (cached in the registry, updated on change).
    contentHosts: () => sites.contentHosts(),
  });

  // Tickets, reply seeds and provider reports of a closed tab go with it (issue 5),
  // and so do the remote content it was allowed to load (issue 6).
  browser.tabs.onRemoved.addListener((tabId) => {
    dropTab(ctx, tabId);
    void remoteRules.replaceTab(tabId).catch(() => {});
  });
  // "Load this time" is for one message: a tab that navigates (Gmail's hash
  // changes included) shows another one.
  browser.tabs.onUpdated.addListener((tabId, change) => {
    if (change.url !== undefined) void remoteRules.replaceTab(tabId).catch(() => {});
  });
  // Remote content is blocked on every content host: the build's and the enabled
  // sites', re-installed (replacing the whole set) at every start and whenever the
  // sites change (docs/privacy.md).
  const installRules = (origins: Promise<unknown>) =>
    void origins
      .then((list) => {
        const enabled = Array.isArray(list) ? list.filter((o): o is string => typeof o === 'string') : [];
        const hosts = [...BUILD_CONTENT_HOSTS, ...enabled].map(hostOf).filter((h): h is string => h !== null);
        return remoteRules.install(hosts);
      })
      .catch((e) => console.warn('Cipherpost: remote-content rules not installed', e));
  browser.storage.onChanged.addListener((changes, area) => {
    // The new list itself, not the registry's cache, which may not be updated yet.
    if (area === 'local' && SITES_KEY in changes) installRules(Promise.resolve(changes[SITES_KEY]?.newValue));
  });
  installRules(sites.list());
  // A host permission revoked in the browser's settings disables its site; and at
  // every start, a site whose permission is gone is dropped (docs/webmail-integration.md).
  browser.permissions.onRemoved.addListener(() => void sites.recheck().catch(() => {}));
  void sites.recheck().catch(() => {});

  browser.runtime.onInstalled.addListener(() => {
    void ensureSecurityMarker(ctx);
  });
  // storage.session is empty after a browser restart anyway; lock explicitly too.
  browser.runtime.onStartup.addListener(() => {
    void session.lock();
    void scheduledCheck(ctx).catch(() => {});
  });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === AUTO_LOCK_ALARM) void session.checkIdle();
    if (alarm.name === DIRECTORY_CHECK_ALARM) void scheduledCheck(ctx).catch(() => {});
  });
  void browser.alarms.create(AUTO_LOCK_ALARM, { periodInMinutes: 1 });
  // Daily. Created only if missing: the service worker restarts often, and
  // re-creating would reset the schedule. The start-up check is in onStartup.
  void browser.alarms.get(DIRECTORY_CHECK_ALARM).then((existing) => {
    if (!existing) void browser.alarms.create(DIRECTORY_CHECK_ALARM, { periodInMinutes: 24 * 60 });
  });
  void session.restore();
}
