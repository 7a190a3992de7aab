/**
 * A background for the webmail-integration tests: the real router, handlers and
 * vault (fake IndexedDB), with fake browser ports that record what the
 * background asks of tabs, windows, scripting and permissions.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { createContext } from '../../src/background/context';
import { createBackgroundHandlers } from '../../src/background/handlers';
import type { BrowserPorts, RegisteredScript } from '../../src/background/ports';
import { type MemoryDnr, memoryDnr } from '../../src/background/remote-rules';
import { Session } from '../../src/background/session';
import { SiteRegistry } from '../../src/background/sites';
import {
  armor,
  dearmor,
  encryptMessage,
  type Identity,
  type MessageInput,
  openIdentity,
  type PublicKeyBundle,
  parseKeyBundle,
} from '../../src/crypto';
import { Vault } from '../../src/keyring';
import type { Message, ResponseOf, TabCommand } from '../../src/messaging/messages';
import type { Result } from '../../src/messaging/result';
import { createRouter } from '../../src/messaging/router';
import { CHROME_ID, CHROME_ORIGIN, chromePopup } from '../messaging/fixtures';

export const PASSPHRASE = 'orbit cactus lantern meadow';
export const ALICE = 'alice@example.test';
const GMAIL_URL = 'https://mail.google.com/mail/u/0/#inbox';

export function memoryStore() {
  const data: Record<string, unknown> = {};
  return {
    data,
    get: async (k: string) => (k in data ? { [k]: structuredClone(data[k]) } : {}),
    set: async (items: Record<string, unknown>) => void Object.assign(data, structuredClone(items)),
    remove: async (k: string) => void delete data[k],
  };
}

/** Our content script in the top frame of Gmail tab `tabId`. */
export const content = (tabId: number, url = GMAIL_URL) => ({
  id: CHROME_ID,
  url,
  origin: new URL(url).origin,
  frameId: 0,
  tab: { id: tabId, url },
});

/** Our compose or reader iframe (`frameId` > 0) in tab `tabId`. */
export const frame = (tabId: number, frameId = 7, page = 'reader.html') => ({
  id: CHROME_ID,
  url: `${CHROME_ORIGIN}/${page}`,
  origin: CHROME_ORIGIN,
  frameId,
  tab: { id: tabId, url: GMAIL_URL },
});

/** A top-level extension page in its own tab (the standalone compose window). */
export const extensionTab = (tabId: number, page = 'compose.html') => ({
  id: CHROME_ID,
  url: `${CHROME_ORIGIN}/${page}`,
  origin: CHROME_ORIGIN,
  frameId: 0,
  tab: { id: tabId, url: `${CHROME_ORIGIN}/${page}` },
});

export interface FakePorts extends BrowserPorts {
  commands: { tabId: number; command: TabCommand }[];
  windows: BrowserPorts['windows'] & { opened: { url: string; width: number; height: number }[] };
  /** What the content script answers: ok, an error Result, or no receiver at all. */
  tabAnswer: 'ok' | 'error' | 'no-receiver';
  registered: Map<string, RegisteredScript>;
  injected: { tabId: number; files: string[] }[];
  granted: Set<string>;
  removedPermissions: string[];
  nextWindowTab: number;
  /** declarativeNetRequest's rules, in memory (issue 6). */
  dnr: MemoryDnr;
}

export function fakePorts(): FakePorts {
  const ports: FakePorts = {
    commands: [],
    tabAnswer: 'ok',
    registered: new Map(),
    injected: [],
    granted: new Set(),
    removedPermissions: [],
    nextWindowTab: 500,
    tabs: {
      send: async (tabId, command) => {
        ports.commands.push({ tabId, command: structuredClone(command) });
        if (ports.tabAnswer === 'no-receiver') throw new Error('Could not establish connection');
        return ports.tabAnswer === 'ok'
          ? { ok: true, value: {} }
          : { ok: false, code: 'internal', message: 'no field' };
      },
    },
    windows: {
      opened: [],
      open: async (options) => {
        ports.windows.opened.push(options);
        return ports.nextWindowTab++;
      },
    },
    scripting: {
      register: async (script) => {
        if (ports.registered.has(script.id)) throw new Error(`duplicate id ${script.id}`);
        ports.registered.set(script.id, structuredClone(script));
      },
      unregister: async (ids) => {
        for (const id of ids) ports.registered.delete(id);
      },
      registeredIds: async () => [...ports.registered.keys()],
      inject: async (tabId, files) => {
        ports.injected.push({ tabId, files });
      },
    },
    permissions: {
      contains: async (origins) => origins.every((o) => ports.granted.has(o)),
      remove: async (origins) => {
        ports.removedPermissions.push(...origins);
        for (const o of origins) ports.granted.delete(o);
        return true;
      },
    },
    getURL: (path) => `${CHROME_ORIGIN}${path}`,
    contentScriptFiles: () => ['content-scripts/content.js'],
    dnr: memoryDnr(),
  };
  return ports;
}

export async function value<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.value;
}

export interface Background {
  send<M extends Message>(m: M, sender?: unknown): Promise<Result<ResponseOf<M['type']>>>;
  ports: FakePorts;
  local: ReturnType<typeof memoryStore>;
  ctx: ReturnType<typeof createContext>;
  sites: SiteRegistry;
  /** Alice's own public bundle (the vault's identity). */
  aliceBundle: PublicKeyBundle;
  clock: { now: number };
  fetch: { impl: (url: string, init?: RequestInit) => Promise<Response> };
}

/** A background with Alice's vault created and unlocked. */
export async function background(): Promise<Background> {
  const local = memoryStore();
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const session = new Session(memoryStore());
  const ctx = createContext(
    () => Vault.open({ indexedDB: new IDBFactory(), name: 'webmail-test' }),
    session,
    local,
    now,
  );
  const ports = fakePorts();
  const sites = new SiteRegistry(local, ports);
  const fetchHolder = {
    impl: async (_url: string, _init?: RequestInit): Promise<Response> => {
      throw new Error('no network in this test');
    },
  };
  const route = createRouter({
    extensionId: CHROME_ID,
    extensionOrigin: CHROME_ORIGIN,
    handlers: createBackgroundHandlers(
      ctx,
      { version: '0', browser: 'chrome' },
      { ports, sites, now, fetch: (u, i) => fetchHolder.impl(u, i) },
    ),
    contentHosts: () => sites.contentHosts(),
    onRefused: () => {},
    onError: (e) => {
      throw e;
    },
  });
  const send = <M extends Message>(m: M, sender: unknown = chromePopup()) =>
    route(m, sender) as Promise<Result<ResponseOf<M['type']>>>;
  await value(send({ type: 'vault:create', address: ALICE, passphrase: PASSPHRASE }));
  const { publicKey } = await value(send({ type: 'identity:get' }));
  const aliceBundle = await parseKeyBundle(dearmor(publicKey, 'PUBLIC KEY'));
  return { send, ports, local, ctx, sites, aliceBundle, clock, fetch: fetchHolder };
}

let seed = 10;
/** A correspondent outside the vault. */
export async function correspondent(address: string): Promise<Identity> {
  return openIdentity(new Uint8Array(32).fill(seed++), { addresses: [address], created: 1_767_225_600 });
}

/** An armored message from `from` to the given bundles. */
export async function mail(
  from: Identity,
  to: { address: string; bundle: PublicKeyBundle }[],
  input: MessageInput,
): Promise<string> {
  return armor(
    await encryptMessage(input, { sender: from, senderAddress: from.bundle.addresses[0]!, recipients: to }),
  );
}
