/**
 * Ticket binding (docs/webmail-integration.md §Tickets): created only by a
 * content script, redeemed only by an extension frame of the same tab (the
 * first one owns it), standalone compose tickets only by the window the
 * background opened; unknown, expired and evicted tickets are `ticket-expired`.
 */
import { describe, expect, it } from 'vitest';
import {
  type ComposeTicketData,
  MAX_TICKET_BYTES_PER_TAB,
  MAX_TICKETS_PER_TAB,
  READER_TICKET_MS,
  type ReaderTicketData,
  TicketStore,
} from '../../src/background/tickets';
import { HandlerError } from '../../src/messaging/result';
import { classifySender, type TrustedSender } from '../../src/messaging/sender';
import { CHROME_ID, CHROME_ORIGIN, E2E_HOSTS } from '../messaging/fixtures';
import { content, extensionTab, frame } from './webmail-harness';

function trusted(raw: unknown): TrustedSender {
  const c = classifySender(raw, CHROME_ID, CHROME_ORIGIN, E2E_HOSTS);
  if (!c.ok) throw new Error(c.reason);
  return c.sender;
}

const reader = (armored = 'ciphertext'): ReaderTicketData => ({
  kind: 'reader',
  armored,
  from: 'bob@example.test',
  source: 'body',
});
const compose = (window: 'frame' | 'standalone' = 'frame'): ComposeTicketData => ({
  kind: 'compose',
  provider: 'gmail',
  window,
  origin: 'https://mail.google.com',
  to: [],
  cc: [],
  bcc: [],
  canAttach: true,
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HandlerError) return e.code;
    throw e;
  }
  return 'ok';
}

describe('tickets', () => {
  it('are 128 random bits in base64url, and only a content script makes them', () => {
    const store = new TicketStore();
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add(store.create(trusted(content(9)), reader()).id);
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(() => store.create(trusted(frame(9)), reader())).toThrow(HandlerError);
    expect(() => store.create(trusted(extensionTab(3)), reader())).toThrow(HandlerError);
  });

  it('redeem only from an extension frame of the same tab; the first frame owns the ticket', async () => {
    const store = new TicketStore();
    const { id } = store.create(trusted(content(9)), reader());
    // Another tab's frame, the content script itself, an extension page: refused.
    expect(await code(store.redeem(id, trusted(frame(10)), 'reader'))).toBe('forbidden');
    expect(await code(store.redeem(id, trusted(content(9)), 'reader'))).toBe('forbidden');
    expect(await code(store.redeem(id, trusted(extensionTab(9)), 'reader'))).toBe('forbidden');
    // The refusals did not claim it: frame 7 of tab 9 is the first redeemer.
    expect((await store.redeem(id, trusted(frame(9, 7)), 'reader')).data.armored).toBe('ciphertext');
    expect(await code(store.redeem(id, trusted(frame(9, 7)), 'reader'))).toBe('ok');
    expect(await code(store.redeem(id, trusted(frame(9, 8)), 'reader'))).toBe('forbidden');
    expect(await code(store.redeem(id, trusted(frame(9, 8)), 'any'))).toBe('forbidden');
  });

  it('unknown, the wrong kind and expired are ticket-expired', async () => {
    const clock = { now: 1_000_000 };
    const store = new TicketStore({ now: () => clock.now });
    const r = store.create(trusted(content(9)), reader());
    const c = store.create(trusted(content(9)), compose());
    expect(await code(store.redeem('AAAAAAAAAAAAAAAAAAAAAA', trusted(frame(9)), 'any'))).toBe(
      'ticket-expired',
    );
    expect(await code(store.redeem(r.id, trusted(frame(9)), 'compose'))).toBe('ticket-expired');
    expect(await code(store.redeem(c.id, trusted(frame(9)), 'reader'))).toBe('ticket-expired');
    clock.now += READER_TICKET_MS - 1;
    expect(await code(store.redeem(r.id, trusted(frame(9)), 'reader'))).toBe('ok');
    clock.now += 1;
    expect(await code(store.redeem(r.id, trusted(frame(9)), 'reader'))).toBe('ticket-expired');
    // Compose tickets live as long as the compose.
    clock.now += 24 * 60 * 60 * 1000;
    expect(await code(store.redeem(c.id, trusted(frame(9)), 'compose'))).toBe('ok');
  });

  it('keeps at most 200 per tab (oldest evicted), other tabs untouched, and drops a closed tab', async () => {
    const store = new TicketStore();
    const other = store.create(trusted(content(4)), reader()).id;
    const first = store.create(trusted(content(9)), reader()).id;
    const second = store.create(trusted(content(9)), reader()).id;
    for (let i = 0; i < MAX_TICKETS_PER_TAB - 1; i++) store.create(trusted(content(9)), reader());
    expect(store.count(9)).toBe(MAX_TICKETS_PER_TAB);
    expect(await code(store.redeem(first, trusted(frame(9)), 'reader'))).toBe('ticket-expired');
    expect(await code(store.redeem(second, trusted(frame(9)), 'reader'))).toBe('ok');
    expect(await code(store.redeem(other, trusted(frame(4)), 'reader'))).toBe('ok');
    store.dropTab(9);
    expect(store.count(9)).toBe(0);
    expect(await code(store.redeem(second, trusted(frame(9)), 'reader'))).toBe('ticket-expired');
  });

  it('evicts by staged bytes too', async () => {
    const store = new TicketStore();
    const half = 'x'.repeat(MAX_TICKET_BYTES_PER_TAB / 2);
    const a = store.create(trusted(content(9)), reader(half)).id;
    const b = store.create(trusted(content(9)), reader(half)).id;
    store.create(trusted(content(9)), reader('more'));
    expect(await code(store.redeem(a, trusted(frame(9)), 'reader'))).toBe('ticket-expired');
    expect(await code(store.redeem(b, trusted(frame(9)), 'reader'))).toBe('ok');
  });

  it('a standalone compose ticket is redeemable only by the window the background opened', async () => {
    const store = new TicketStore();
    const ticket = store.create(trusted(content(9)), compose('standalone'));
    let opened: (tab: number) => void = () => {};
    ticket.windowOpening = new Promise<void>((resolve) => {
      opened = (tab) => {
        ticket.data.windowTabId = tab;
        resolve();
      };
    });
    // Asked before windows.create answered: waits, then checks the window's tab.
    const early = store.redeem(ticket.id, trusted(extensionTab(500)), 'compose');
    opened(500);
    expect((await early).id).toBe(ticket.id);
    expect(await code(store.redeem(ticket.id, trusted(frame(9)), 'compose'))).toBe('forbidden');
    expect(await code(store.redeem(ticket.id, trusted(extensionTab(501)), 'compose'))).toBe('forbidden');
    expect(await code(store.redeem(ticket.id, trusted(content(9)), 'compose'))).toBe('forbidden');
    expect(await code(store.redeem(ticket.id, trusted(extensionTab(500)), 'compose'))).toBe('ok');
  });
});
