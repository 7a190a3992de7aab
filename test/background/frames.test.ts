/**
 * The smaller webmail messages: provider reports for the popup, frame:resize
 * forwarded to the tab, the extension's own unlock window, cancel, a closed tab,
 * and the draft bounds (site, attachments).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { dropTab, unlockedIdentities } from '../../src/background/context';
import {
  DRAFT_INDEX_KEY,
  MAX_DRAFT_ATTACHMENT_BYTES,
  newestDraft,
  saveDraft,
} from '../../src/background/drafts';
import { type Background, background, content, extensionTab, frame, value } from './webmail-harness';

let bg: Background;
beforeAll(async () => {
  bg = await background();
});

describe('providers, frames, windows', () => {
  it('remembers the last provider report per tab for the popup, until the tab closes', async () => {
    expect(await value(bg.send({ type: 'providers:status', tabId: 5 }))).toBeNull();
    await value(
      bg.send({ type: 'providers:report', provider: 'gmail', compose: 'missing', reader: 'ok' }, content(5)),
    );
    expect(await value(bg.send({ type: 'providers:status', tabId: 5 }))).toEqual({
      provider: 'gmail',
      compose: 'missing',
      reader: 'ok',
      at: bg.clock.now,
    });
    expect(await value(bg.send({ type: 'providers:status', tabId: 6 }))).toBeNull();
    dropTab(bg.ctx, 5);
    expect(await value(bg.send({ type: 'providers:status', tabId: 5 }))).toBeNull();
  });

  it('forwards frame:resize to its tab for the frame that owns the ticket', async () => {
    const { ticket } = await value(
      bg.send({ type: 'reader:stage', armored: 'x', from: '', source: 'body' }, content(8)),
    );
    expect(await value(bg.send({ type: 'frame:resize', ticket, height: 420 }, frame(8)))).toEqual({
      resized: true,
    });
    expect(bg.ports.commands.at(-1)).toEqual({
      tabId: 8,
      command: { type: 'frame:resize', ticket, height: 420 },
    });
    expect(await bg.send({ type: 'frame:resize', ticket, height: 1 }, frame(9))).toMatchObject({
      code: 'forbidden',
    });
    bg.ports.tabAnswer = 'no-receiver';
    expect(await value(bg.send({ type: 'frame:resize', ticket, height: 2 }, frame(8)))).toEqual({
      resized: false,
    });
    bg.ports.tabAnswer = 'ok';
    // A closed tab takes its tickets along.
    dropTab(bg.ctx, 8);
    expect(await bg.send({ type: 'frame:resize', ticket, height: 3 }, frame(8))).toMatchObject({
      code: 'ticket-expired',
    });
  });

  it('opens the extension’s own unlock window', async () => {
    expect(await value(bg.send({ type: 'vault:open-unlock' }, frame(8)))).toEqual({ opened: true });
    expect(bg.ports.windows.opened.at(-1)).toEqual({
      url: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/popup.html',
      type: 'popup',
      width: 400,
      height: 640,
    });
  });

  it('cancel closes the compose in its tab and ends the ticket', async () => {
    const { ticket } = await value(
      bg.send(
        {
          type: 'compose:open',
          provider: 'yahoo',
          window: 'frame',
          to: [],
          cc: [],
          bcc: [],
          canAttach: false,
        },
        content(11),
      ),
    );
    expect(await value(bg.send({ type: 'compose:cancel', ticket }, frame(11)))).toEqual({ closed: true });
    expect(bg.ports.commands.at(-1)).toEqual({ tabId: 11, command: { type: 'compose:close', ticket } });
    expect(await bg.send({ type: 'compose:get', ticket }, frame(11))).toMatchObject({
      code: 'ticket-expired',
    });
    // An extension page other than the standalone window cannot redeem a frame ticket.
    const other = await value(
      bg.send(
        {
          type: 'compose:open',
          provider: 'yahoo',
          window: 'frame',
          to: [],
          cc: [],
          bcc: [],
          canAttach: false,
        },
        content(11),
      ),
    );
    expect(await bg.send({ type: 'compose:get', ticket: other.ticket }, extensionTab(11))).toMatchObject({
      code: 'forbidden',
    });
  });
});

describe('draft bounds', () => {
  it('concurrent autosaves from several composes lose no draft', async () => {
    const [me] = await unlockedIdentities(bg.ctx);
    const empty = {
      to: [],
      cc: [],
      bcc: [],
      subject: '',
      bodyType: 'text/plain' as const,
      body: '',
      attachments: [],
    };
    // A slow storage, as the real one is: reads of the index would interleave.
    const get = bg.local.get;
    bg.local.get = async (k) => {
      const answer = await get(k);
      await new Promise((r) => setTimeout(r, 200));
      return answer;
    };
    await Promise.all(
      ['c1', 'c2', 'c3', 'c4', 'c5'].map((id, i) =>
        saveDraft(
          bg.ctx,
          me!,
          { id, origin: 'https://mail.google.com', provider: 'roundcube' },
          empty,
          1000 + i,
        ),
      ),
    );
    bg.local.get = get;
    const index = bg.local.data[DRAFT_INDEX_KEY] as { id: string }[];
    expect(index.map((m) => m.id)).toEqual(expect.arrayContaining(['c1', 'c2', 'c3', 'c4', 'c5']));
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5'])
      expect(bg.local.data[`draft:${id}`]).toEqual(expect.any(String));
  });

  it('resumes only on the same site and keeps attachments up to 8 MiB in total', async () => {
    const [me] = await unlockedIdentities(bg.ctx);
    const file = (name: string, size: number) => ({
      name,
      mediaType: 'application/octet-stream',
      data: Buffer.alloc(size, 1).toString('base64'),
    });
    const draft = {
      to: [],
      cc: [],
      bcc: [],
      subject: 'bounds',
      bodyType: 'text/plain' as const,
      body: '',
      attachments: [
        file('a.bin', 5 * 1024 * 1024),
        file('too-much.bin', 4 * 1024 * 1024),
        file('b.bin', MAX_DRAFT_ATTACHMENT_BYTES - 5 * 1024 * 1024),
      ],
    };
    await saveDraft(bg.ctx, me!, { id: 'd1', origin: 'https://mail.yahoo.com', provider: 'yahoo' }, draft);
    const identities = await unlockedIdentities(bg.ctx);
    expect(
      await newestDraft(bg.ctx, identities, 'https://mail.yahoo.com.evil.test', 'yahoo'),
    ).toBeUndefined();
    const back = await newestDraft(bg.ctx, identities, 'https://mail.yahoo.com', 'yahoo');
    expect(back?.draft.attachments.map((a) => a.name)).toEqual(['a.bin', 'b.bin']);
  });
});
