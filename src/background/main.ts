/**
 * The background's start-up: everything registered synchronously (MV3 drops
 * events that arrive before their listener), the vault opened lazily, the
 * session restored from `storage.session`.
 */
import { browser } from 'wxt/browser';
import { Vault } from '../keyring';
import { registerMessageRouter } from '../messaging/register';
import { createContext, dropTab } from './context';
import { scheduledCheck } from './directory';
import { createBackgroundHandlers } from './handlers';
import { ensureSecurityMarker } from './misc-handlers';
import { browserPorts } from './ports';
import { Session } from './session';
import { SiteRegistry } from './sites';

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
  registerMessageRouter(undefined, {
    handlers: createBackgroundHandlers(
      ctx,
      { version: browser.runtime.getManifest().version, browser: import.meta.env.BROWSER ?? 'unknown' },
      { ports, sites },
    ),
    // Build hosts plus the enabled sites (cached in the registry, updated on change).
    contentHosts: () => sites.contentHosts(),
  });

  // Tickets, reply seeds and provider reports of a closed tab go with it (issue 5).
  browser.tabs.onRemoved.addListener((tabId) => dropTab(ctx, tabId));
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
