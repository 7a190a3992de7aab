/**
 * The extension's directory features through the real router and vault, against
 * the real transparency log behind a fake directory (test/directory-client):
 * a lookup makes a contact `directory-verified` only when every check passes;
 * a lying directory is a typed security error and the contact is not touched;
 * the owner's self-check raises an alarm for a key they never published.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/background/context';
import { CHECK_KEY, scheduledCheck } from '../../src/background/directory';
import { createBackgroundHandlers } from '../../src/background/handlers';
import { Session } from '../../src/background/session';
import { dearmor, formatFingerprint, parseKeyBundle } from '../../src/crypto';
import { Vault } from '../../src/keyring';
import type { Message, ResponseOf } from '../../src/messaging/messages';
import type { Result } from '../../src/messaging/result';
import { createRouter } from '../../src/messaging/router';
import { FakeDirectory } from '../directory-client/fake-directory';
import { identity } from '../directory-client/helpers';
import { CHROME_ID, CHROME_ORIGIN, chromePopup } from '../messaging/fixtures';

function memoryStore() {
  const data: Record<string, unknown> = {};
  return {
    data,
    get: async (k: string) => (k in data ? { [k]: structuredClone(data[k]) } : {}),
    set: async (items: Record<string, unknown>) => void Object.assign(data, structuredClone(items)),
    remove: async (k: string) => void delete data[k],
  };
}

let directory: FakeDirectory;
let send: <M extends Message>(m: M) => Promise<Result<ResponseOf<M['type']>>>;
let local: ReturnType<typeof memoryStore>;
let ctx: ReturnType<typeof createContext>;
/** What the extension's fetch reaches: the fake directory, unless a test puts something in front. */
let fetchImpl: (url: string, init?: RequestInit) => Promise<Response>;

async function value<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.value;
}

beforeEach(async () => {
  directory = await FakeDirectory.create();
  fetchImpl = directory.fetch;
  local = memoryStore();
  const session = new Session(memoryStore());
  ctx = createContext(() => Vault.open({ indexedDB: new IDBFactory(), name: 'dir-test' }), session, local);
  const route = createRouter({
    extensionId: CHROME_ID,
    extensionOrigin: CHROME_ORIGIN,
    handlers: createBackgroundHandlers(
      ctx,
      { version: '0', browser: 'chrome' },
      { fetch: (u, i) => fetchImpl(u, i) },
    ),
    onRefused: () => {},
    onError: (e) => {
      throw e;
    },
  });
  send = (m) => route(m, chromePopup()) as never;
  await value(
    send({ type: 'vault:create', address: 'owner@example.org', passphrase: 'orbit cactus lantern meadow' }),
  );
});

const configure = () =>
  value(
    send({
      type: 'settings:set',
      directoryUrl: 'https://keys.example.org',
      directoryPublicKey: Buffer.from(directory.publicKey).toString('base64'),
    }),
  );

describe('directory features of the background', () => {
  it('refuses to look up before the directory key is configured', async () => {
    expect(await send({ type: 'directory:lookup', address: 'bob@example.org' })).toMatchObject({
      code: 'directory-not-configured',
    });
  });

  it('marks a contact directory-verified after a verified lookup', async () => {
    await configure();
    const bob = await identity('bob');
    await directory.noise(5);
    await directory.publish(bob.bundle);
    const contact = await value(send({ type: 'directory:lookup', address: 'Bob@Example.org' }));
    expect(contact).toMatchObject({
      address: 'bob@example.org',
      trust: 'directory-verified',
      fingerprint: formatFingerprint(bob.bundle.fingerprint),
    });
    expect(await send({ type: 'directory:lookup', address: 'nobody@example.org' })).toMatchObject({
      code: 'directory-not-found',
    });
  });

  it('a directory that swaps a key or breaks a proof is a security error, and no contact is made', async () => {
    await configure();
    const bob = await identity('bob');
    const mallory = await identity('mallory', ['bob@example.org']);
    await directory.publish(bob.bundle);
    directory.tamper = (route, answer) => {
      if (route.path.startsWith('/v1/keys/')) {
        const body = answer.body as { bundle: string };
        return { ...answer, body: { ...body, bundle: Buffer.from(mallory.bundle.bytes).toString('base64') } };
      }
      return answer;
    };
    const r = await send({ type: 'directory:lookup', address: 'bob@example.org' });
    expect(r.ok).toBe(false);
    expect((r as { code: string }).code).toMatch(/^directory-(bad-proof|wrong-address|bad-signature)$/);
    expect(await value(send({ type: 'contacts:list' }))).toEqual([]);
  });

  it('publishing posts the primary bundle; "check your inbox" survives until the binding shows in the log', async () => {
    await configure();
    const posted: unknown[] = [];
    const serverFetch = directory.fetch;
    fetchImpl = async (url, init) => {
      if (String(url).endsWith('/v1/keys') && init?.method === 'POST') {
        posted.push(JSON.parse(String(init.body)));
        return new Response(JSON.stringify({ status: 'pending', fingerprint: 'ff' }), { status: 202 });
      }
      return serverFetch(url, init);
    };
    expect(await value(send({ type: 'directory:publish' }))).toEqual({
      status: 'pending',
      fingerprint: 'ff',
    });
    expect(posted).toEqual([{ address: 'owner@example.org', bundle: expect.any(String) }]);
    // A new popup asks again: still pending.
    expect(await value(send({ type: 'directory:check' }))).toMatchObject({
      state: 'not-published',
      pending: true,
    });
    const { publicKey } = await value(send({ type: 'identity:get' }));
    await directory.publish(await parseKeyBundle(dearmor(publicKey, 'PUBLIC KEY')));
    const published = await value(send({ type: 'directory:check' }));
    expect(published.state).toBe('published');
    expect(published.pending).toBeUndefined();
  });

  it("the owner's self-check: not published, published, then an alarm for a key they never published", async () => {
    await configure();
    const first = await value(send({ type: 'directory:check' }));
    expect(first.state).toBe('not-published');
    expect(first.pending).toBeUndefined();
    const { publicKey } = await value(send({ type: 'identity:get' }));
    const mine = await parseKeyBundle(dearmor(publicKey, 'PUBLIC KEY'));
    await directory.publish(mine);
    expect(await value(send({ type: 'directory:check' }))).toMatchObject({
      state: 'published',
      unexpected: [],
    });
    const impostor = await identity('impostor', ['owner@example.org']);
    await directory.publish(impostor.bundle);
    const check = await value(send({ type: 'directory:check' }));
    expect(check.state).toBe('alarm');
    expect(check.unexpected).toEqual([Buffer.from(impostor.bundle.fingerprint).toString('hex')]);
    expect(local.data[CHECK_KEY]).toMatchObject({ state: 'alarm' });
  });

  it('the scheduled self-check runs while the vault is locked, from the public facts kept at unlock', async () => {
    await configure();
    const { publicKey } = await value(send({ type: 'identity:get' }));
    await directory.publish(await parseKeyBundle(dearmor(publicKey, 'PUBLIC KEY')));
    await value(send({ type: 'vault:lock' }));
    expect(await send({ type: 'identity:get' })).toMatchObject({ code: 'locked' });
    expect(await scheduledCheck(ctx, { fetch: directory.fetch })).toMatchObject({ state: 'published' });
    await directory.publish((await identity('impostor', ['owner@example.org'])).bundle);
    expect(await scheduledCheck(ctx, { fetch: directory.fetch })).toMatchObject({ state: 'alarm' });
  });
});
