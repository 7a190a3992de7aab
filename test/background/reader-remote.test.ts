/**
 * The reader's remote content choices in the background (issue 6): "Always for this
 * sender" (reader:remote) is keyed to the verified signer of the ticket's message, and
 * refused for an unverified key or a signer who is not the From the webmail shows;
 * reader:open says `remoteAllowed` only for such a signer the user always allows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type AlwaysAllowedSenders, readerHandlers } from '../../src/background/reader-handlers';
import { armorPublicKey, type Identity } from '../../src/crypto';
import type { Message, ResponseOf } from '../../src/messaging/messages';
import type { Result } from '../../src/messaging/result';
import { createRouter } from '../../src/messaging/router';
import { CHROME_ID, CHROME_ORIGIN } from '../messaging/fixtures';
import {
  ALICE,
  type Background,
  background,
  content,
  correspondent,
  frame,
  mail,
  value,
} from './webmail-harness';

let bg: Background;
let bob: Identity;
let mallory: Identity;
let fromBob: string;
let fromMallory: string;

/** The always-allowed list, in memory: what the handler adds and asks. */
class MemorySenders implements AlwaysAllowedSenders {
  readonly added: string[] = [];
  async has(address: string) {
    return this.added.includes(address);
  }
  async add(address: string) {
    this.added.push(address);
    return true;
  }
}

beforeAll(async () => {
  bg = await background();
  bob = await correspondent('bob@example.test');
  mallory = await correspondent('mallory@example.test');
  fromBob = await mail(bob, [{ address: ALICE, bundle: bg.aliceBundle }], {
    subject: 'News',
    body: { type: 'text/html', text: '<img src="https://t.example/p.gif">' },
  });
  fromMallory = await mail(mallory, [{ address: ALICE, bundle: bg.aliceBundle }], {
    subject: 'Invoice',
    body: { type: 'text/html', text: '<img src="https://t.example/m.gif">' },
  });
  // Bob's key is imported and verified; Mallory's is unknown.
  await value(bg.send({ type: 'contacts:import', text: armorPublicKey(bob.bundle.bytes) }));
  const [contact] = await value(bg.send({ type: 'contacts:list' }));
  await value(
    bg.send({ type: 'contacts:verify', address: 'bob@example.test', fingerprint: contact!.fingerprint }),
  );
});

/** The reader handlers with `senders`, behind the real router (sender checks, payload checks). */
function reader(senders: AlwaysAllowedSenders | undefined) {
  const route = createRouter({
    extensionId: CHROME_ID,
    extensionOrigin: CHROME_ORIGIN,
    handlers: readerHandlers(bg.ctx, bg.ports, senders),
    contentHosts: () => bg.sites.contentHosts(),
    onRefused: () => {},
    onError: (e) => {
      throw e;
    },
  });
  return <M extends Message>(m: M, sender: unknown) =>
    route(m, sender) as Promise<Result<ResponseOf<M['type']>>>;
}

let tab = 100;
async function staged(send: ReturnType<typeof reader> | Background['send'], armored: string, from: string) {
  tab += 1;
  const { ticket } = await value(send({ type: 'reader:stage', armored, from, source: 'body' }, content(tab)));
  return { ticket, tab };
}

