/**
 * Composing in a webmail tab through the real router and vault
 * (docs/webmail-integration.md §Composing): recipients' key status, the inline
 * and attachment paths, refusals, the sender's own copy, delivery failures, and
 * invariant 1: nothing but ciphertext and the placeholder subject reaches a tab.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ATTACHMENT_NAME, ATTACHMENT_NOTICE, MAX_INLINE_ARMOR } from '../../src/background/compose-handlers';
import {
  armorPublicKey,
  dearmor,
  decryptMessage,
  type Identity,
  PLACEHOLDER_SUBJECT,
} from '../../src/crypto';
import type { ComposeDraft, TabCommand } from '../../src/messaging/messages';
import {
  ALICE,
  type Background,
  background,
  content,
  correspondent,
  extensionTab,
  frame,
  mail,
  value,
} from './webmail-harness';

const SUBJECT = 'sentinel-subject-91c2';
const BODY = 'sentinel-body-5d0e';
const FILE_NAME = 'sentinel-file-a7b3.txt';
const FILE_TEXT = 'sentinel-attachment-44f1';

let bg: Background;
let bob: Identity;
let carol: Identity;

beforeAll(async () => {
  bg = await background();
  bob = await correspondent('bob@example.test');
  carol = await correspondent('carol@example.test');
  await value(bg.send({ type: 'contacts:import', text: armorPublicKey(bob.bundle.bytes) }));
});

beforeEach(() => {
  bg.ports.tabAnswer = 'ok';
});

const composeFrame = (tab: number) => frame(tab, 3, 'compose.html');

async function open(
  tab: number,
  options: { window?: 'frame' | 'standalone'; canAttach?: boolean; to?: string[] } = {},
): Promise<string> {
  const r = await value(
    bg.send(
      {
        type: 'compose:open',
        provider: 'gmail',
        window: options.window ?? 'frame',
        to: options.to ?? [],
        cc: [],
        bcc: [],
        canAttach: options.canAttach ?? true,
      },
      content(tab),
    ),
  );
  return r.ticket;
}

function draft(overrides: Partial<ComposeDraft> = {}): ComposeDraft {
  return {
    to: ['bob@example.test'],
    cc: [],
    bcc: [],
    subject: SUBJECT,
    bodyType: 'text/plain',
    body: BODY,
    attachments: [],
    ...overrides,
  };
}

const fileOf = (text: string, name = FILE_NAME) => ({
  name,
  mediaType: 'text/plain',
  data: Buffer.from(text).toString('base64'),
});

function lastInsert(): Extract<TabCommand, { type: 'compose:insert' }> {
  const c = bg.ports.commands.at(-1)!.command;
  if (c.type !== 'compose:insert') throw new Error(`expected compose:insert, got ${c.type}`);
  return c;
}

describe('compose:recipients and compose:get', () => {
  it('says own, the contact’s trust, key-changed, and no-key without a directory', async () => {
    const views = await value(
      bg.send(
        {
          type: 'compose:recipients',
          addresses: [ALICE, 'Bob@Example.test', 'dave@example.test', 'bob@example.test'],
        },
        composeFrame(50),
      ),
    );
    expect(views.map((v) => [v.address, v.status, v.note])).toEqual([
      [ALICE, 'verified', 'own'],
      ['bob@example.test', 'unverified', undefined],
      ['dave@example.test', 'no-key', undefined],
    ]);
    const later = await (await import('../../src/crypto')).openIdentity(new Uint8Array(32).fill(99), {
      addresses: ['erin@example.test'],
      created: 1_767_225_600,
    });
    const laterStill = await (await import('../../src/crypto')).openIdentity(new Uint8Array(32).fill(98), {
      addresses: ['erin@example.test'],
      created: 1_767_225_600 + 60,
    });
    await value(bg.send({ type: 'contacts:import', text: armorPublicKey(later.bundle.bytes) }));
    await value(bg.send({ type: 'contacts:import', text: armorPublicKey(laterStill.bundle.bytes) }));
    const [erin] = await value(
      bg.send({ type: 'compose:recipients', addresses: ['erin@example.test'] }, composeFrame(50)),
    );
    expect(erin).toMatchObject({ status: 'unverified', note: 'key-changed' });
  });

  it('needs the vault unlocked', async () => {
    await value(bg.send({ type: 'vault:lock' }));
    expect(
      await bg.send({ type: 'compose:recipients', addresses: ['bob@example.test'] }, composeFrame(50)),
    ).toMatchObject({ code: 'locked' });
    await value(bg.send({ type: 'vault:unlock', passphrase: 'orbit cactus lantern meadow' }));
  });

  it('prefills from the webmail’s recipients, normalized and deduplicated', async () => {
    const ticket = await open(51, { to: [' Bob@Example.test', 'bob@example.test', 'dave@example.test'] });
    const ctx = await value(bg.send({ type: 'compose:get', ticket }, composeFrame(51)));
    expect(ctx).toMatchObject({
      ticket,
      provider: 'gmail',
      window: 'frame',
      from: ALICE,
      canAttach: true,
      draft: { to: ['bob@example.test', 'dave@example.test'], subject: '', body: '' },
    });
    expect(ctx.recipients.map((r) => r.status)).toEqual(['unverified', 'no-key']);
    expect(ctx.resumedDraftAt).toBeUndefined();
  });
});

describe('compose:send', () => {
  it('inlines a small message with the placeholder subject; the sender’s own copy opens', async () => {
    const ticket = await open(60);
    const r = await value(
      bg.send({ type: 'compose:send', ticket, send: true, ...draft() }, composeFrame(60)),
    );
    expect(r).toEqual({ delivery: 'inline', inserted: true, sent: true });
    const insert = lastInsert();
    expect(bg.ports.commands.at(-1)!.tabId).toBe(60);
    expect(insert).toMatchObject({ ticket, subject: PLACEHOLDER_SUBJECT, send: true });
    expect(insert.attachment).toBeUndefined();
    expect(insert.body.length).toBeLessThanOrEqual(MAX_INLINE_ARMOR);

    // Bob reads it; Alice reads her own copy (self stanza) through the reader.
    const forBob = await decryptMessage(dearmor(insert.body), { identities: [bob] });
    expect(forBob).toMatchObject({ subject: SUBJECT, body: { text: BODY }, addressedToYou: true });
    const staged = await value(
      bg.send({ type: 'reader:stage', armored: insert.body, from: ALICE, source: 'body' }, content(61)),
    );
    const own = await value(bg.send({ type: 'reader:open', ticket: staged.ticket }, frame(61)));
    expect(own).toMatchObject({ subject: SUBJECT, body: BODY, signature: { trust: 'own' } });
  });

  it('sends a big message as message.cipherpost with a notice in the body', async () => {
    const ticket = await open(62, { canAttach: true });
    const big = fileOf('x'.repeat(MAX_INLINE_ARMOR), 'big.bin');
    const r = await value(
      bg.send(
        { type: 'compose:send', ticket, send: false, ...draft({ attachments: [big] }) },
        composeFrame(62),
      ),
    );
    expect(r).toEqual({ delivery: 'attachment', inserted: true, sent: false });
    const insert = lastInsert();
    expect(insert.body).toBe(ATTACHMENT_NOTICE);
    expect(insert.subject).toBe(PLACEHOLDER_SUBJECT);
    expect(insert.attachment?.name).toBe(ATTACHMENT_NAME);
    expect(insert.attachment!.text.length).toBeGreaterThan(MAX_INLINE_ARMOR);
    const m = await decryptMessage(dearmor(insert.attachment!.text), { identities: [bob] });
    expect(m.attachments[0]!.name).toBe('big.bin');
  });

  it('is too-large-inline where the webmail takes no attachment; just under the limit still inlines', async () => {
    const ticket = await open(63, { canAttach: false });
    const big = fileOf('x'.repeat(MAX_INLINE_ARMOR), 'big.bin');
    const before = bg.ports.commands.length;
    expect(
      await bg.send(
        { type: 'compose:send', ticket, send: true, ...draft({ attachments: [big] }) },
        composeFrame(63),
      ),
    ).toMatchObject({ ok: false, code: 'too-large-inline' });
    expect(bg.ports.commands.length).toBe(before);
    const small = fileOf('x'.repeat(40 * 1024), 'small.bin');
    expect(
      await value(
        bg.send(
          { type: 'compose:send', ticket, send: true, ...draft({ attachments: [small] }) },
          composeFrame(63),
        ),
      ),
    ).toMatchObject({ delivery: 'inline' });
  });

  it('refuses recipients without a key, naming them, and an empty recipient list', async () => {
    const ticket = await open(64);
    const r = await bg.send(
      {
        type: 'compose:send',
        ticket,
        send: true,
        ...draft({ to: ['bob@example.test', 'dave@example.test'], bcc: ['carol@example.test'] }),
      },
      composeFrame(64),
    );
    expect(r).toMatchObject({ ok: false, code: 'recipient-without-key' });
    if (!r.ok) expect(r.message).toMatch(/dave@example\.test.*carol@example\.test/);
    expect(
      await bg.send({ type: 'compose:send', ticket, send: true, ...draft({ to: [] }) }, composeFrame(64)),
    ).toMatchObject({ ok: false, code: 'invalid-input' });
  });

  it('is not-delivered in a frame when the tab does not take it; the window falls back to the clipboard', async () => {
    const ticket = await open(65);
    for (const answer of ['error', 'no-receiver'] as const) {
      bg.ports.tabAnswer = answer;
      expect(
        await bg.send({ type: 'compose:send', ticket, send: true, ...draft() }, composeFrame(65)),
      ).toMatchObject({ ok: false, code: 'not-delivered' });
    }
    const windowTab = bg.ports.nextWindowTab;
    const standalone = await open(66, { window: 'standalone' });
    expect(bg.ports.windows.opened.at(-1)).toEqual({
      url: `chrome-extension://abcdefghijklmnopabcdefghijklmnop/compose.html#${standalone}`,
      type: 'popup',
      width: 760,
      height: 720,
    });
    // The frame in the webmail tab cannot use the window's ticket; the window can.
    expect(await bg.send({ type: 'compose:get', ticket: standalone }, composeFrame(66))).toMatchObject({
      code: 'forbidden',
    });
    const r = await value(
      bg.send({ type: 'compose:send', ticket: standalone, send: true, ...draft() }, extensionTab(windowTab)),
    );
    expect(r).toMatchObject({ delivery: 'inline', inserted: false, sent: false });
    expect(r.armored).toContain('-----BEGIN CIPHERPOST MESSAGE-----');
    expect(bg.ports.commands.at(-1)!.tabId).toBe(66);
  });

  it('never puts plaintext in a tab command (invariant 1)', async () => {
    bg.ports.commands.length = 0;
    const sentinels = [SUBJECT, BODY, FILE_NAME, FILE_TEXT, Buffer.from(FILE_TEXT).toString('base64')];
    const withFile = draft({ attachments: [fileOf(FILE_TEXT)] });
    const inline = await open(70);
    await value(bg.send({ type: 'compose:save-draft', ticket: inline, ...withFile }, composeFrame(70)));
    await value(bg.send({ type: 'compose:send', ticket: inline, send: true, ...withFile }, composeFrame(70)));
    const big = await open(71);
    const bigDraft = draft({
      attachments: [fileOf(FILE_TEXT), fileOf('y'.repeat(MAX_INLINE_ARMOR), 'big.bin')],
    });
    await value(bg.send({ type: 'compose:send', ticket: big, send: true, ...bigDraft }, composeFrame(71)));
    await value(bg.send({ type: 'frame:resize', ticket: big, height: 300 }, composeFrame(71)));
    await value(bg.send({ type: 'compose:cancel', ticket: big }, composeFrame(71)));

    // A reply: the seed holds the quote, the tab gets only the mode.
    const toAlice = await mail(bob, [{ address: ALICE, bundle: bg.aliceBundle }], {
      subject: SUBJECT,
      body: { type: 'text/plain', text: BODY },
      attachments: [{ name: FILE_NAME, mediaType: 'text/plain', data: Buffer.from(FILE_TEXT) }],
    });
    const staged = await value(
      bg.send(
        { type: 'reader:stage', armored: toAlice, from: 'bob@example.test', source: 'body' },
        content(72),
      ),
    );
    await value(bg.send({ type: 'compose:reply', ticket: staged.ticket, mode: 'forward' }, frame(72)));

    const types = bg.ports.commands.map((c) => c.command.type);
    expect(types).toEqual([
      'compose:insert',
      'compose:insert',
      'frame:resize',
      'compose:close',
      'compose:start',
    ]);
    const wire = JSON.stringify(bg.ports.commands);
    for (const s of sentinels) expect(wire, s).not.toContain(s);
  });
});

describe('drafts', () => {
  it('round-trips encrypted, keeps nothing readable at rest, resumes on the same site, and is deleted when sent', async () => {
    const ticket = await open(80);
    const saved = draft({ attachments: [fileOf(FILE_TEXT)], cc: ['carol@example.test'] });
    const { savedAt } = await value(
      bg.send({ type: 'compose:save-draft', ticket, ...saved }, composeFrame(80)),
    );
    expect(savedAt).toBe(bg.clock.now);
    const atRest = JSON.stringify(bg.local.data);
    for (const s of [SUBJECT, BODY, FILE_NAME, FILE_TEXT, 'carol@example.test', 'mail.google.com']) {
      expect(atRest, s).not.toContain(s);
    }
    expect(atRest).not.toContain(Buffer.from(FILE_TEXT).toString('base64'));

    // A new compose on the same site resumes it.
    const next = await open(81);
    const resumed = await value(bg.send({ type: 'compose:get', ticket: next }, composeFrame(81)));
    expect(resumed.resumedDraftAt).toBe(savedAt);
    expect(resumed.draft).toEqual(saved);

    // Another provider's compose does not see it (nor would another site: the index keys by both).
    const other = await value(
      bg.send(
        {
          type: 'compose:open',
          provider: 'roundcube',
          window: 'frame',
          to: [],
          cc: [],
          bcc: [],
          canAttach: true,
        },
        content(82),
      ),
    );
    const fresh = await value(bg.send({ type: 'compose:get', ticket: other.ticket }, composeFrame(82)));
    expect(fresh.resumedDraftAt).toBeUndefined();
    expect(fresh.draft.subject).toBe('');

    await value(
      bg.send({ type: 'compose:send', ticket: next, send: true, ...resumed.draft, cc: [] }, composeFrame(81)),
    );
    expect(Object.keys(bg.local.data).filter((k) => k.startsWith('draft:'))).toEqual([]);
  });

  it('keeps at most 20, dropping the oldest', async () => {
    const keys = () => Object.keys(bg.local.data).filter((k) => k.startsWith('draft:'));
    for (let i = 0; i < 22; i++) {
      bg.clock.now += 1000;
      const ticket = await open(90 + i);
      await value(
        bg.send(
          { type: 'compose:save-draft', ticket, ...draft({ subject: `draft ${i}` }) },
          composeFrame(90 + i),
        ),
      );
    }
    expect(keys()).toHaveLength(20);
    const next = await open(200);
    const resumed = await value(bg.send({ type: 'compose:get', ticket: next }, composeFrame(200)));
    expect(resumed.draft.subject).toBe('draft 21');
  });
});

describe('compose:reply', () => {
  it('quotes the message for the next compose of that tab, once, within two minutes', async () => {
    const original = await mail(
      bob,
      [
        { address: ALICE, bundle: bg.aliceBundle },
        { address: 'carol@example.test', bundle: carol.bundle },
      ],
      {
        subject: 'Plans',
        body: { type: 'text/plain', text: 'Line one\n\nLine three' },
        attachments: [{ name: 'plan.txt', mediaType: 'text/plain', data: Buffer.from('the plan') }],
      },
    );
    const reply = async (mode: 'reply' | 'reply-all' | 'forward', tab: number) => {
      const staged = await value(
        bg.send(
          { type: 'reader:stage', armored: original, from: 'bob@example.test', source: 'body' },
          content(tab),
        ),
      );
      expect(
        await value(bg.send({ type: 'compose:reply', ticket: staged.ticket, mode }, frame(tab))),
      ).toEqual({
        started: true,
      });
      expect(bg.ports.commands.at(-1)).toEqual({ tabId: tab, command: { type: 'compose:start', mode } });
      // The content script learns one bit (a reply waits here), never the quote; another tab learns no.
      expect(await value(bg.send({ type: 'compose:seeded' }, content(tab)))).toEqual({ seeded: true });
      expect(await value(bg.send({ type: 'compose:seeded' }, content(tab + 1000)))).toEqual({
        seeded: false,
      });
      const ticket = await open(tab, { to: ['bob@example.test'] });
      expect(await value(bg.send({ type: 'compose:seeded' }, content(tab)))).toEqual({ seeded: false });
      return value(bg.send({ type: 'compose:get', ticket }, composeFrame(tab)));
    };

    const r = await reply('reply', 300);
    expect(r.replyMode).toBe('reply');
    expect(r.draft.subject).toBe('Re: Plans');
    expect(r.draft.to).toEqual(['bob@example.test']);
    expect(r.draft.cc).toEqual([]);
    expect(r.draft.attachments).toEqual([]);
    expect(r.draft.body).toMatch(/On .+, bob@example\.test wrote:\n> Line one\n>\n> Line three\n$/);

    const all = await reply('reply-all', 301);
    expect(all.draft.to).toEqual(['bob@example.test']);
    expect(all.draft.cc).toEqual(['carol@example.test']);

    const fwd = await reply('forward', 302);
    expect(fwd.draft.subject).toBe('Fwd: Plans');
    expect(fwd.draft.attachments.map((a) => [a.name, Buffer.from(a.data, 'base64').toString()])).toEqual([
      ['plan.txt', 'the plan'],
    ]);

    // Consumed: the next compose of the tab is a fresh one.
    const again = await open(302);
    expect(
      (await value(bg.send({ type: 'compose:get', ticket: again }, composeFrame(302)))).replyMode,
    ).toBeUndefined();

    // Stale after two minutes.
    const staged = await value(
      bg.send(
        { type: 'reader:stage', armored: original, from: 'bob@example.test', source: 'body' },
        content(303),
      ),
    );
    await value(bg.send({ type: 'compose:reply', ticket: staged.ticket, mode: 'reply' }, frame(303)));
    bg.clock.now += 2 * 60 * 1000 + 1;
    const late = await open(303);
    expect(
      (await value(bg.send({ type: 'compose:get', ticket: late }, composeFrame(303)))).replyMode,
    ).toBeUndefined();
  });
});
