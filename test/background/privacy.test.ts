/**
 * Privacy handlers (issue 6) on the real router and vault: privacy:scan makes a
 * banner ticket and drops the tab's allow rules; "Load this time" allows exactly
 * that message's URLs in that tab, then asks the content script to restore;
 * "Always for this sender" is remembered, applied to the sender's next message,
 * and never when the sender checks say danger. Sender checks are stubbed here
 * (their own corpus is in test/privacy): the handler's part is which context it
 * passes and what it does with the verdict.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SenderFacts, SenderVerdict } from '../../src/messaging/messages';
import { ALICE, type Background, background, content, frame, PASSPHRASE, value } from './webmail-harness';

const calls: { facts: SenderFacts; ctx: { contacts: readonly string[]; own: readonly string[] } }[] = [];
vi.mock('../../src/privacy/sender-check', () => ({
  checkSender: (facts: SenderFacts, ctx: { contacts: readonly string[]; own: readonly string[] }) => {
    calls.push({ facts, ctx });
    const verdict: SenderVerdict = facts.fromName.includes('DANGER')
      ? {
          severity: 'danger',
          reasons: [{ code: 'dmarc-fail', severity: 'danger', detail: { domain: 'bank.example' } }],
        }
      : facts.fromName.includes('WARN')
        ? {
            severity: 'warning',
            reasons: [{ code: 'reply-to-domain', severity: 'warning', detail: { replyTo: 'x.example' } }],
          }
        : { severity: 'none', reasons: [] };
    return verdict;
  },
  checkSigner: () => null,
}));

const facts = (fromAddress: string, fromName = ''): SenderFacts => ({
  source: 'dom',
  fromName,
  fromAddress,
  replyTo: [],
  sender: '',
  returnPath: '',
  authResults: [],
});
const URLS = ['https://tracker.example/open.gif?u=1', 'https://cdn.example/logo.png'];

let bg: Background;
beforeEach(async () => {
  calls.length = 0;
  bg = await background();
});

const scan = (tabId: number, f: SenderFacts, remote = URLS) =>
  value(bg.send({ type: 'privacy:scan', provider: 'gmail', facts: f, remote }, content(tabId)));
const sessionRules = () => bg.ports.dnr.session.map((r) => [r.condition.tabIds, r.condition.urlFilter]);

describe('privacy:scan', () => {
  it('answers a ticket, show when something was blocked, and adds no allow rule', async () => {
    const r = await scan(3, facts('news@shop.example'));
    expect(r).toMatchObject({ show: true, loaded: 'none' });
    expect(r.ticket).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(bg.ports.dnr.session).toEqual([]);
    expect(bg.ports.commands).toEqual([]);
    // The verdict is computed here, with the user's own addresses while unlocked.
    expect(calls[0]!.ctx.own).toEqual([ALICE]);
  });

  it('benign mail with nothing remote shows nothing; a warning shows even without remote content', async () => {
    expect((await scan(3, facts('a@b.example'), [])).show).toBe(false);
    expect((await scan(3, facts('a@b.example', 'WARN'), [])).show).toBe(true);
  });

  it('only http(s) URLs count, deduplicated, fragments dropped', async () => {
    const { ticket } = await scan(3, facts('a@b.example'), [
      'https://t.example/a.gif#x',
      'https://t.example/a.gif',
      'data:image/gif;base64,AA',
      'javascript:alert(1)',
      'nonsense',
    ]);
    const view = await value(bg.send({ type: 'privacy:get', ticket }, frame(3)));
    expect(view).toEqual({
      count: 1,
      hosts: ['t.example'],
      sender: 'a@b.example',
      verdict: { severity: 'none', reasons: [] },
      loaded: 'none',
    });
  });

  it('locked: the checks run without contacts or own addresses, and nothing unlocks', async () => {
    await value(bg.send({ type: 'vault:lock' }));
    await scan(3, facts('a@b.example'));
    expect(calls.at(-1)!.ctx).toEqual({ contacts: [], own: [] });
    expect(await bg.ctx.session.isUnlocked()).toBe(false);
    await value(bg.send({ type: 'vault:unlock', passphrase: PASSPHRASE }));
    await scan(3, facts('a@b.example'));
    expect(calls.at(-1)!.ctx.own).toEqual([ALICE]);
  });
});

describe('privacy:get and privacy:allow', () => {
  it('only our frame in the same tab redeems the ticket, and the first frame owns it', async () => {
    const { ticket } = await scan(3, facts('a@b.example'));
    expect(await bg.send({ type: 'privacy:get', ticket }, frame(4))).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    expect(await bg.send({ type: 'privacy:get', ticket }, content(3))).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    await value(bg.send({ type: 'privacy:get', ticket }, frame(3, 7, 'banner.html')));
    expect(await bg.send({ type: 'privacy:get', ticket }, frame(3, 8, 'banner.html'))).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    expect(await bg.send({ type: 'privacy:get', ticket: 'nope' }, frame(3))).toMatchObject({
      ok: false,
      code: 'ticket-expired',
    });
  });

  it('"Load this time" allows exactly the message’s URLs in its tab, then restores; the next message is blocked again', async () => {
    const { ticket } = await scan(3, facts('a@b.example'));
    expect(await value(bg.send({ type: 'privacy:allow', ticket, scope: 'once' }, frame(3)))).toEqual({
      loaded: 'once',
    });
    expect(sessionRules()).toEqual([
      [[3], '|https://tracker.example/open.gif?u=1|'],
      [[3], '|https://cdn.example/logo.png|'],
    ]);
    expect(bg.ports.commands).toEqual([{ tabId: 3, command: { type: 'privacy:restore', ticket } }]);
    expect((await value(bg.send({ type: 'privacy:get', ticket }, frame(3)))).loaded).toBe('once');
    expect(await bg.send({ type: 'privacy:senders-list' })).toEqual({ ok: true, value: [] });

    // Another tab's scan leaves tab 3 alone; tab 3's next message drops them.
    await scan(4, facts('a@b.example'));
    expect(sessionRules()).toHaveLength(2);
    await scan(3, facts('a@b.example'), ['https://tracker.example/open.gif?u=2']);
    expect(bg.ports.dnr.session).toEqual([]);
  });

  it('style sheets of the message: their host is allowed for what they load; sheets not in the message are ignored', async () => {
    const { ticket } = await value(
      bg.send(
        {
          type: 'privacy:scan',
          provider: 'roundcube',
          facts: facts('a@b.example'),
          remote: ['https://s.example/style.css', 'https://t.example/p.gif'],
          sheets: ['https://s.example/style.css', 'https://elsewhere.example/x.css'],
        },
        content(3),
      ),
    );
    await value(bg.send({ type: 'privacy:allow', ticket, scope: 'once' }, frame(3)));
    expect(bg.ports.dnr.session.map((r) => r.condition.requestDomains ?? r.condition.urlFilter)).toEqual([
      '|https://s.example/style.css|',
      '|https://t.example/p.gif|',
      ['s.example'],
    ]);
  });

  it('privacy:leave (the preview frame unloads) drops the tab’s allow rules at once', async () => {
    const { ticket } = await scan(3, facts('a@b.example'));
    await value(bg.send({ type: 'privacy:allow', ticket, scope: 'once' }, frame(3)));
    await scan(4, facts('a@b.example'));
    const other = await scan(4, facts('a@b.example'));
    await value(bg.send({ type: 'privacy:allow', ticket: other.ticket, scope: 'once' }, frame(4)));
    expect(sessionRules()).toHaveLength(4);
    expect(await value(bg.send({ type: 'privacy:leave' }, content(3)))).toEqual({ left: true });
    expect(sessionRules().map(([tabs]) => tabs)).toEqual([[4], [4]]);
    // Only a content script, and only for its own tab.
    expect(await bg.send({ type: 'privacy:leave' }, frame(4))).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    expect(sessionRules()).toHaveLength(2);
  });

  it('a restore the tab does not answer is an error (the banner says so)', async () => {
    const { ticket } = await scan(3, facts('a@b.example'));
    bg.ports.tabAnswer = 'no-receiver';
    expect(await bg.send({ type: 'privacy:allow', ticket, scope: 'once' }, frame(3))).toMatchObject({
      ok: false,
      code: 'not-delivered',
    });
  });

  it('"Always for this sender" remembers the address; its next message is allowed at once', async () => {
    const { ticket } = await scan(3, facts('News@Shop.Example'));
    expect(await value(bg.send({ type: 'privacy:allow', ticket, scope: 'sender' }, frame(3)))).toEqual({
      loaded: 'sender',
    });
    expect(await value(bg.send({ type: 'privacy:senders-list' }))).toEqual(['news@shop.example']);
    expect(bg.local.data.remoteSenders).toEqual(['news@shop.example']);

    const next = await scan(3, facts('news@shop.example'), ['https://tracker.example/open.gif?u=9']);
    expect(next.loaded).toBe('sender');
    expect(sessionRules()).toEqual([[[3], '|https://tracker.example/open.gif?u=9|']]);
    expect((await value(bg.send({ type: 'privacy:get', ticket: next.ticket }, frame(3)))).loaded).toBe(
      'sender',
    );

    // Removed in the options: blocked again.
    expect(await value(bg.send({ type: 'privacy:senders-remove', address: 'NEWS@shop.example' }))).toEqual({
      removed: true,
    });
    expect(await value(bg.send({ type: 'privacy:senders-remove', address: 'news@shop.example' }))).toEqual({
      removed: false,
    });
    expect((await scan(3, facts('news@shop.example'))).loaded).toBe('none');
    expect(bg.ports.dnr.session).toEqual([]);
  });

  it('danger: an always-allowed sender’s content stays blocked, and "always" is refused', async () => {
    const { ticket } = await scan(3, facts('news@shop.example'));
    await value(bg.send({ type: 'privacy:allow', ticket, scope: 'sender' }, frame(3)));
    const spoofed = await scan(3, facts('news@shop.example', 'DANGER'));
    expect(spoofed).toMatchObject({ show: true, loaded: 'none' });
    expect(bg.ports.dnr.session).toEqual([]);
    const view = await value(bg.send({ type: 'privacy:get', ticket: spoofed.ticket }, frame(3, 9)));
    expect(view.verdict.severity).toBe('danger');
    expect(view.verdict.reasons[0]!.code).toBe('dmarc-fail');
    expect(
      await bg.send({ type: 'privacy:allow', ticket: spoofed.ticket, scope: 'sender' }, frame(3, 9)),
    ).toMatchObject({ ok: false, code: 'forbidden' });
    // "Load this time" stays the user's choice.
    expect(
      await value(bg.send({ type: 'privacy:allow', ticket: spoofed.ticket, scope: 'once' }, frame(3, 9))),
    ).toEqual({ loaded: 'once' });
    expect(bg.ports.dnr.session).toHaveLength(2);
  });
});

describe('sender list', () => {
  it('is bounded and holds only addresses', async () => {
    bg.local.data.remoteSenders = ['ok@example.org', 'not an address', 42, 'UPPER@example.org'];
    expect(await value(bg.send({ type: 'privacy:senders-list' }))).toEqual(['ok@example.org']);
  });
});