describe('reader:remote', () => {
  it('adds the verified signer, whatever display name the webmail shows', async () => {
    const senders = new MemorySenders();
    const send = reader(senders);
    const { ticket, tab } = await staged(send, fromBob, 'Bob Example <Bob@Example.test>');
    expect(await value(send({ type: 'reader:remote', ticket, scope: 'sender' }, frame(tab)))).toEqual({
      loaded: 'sender',
      sender: 'bob@example.test',
    });
    expect(senders.added).toEqual(['bob@example.test']);
  });

  it('refuses a signer who is not the From the webmail shows', async () => {
    const senders = new MemorySenders();
    const send = reader(senders);
    const { ticket, tab } = await staged(send, fromBob, 'ceo@example.test');
    const r = await send({ type: 'reader:remote', ticket, scope: 'sender' }, frame(tab));
    expect(r).toMatchObject({ ok: false, code: 'forbidden' });
    expect(senders.added).toEqual([]);
  });

  it('refuses a signer whose key is not verified', async () => {
    const senders = new MemorySenders();
    const send = reader(senders);
    const { ticket, tab } = await staged(send, fromMallory, 'mallory@example.test');
    const r = await send({ type: 'reader:remote', ticket, scope: 'sender' }, frame(tab));
    expect(r).toMatchObject({ ok: false, code: 'forbidden' });
    expect(senders.added).toEqual([]);
  });

  it('is for the frame of the ticket’s tab only, and names no address of its own', async () => {
    const senders = new MemorySenders();
    const send = reader(senders);
    const { ticket, tab } = await staged(send, fromBob, 'bob@example.test');
    expect(await send({ type: 'reader:remote', ticket, scope: 'sender' }, frame(tab + 50))).toMatchObject({
      code: 'forbidden',
    });
    expect(await send({ type: 'reader:remote', ticket, scope: 'sender' }, content(tab))).toMatchObject({
      code: 'forbidden',
    });
    const extra = {
      type: 'reader:remote',
      ticket,
      scope: 'sender',
      address: 'x@example.test',
    } as unknown as Message;
    expect(await send(extra, frame(tab))).toMatchObject({ code: 'bad-request' });
    const once = { type: 'reader:remote', ticket, scope: 'once' } as unknown as Message;
    expect(await send(once, frame(tab))).toMatchObject({ code: 'bad-request' });
    expect(senders.added).toEqual([]);
  });

  it('is refused when there is no sender list', async () => {
    const send = reader(undefined);
    const { ticket, tab } = await staged(send, fromBob, 'bob@example.test');
    expect(await send({ type: 'reader:remote', ticket, scope: 'sender' }, frame(tab))).toMatchObject({
      ok: false,
      code: 'not-found',
    });
  });
});

describe('reader:open remoteAllowed', () => {
  it('is true only for an always-allowed, verified signer shown as the From', async () => {
    const senders = new MemorySenders();
    const send = reader(senders);
    const open = async (armored: string, from: string) => {
      const { ticket, tab } = await staged(send, armored, from);
      return (await value(send({ type: 'reader:open', ticket }, frame(tab)))).remoteAllowed;
    };
    expect(await open(fromBob, 'bob@example.test')).toBe(false);
    await senders.add('bob@example.test');
    expect(await open(fromBob, 'bob@example.test')).toBe(true);
    expect(await open(fromBob, '')).toBe(true);
    // Never when the webmail shows someone else as the From.
    expect(await open(fromBob, 'ceo@example.test')).toBe(false);
    // Never for a key that is not verified, even if its address was allowed.
    await senders.add('mallory@example.test');
    expect(await open(fromMallory, 'mallory@example.test')).toBe(false);
  });

  it('is false without a sender list', async () => {
    const send = reader(undefined);
    const { ticket, tab } = await staged(send, fromBob, 'bob@example.test');
    expect((await value(send({ type: 'reader:open', ticket }, frame(tab)))).remoteAllowed).toBe(false);
  });
});

describe('the whole background', () => {
  it('shares one list with the options page: added by the reader, listed, removed, no longer at once', async () => {
    const { ticket, tab } = await staged(bg.send, fromBob, 'bob@example.test');
    await value(bg.send({ type: 'reader:remote', ticket, scope: 'sender' }, frame(tab)));
    expect(await value(bg.send({ type: 'privacy:senders-list' }))).toContain('bob@example.test');
    const again = await staged(bg.send, fromBob, 'bob@example.test');
    expect(
      (await value(bg.send({ type: 'reader:open', ticket: again.ticket }, frame(again.tab)))).remoteAllowed,
    ).toBe(true);
    await value(bg.send({ type: 'privacy:senders-remove', address: 'bob@example.test' }));
    const after = await staged(bg.send, fromBob, 'bob@example.test');
    expect(
      (await value(bg.send({ type: 'reader:open', ticket: after.ticket }, frame(after.tab)))).remoteAllowed,
    ).toBe(false);
  });
});

describe('privacy:get and privacy:allow with a reader ticket', () => {
  it('are refused: the banner’s messages would key "always" to the From text, not the signer', async () => {
    const { ticket, tab } = await staged(bg.send, fromMallory, 'bob@example.test');
    const before = await value(bg.send({ type: 'privacy:senders-list' }));
    expect(await bg.send({ type: 'privacy:get', ticket }, frame(tab))).toMatchObject({ code: 'forbidden' });
    expect(await bg.send({ type: 'privacy:allow', ticket, scope: 'sender' }, frame(tab))).toMatchObject({
      code: 'forbidden',
    });
    expect(await value(bg.send({ type: 'privacy:senders-list' }))).toEqual(before);
  });
});
