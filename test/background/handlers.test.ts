/**
 * The background's handlers through the real router, on a real vault (fake
 * IndexedDB in Node): the flows the popup and options pages drive, with the
 * sender checks in place. Default Argon2id parameters (as shipped).
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/background/context';
import { createBackgroundHandlers } from '../../src/background/handlers';
import { Session, type SessionStorage } from '../../src/background/session';
import { armor, armorPublicKey, encryptMessage, type Identity, openIdentity } from '../../src/crypto';
import { Vault } from '../../src/keyring';
import type { Message, ResponseOf } from '../../src/messaging/messages';
import type { Result } from '../../src/messaging/result';
import { createRouter } from '../../src/messaging/router';
import { CHROME_ID, CHROME_ORIGIN, chromeComposeFrame, chromePopup } from '../messaging/fixtures';

const PASSPHRASE = 'orbit cactus lantern meadow';

function memoryStore(): SessionStorage & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  return {
    data,
    get: async (k) => (k in data ? { [k]: structuredClone(data[k]) } : {}),
    set: async (items) => void Object.assign(data, structuredClone(items)),
    remove: async (k) => void delete data[k],
  };
}

/** One background "process": a fresh context over the given storage. */
function background(factory: IDBFactory, sessionStore = memoryStore(), local = memoryStore()) {
  const session = new Session(sessionStore);
  void session.restore();
  const ctx = createContext(() => Vault.open({ indexedDB: factory, name: 'bg-test' }), session, local);
  const route = createRouter({
    extensionId: CHROME_ID,
    extensionOrigin: CHROME_ORIGIN,
    handlers: createBackgroundHandlers(ctx, { version: '0.0.0', browser: 'chrome' }),
    onRefused: () => {},
    onError: (e) => {
      throw e;
    },
  });
  const send = <M extends Message>(m: M, sender: unknown = chromePopup()) =>
    route(m, sender) as Promise<Result<ResponseOf<M['type']>>>;
  return { send, sessionStore, local, ctx };
}

async function value<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.value;
}

let bob: Identity;
let bobLater: Identity;
beforeAll(async () => {
  bob = await openIdentity(new Uint8Array(32).fill(2), {
    addresses: ['bob@example.test'],
    created: 1_767_225_600,
  });
  bobLater = await openIdentity(new Uint8Array(32).fill(3), {
    addresses: ['bob@example.test'],
    created: 1_767_225_600 + 86_400,
  });
});

