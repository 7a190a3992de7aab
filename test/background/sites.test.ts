/**
 * Enabled sites (docs/webmail-integration.md §Host permissions): enable needs the
 * granted permission, registers and optionally injects the content script;
 * disable undoes all three; the start-up check drops sites whose permission is
 * gone; and the router accepts content scripts from enabled sites only.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  normalizeSiteOrigin,
  SITES_KEY,
  SiteRegistry,
  siteHandlers,
  siteScriptId,
} from '../../src/background/sites';
import { HandlerError } from '../../src/messaging/result';
import { createRouter } from '../../src/messaging/router';
import { CHROME_ID, CHROME_ORIGIN, chromePopup } from '../messaging/fixtures';
import { content, type FakePorts, fakePorts, memoryStore, value } from './webmail-harness';

const SITE = 'https://webmail.example.org';

let ports: FakePorts;
let local: ReturnType<typeof memoryStore>;
let sites: SiteRegistry;
let route: ReturnType<typeof createRouter>;

beforeEach(() => {
  ports = fakePorts();
  local = memoryStore();
  sites = new SiteRegistry(local, ports);
  route = createRouter({
    extensionId: CHROME_ID,
    extensionOrigin: CHROME_ORIGIN,
    handlers: { ...siteHandlers(sites), 'system:ping': () => ({ version: '0', browser: 'chrome' }) },
    contentHosts: () => sites.contentHosts(),
    onRefused: () => {},
    onError: (e) => {
      throw e;
    },
  });
});

const send = (m: unknown, sender: unknown = chromePopup()) => route(m, sender);

describe('sites', () => {
  it('normalizes origins: http(s) only, path dropped, no credentials', () => {
    expect(normalizeSiteOrigin('https://WebMail.Example.org/roundcube/?_task=mail')).toBe(SITE);
    expect(normalizeSiteOrigin('http://10.0.0.5:8080')).toBe('http://10.0.0.5:8080');
    for (const bad of [
      'ftp://example.org',
      'file:///etc',
      'chrome://settings',
      'not a url',
      'https://u:p@x.org',
    ]) {
      expect(() => normalizeSiteOrigin(bad), bad).toThrow(HandlerError);
    }
  });

  it('enable needs the granted permission, then registers, injects and lists the site', async () => {
    expect(await send({ type: 'sites:enable', origin: SITE, tabId: 5 })).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    expect(ports.registered.size).toBe(0);
    expect(await value(send({ type: 'sites:list' }) as never)).toEqual([]);

    ports.granted.add(`${SITE}/*`);
    expect(await value(send({ type: 'sites:enable', origin: `${SITE}/mail/`, tabId: 5 }) as never)).toEqual({
      origin: SITE,
      injected: true,
    });
    expect([...ports.registered.values()]).toEqual([
      {
        id: siteScriptId(SITE),
        matches: [`${SITE}/*`],
        js: ['content-scripts/content.js'],
        runAt: 'document_idle',
        persistAcrossSessions: true,
      },
    ]);
    expect(ports.injected).toEqual([{ tabId: 5, files: ['content-scripts/content.js'] }]);
    expect(local.data[SITES_KEY]).toEqual([SITE]);
    // Enabling again neither duplicates the site nor fails on the registered id.
    expect(await value(send({ type: 'sites:enable', origin: SITE }) as never)).toEqual({
      origin: SITE,
      injected: false,
    });
    expect(await value(send({ type: 'sites:list' }) as never)).toEqual([SITE]);
  });

  it('disable unregisters, gives the permission back and unlists the site', async () => {
    ports.granted.add(`${SITE}/*`);
    await value(send({ type: 'sites:enable', origin: SITE }) as never);
    expect(await value(send({ type: 'sites:disable', origin: SITE }) as never)).toEqual({ origin: SITE });
    expect(ports.registered.size).toBe(0);
    expect(ports.removedPermissions).toEqual([`${SITE}/*`]);
    expect(await value(send({ type: 'sites:list' }) as never)).toEqual([]);
  });

  it('the content script is accepted from an enabled site only while it is enabled', async () => {
    const fromSite = content(5, `${SITE}/?_task=mail`);
    expect(await send({ type: 'system:ping' }, fromSite)).toMatchObject({ ok: false, code: 'forbidden' });
    ports.granted.add(`${SITE}/*`);
    await value(send({ type: 'sites:enable', origin: SITE }) as never);
    expect(await send({ type: 'system:ping' }, fromSite)).toMatchObject({ ok: true });
    // A look-alike host is still refused; build hosts still work.
    expect(
      await send({ type: 'system:ping' }, content(6, 'https://webmail.example.org.evil.test/')),
    ).toMatchObject({ code: 'forbidden' });
    expect(await send({ type: 'system:ping' }, content(7))).toMatchObject({ ok: true });
    await value(send({ type: 'sites:disable', origin: SITE }) as never);
    expect(await send({ type: 'system:ping' }, fromSite)).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('at start-up, drops sites whose permission is gone and repairs lost registrations', async () => {
    const other = 'https://mail.other.test';
    ports.granted.add(`${SITE}/*`).add(`${other}/*`);
    await value(send({ type: 'sites:enable', origin: SITE }) as never);
    await value(send({ type: 'sites:enable', origin: other }) as never);
    // The user revoked one permission in the browser; the other site's script got lost.
    ports.granted.delete(`${SITE}/*`);
    ports.registered.delete(siteScriptId(other));
    ports.registered.set('site-orphan', {
      id: 'site-orphan',
      matches: ['https://x.test/*'],
      js: [],
      runAt: 'document_idle',
      persistAcrossSessions: true,
    });
    // A fresh background (service worker restart) reads the list from storage.
    const restarted = new SiteRegistry(local, ports);
    await restarted.recheck();
    expect(await restarted.list()).toEqual([other]);
    expect([...ports.registered.keys()]).toEqual([siteScriptId(other)]);
  });
});