describe('background handlers', () => {
  it('create, confirm the recovery code, lock, unlock, change and recover the passphrase', async () => {
    const { send } = background(new IDBFactory());
    expect(await value(send({ type: 'vault:status' }))).toMatchObject({ state: 'uninitialized' });
    expect(
      await send({ type: 'vault:create', address: 'not an address', passphrase: PASSPHRASE }),
    ).toMatchObject({
      ok: false,
      code: 'invalid-input',
    });
    expect(await value(send({ type: 'vault:status' }))).toMatchObject({ state: 'uninitialized' });

    const { recoveryCode, fingerprint } = await value(
      send({ type: 'vault:create', address: 'Alice@Example.test', passphrase: PASSPHRASE }),
    );
    expect(fingerprint).toMatch(/^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
    expect(await value(send({ type: 'vault:status' }))).toEqual({
      state: 'unlocked',
      retryAfterMs: 0,
      addresses: ['alice@example.test'],
      recoveryPending: true,
    });
    expect(await value(send({ type: 'vault:pending-recovery-code' }))).toEqual({ recoveryCode });
    const wrong = recoveryCode.replace(/^./, recoveryCode[0] === 'A' ? 'B' : 'A');
    expect(await send({ type: 'vault:confirm-recovery-code', code: wrong })).toMatchObject({
      code: 'wrong-recovery-code',
    });
    await value(send({ type: 'vault:confirm-recovery-code', code: recoveryCode.toLowerCase() }));
    expect(await value(send({ type: 'vault:status' }))).toMatchObject({ recoveryPending: false });

    await value(send({ type: 'vault:lock' }));
    expect(await send({ type: 'identity:get' })).toMatchObject({ ok: false, code: 'locked' });
    expect(await send({ type: 'vault:unlock', passphrase: 'wrong' })).toMatchObject({
      code: 'wrong-passphrase',
    });
    await value(send({ type: 'vault:unlock', passphrase: PASSPHRASE }));
    expect((await value(send({ type: 'identity:get' }))).fingerprint).toBe(fingerprint);

    const next = 'quartz willow harbor ember';
    expect(await send({ type: 'vault:change-passphrase', current: 'wrong', next })).toMatchObject({
      code: 'wrong-passphrase',
    });
    await value(send({ type: 'vault:change-passphrase', current: PASSPHRASE, next }));
    await value(send({ type: 'vault:lock' }));
    expect(await send({ type: 'vault:unlock', passphrase: PASSPHRASE })).toMatchObject({
      code: 'wrong-passphrase',
    });
    await value(send({ type: 'vault:unlock', passphrase: next }));

    await value(send({ type: 'vault:lock' }));
    await value(send({ type: 'vault:recover', code: recoveryCode, newPassphrase: PASSPHRASE }));
    expect(await value(send({ type: 'vault:status' }))).toMatchObject({ state: 'unlocked' });
    await value(send({ type: 'vault:lock' }));
    await value(send({ type: 'vault:unlock', passphrase: PASSPHRASE }));
  });

  it('keeps the session across a background restart (storage.session), not across a browser restart', async () => {
    const factory = new IDBFactory();
    const first = background(factory);
    await value(first.send({ type: 'vault:create', address: 'a@example.test', passphrase: PASSPHRASE }));
    const restarted = background(factory, first.sessionStore, first.local);
    expect(await value(restarted.send({ type: 'vault:status' }))).toMatchObject({ state: 'unlocked' });
    const browserRestart = background(factory, memoryStore(), first.local);
    expect(await value(browserRestart.send({ type: 'vault:status' }))).toMatchObject({ state: 'locked' });
  });

  it('imports contacts, verifies them, and flags a changed key', async () => {
    const { send } = background(new IDBFactory());
    await value(send({ type: 'vault:create', address: 'a@example.test', passphrase: PASSPHRASE }));
    expect(await send({ type: 'contacts:import', text: 'not a key' })).toMatchObject({
      code: 'not-cipherpost',
    });
    const imported = await value(send({ type: 'contacts:import', text: armorPublicKey(bob.bundle.bytes) }));
    expect(imported).toMatchObject({
      addresses: ['bob@example.test'],
      status: 'new-contact',
      changed: false,
    });
    expect(
      await value(send({ type: 'contacts:import', text: armorPublicKey(bob.bundle.bytes) })),
    ).toMatchObject({
      status: 'same-key',
    });
    let [contact] = await value(send({ type: 'contacts:list' }));
    expect(contact).toMatchObject({ address: 'bob@example.test', trust: 'unverified', keyChanged: false });
    expect(
      await send({ type: 'contacts:verify', address: 'bob@example.test', fingerprint: 'AAAA' }),
    ).toMatchObject({
      code: 'invalid-input',
    });
    await value(
      send({ type: 'contacts:verify', address: 'bob@example.test', fingerprint: contact!.fingerprint }),
    );
    [contact] = await value(send({ type: 'contacts:list' }));
    expect(contact!.trust).toBe('verified');

    const changed = await value(
      send({ type: 'contacts:import', text: armorPublicKey(bobLater.bundle.bytes) }),
    );
    expect(changed).toMatchObject({
      status: 'key-changed',
      changed: true,
      previousFingerprint: contact!.fingerprint,
    });
    expect(
      await value(send({ type: 'contacts:import', text: armorPublicKey(bob.bundle.bytes) })),
    ).toMatchObject({
      status: 'older-key',
      changed: false,
    });
    [contact] = await value(send({ type: 'contacts:list' }));
    expect(contact).toMatchObject({
      trust: 'unverified',
      keyChanged: true,
      previousFingerprint: changed.previousFingerprint,
    });
    expect(contact!.history.map((h) => h.event)).toEqual(['first-seen', 'verified', 'key-changed']);

    await value(send({ type: 'contacts:delete', address: 'bob@example.test' }));
    expect(await value(send({ type: 'contacts:list' }))).toEqual([]);
  });

  it('decrypts with the sender trust from the contacts, and rate-limits decrypts per tab', async () => {
    const { send } = background(new IDBFactory());
    await value(send({ type: 'vault:create', address: 'a@example.test', passphrase: PASSPHRASE }));
    const { publicKey } = await value(send({ type: 'identity:get' }));
    const { parseKeyBundle, dearmor } = await import('../../src/crypto');
    const mine = await parseKeyBundle(dearmor(publicKey, 'PUBLIC KEY'));
    const message = armor(
      await encryptMessage(
        { subject: 'Hello', body: { type: 'text/plain', text: 'Hi Alice' } },
        {
          sender: bob,
          senderAddress: 'bob@example.test',
          recipients: [{ address: 'a@example.test', bundle: mine }],
        },
      ),
    );
    const unknown = await value(send({ type: 'message:decrypt', armored: message }));
    expect(unknown).toMatchObject({ subject: 'Hello', body: 'Hi Alice', addressedToYou: true });
    expect(unknown.sender).toMatchObject({ address: 'bob@example.test', trust: 'unknown' });
    await value(send({ type: 'contacts:import', text: armorPublicKey(bob.bundle.bytes) }));
    expect((await value(send({ type: 'message:decrypt', armored: message }))).sender.trust).toBe(
      'unverified',
    );

    // A frame in a webmail tab: 20 at once, then refused.
    const results = [];
    for (let i = 0; i < 22; i++)
      results.push(await send({ type: 'message:decrypt', armored: message }, chromeComposeFrame()));
    expect(results.filter((r) => r.ok)).toHaveLength(20);
    expect(results.at(-1)).toMatchObject({ ok: false, code: 'rate-limited' });
  });

  it('exports a backup that restores into a fresh browser, and refuses it over an existing vault', async () => {
    const source = background(new IDBFactory());
    await value(source.send({ type: 'vault:create', address: 'a@example.test', passphrase: PASSPHRASE }));
    await value(source.send({ type: 'contacts:import', text: armorPublicKey(bob.bundle.bytes) }));
    const { data, fileName } = await value(source.send({ type: 'vault:export-backup' }));
    expect(fileName).toMatch(/\.cpbackup$/);
    expect(
      await source.send({ type: 'vault:import-backup', data, secret: PASSPHRASE, secretKind: 'passphrase' }),
    ).toMatchObject({ code: 'already-initialized' });
    const fresh = background(new IDBFactory());
    expect(
      await fresh.send({ type: 'vault:import-backup', data, secret: 'wrong', secretKind: 'passphrase' }),
    ).toMatchObject({
      ok: false,
    });
    expect(
      await value(
        fresh.send({ type: 'vault:import-backup', data, secret: PASSPHRASE, secretKind: 'passphrase' }),
      ),
    ).toEqual({
      identities: 1,
      contacts: 1,
    });
    expect((await value(fresh.send({ type: 'identity:get' }))).fingerprint).toBe(
      (await value(source.send({ type: 'identity:get' }))).fingerprint,
    );
  });

  it('gives every page the same security marker, made once', async () => {
    const { send, local } = background(new IDBFactory());
    const a = await value(send({ type: 'ui:marker' }));
    const b = await value(send({ type: 'ui:marker' }));
    expect(a).toEqual(b);
    expect(Object.values(local.data)).toEqual([a]);
  });
});
