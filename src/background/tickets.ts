/**
 * Tickets (docs/webmail-integration.md §Tickets): the only link between what a
 * content script stages and what an extension frame may read or send.
 *
 * - 128 random bits, base64url, made here when the content script stages
 *   ciphertext (`reader:stage`) or opens a compose (`compose:open`).
 * - Bound to the tab of the content script that made it. Only an extension frame
 *   of that tab may redeem it, and the first frame that does owns it (tab id and
 *   frame id): a second frame of the same tab gets `forbidden`, so a page that
 *   learns a ticket cannot have another frame of ours redeem it.
 * - A standalone compose (generic mode) is redeemable only by the extension page
 *   the background opened for it (its window's tab).
 * - Reader tickets expire after 10 minutes; compose tickets live as long as the
 *   compose (cancel, or the tab closing, drops them). At most 200 and 128 MiB of
 *   ciphertext per tab, oldest evicted, so a page that stages in a loop cannot
 *   grow the background's memory.
 *
 * Tickets live only in the background's memory. An MV3 service worker that the
 * browser stops loses them: the frame then gets `ticket-expired` and the content
 * script stages again, which is cheap since staging uses no key (invariant 2).
 */
import { systemRandom } from '../crypto/random';
import type { PrivacyView, ProviderId, ReplyMode, SenderVerdict } from '../messaging/messages';
import { HandlerError } from '../messaging/result';
import type { TrustedSender } from '../messaging/sender';
import type { ReplySeed } from './reply-seeds';

export const READER_TICKET_MS = 10 * 60 * 1000;
export const MAX_TICKETS_PER_TAB = 200;
/** Staged ciphertext held per tab: a message may be 64 MiB, 200 of them may not. */
export const MAX_TICKET_BYTES_PER_TAB = 128 * 1024 * 1024;

/** Privacy tickets back a banner the user may leave open while reading: longer than reader tickets. */
export const PRIVACY_TICKET_MS = 60 * 60 * 1000;

const sizeOf = (data: TicketData) =>
  data.kind === 'reader'
    ? data.armored.length
    : data.kind === 'privacy'
      ? data.urls.reduce((n, u) => n + u.length, 0)
      : 0;

export interface ReaderTicketData {
  kind: 'reader';
  armored: string;
  /** The From the webmail shows, only to warn when it is not the signer. */
  from: string;
  source: 'body' | 'attachment';
}

export interface ComposeTicketData {
  kind: 'compose';
  provider: ProviderId;
  window: 'frame' | 'standalone';
  /** The webmail origin, for resuming a draft written on the same site. */
  origin: string;
  to: string[];
  cc: string[];
  bcc: string[];
  canAttach: boolean;
  seed?: ReplySeed;
  replyMode?: ReplyMode;
  /** The encrypted local draft this compose saves to (compose:save-draft). */
  draftId?: string;
  /** Standalone: the tab of the window the background opened, the only redeemer. */
  windowTabId?: number;
}

/**
 * One opened message's privacy banner (issue 6, privacy-handlers.ts): what was
 * blocked and the sender verdict, computed when the content script scanned it.
 */
export interface PrivacyTicketData {
  kind: 'privacy';
  provider: ProviderId;
  /** The neutralised remote URLs (absolute http(s)), deduplicated. */
  urls: string[];
  /** Hosts of the message's style sheets: what those sheets load from there is allowed with them. */
  sheetHosts: string[];
  /** The normalised From address ('' if none): the key of "Always for this sender". */
  sender: string;
  verdict: SenderVerdict;
  loaded: PrivacyView['loaded'];
}

export type TicketData = ReaderTicketData | ComposeTicketData | PrivacyTicketData;

export interface Ticket<D extends TicketData = TicketData> {
  readonly id: string;
  /** The webmail tab whose content script made it: commands go to its top frame. */
  readonly tabId: number;
  readonly createdAt: number;
  /** Epoch ms; Infinity for compose tickets. */
  readonly expiresAt: number;
  data: D;
  /** Standalone: settles once `data.windowTabId` is recorded (or the window failed). */
  windowOpening?: Promise<unknown>;
  /** The first redeemer, which alone may redeem it again. */
  owner?: { tabId: number; frameId: number };
}

export interface TicketStoreOptions {
  now?: () => number;
  random?: (length: number) => Uint8Array;
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const expired = () => new HandlerError('ticket-expired', 'this ticket is unknown or has expired');
const forbidden = () => new HandlerError('forbidden', 'this ticket belongs to another frame');

export class TicketStore {
  private readonly tickets = new Map<string, Ticket>();
  /** Ticket ids per tab, oldest first. */
  private readonly byTab = new Map<number, string[]>();
  private readonly now: () => number;
  private readonly random: (length: number) => Uint8Array;

  constructor(options: TicketStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? systemRandom;
  }

  /** A new ticket for the content script of `sender`'s tab. */
  create<D extends TicketData>(sender: TrustedSender, data: D): Ticket<D> {
    if (sender.kind !== 'content-script') throw new HandlerError('forbidden', 'only a content script stages');
    const tabId = sender.tabId;
    const ids = this.byTab.get(tabId) ?? [];
    let bytes = sizeOf(data);
    for (const id of ids) bytes += sizeOf(this.tickets.get(id)!.data);
    while (ids.length > 0 && (ids.length >= MAX_TICKETS_PER_TAB || bytes > MAX_TICKET_BYTES_PER_TAB)) {
      const oldest = ids.shift()!;
      bytes -= sizeOf(this.tickets.get(oldest)!.data);
      this.tickets.delete(oldest);
    }
    const now = this.now();
    const ticket: Ticket<D> = {
      id: base64url(this.random(16)),
      tabId,
      createdAt: now,
      expiresAt:
        data.kind === 'reader'
          ? now + READER_TICKET_MS
          : data.kind === 'privacy'
            ? now + PRIVACY_TICKET_MS
            : Number.POSITIVE_INFINITY,
      data,
    };
    this.tickets.set(ticket.id, ticket);
    ids.push(ticket.id);
    this.byTab.set(tabId, ids);
    return ticket;
  }

  /**
   * The ticket, if `sender` may redeem it: `ticket-expired` when unknown, expired
   * or of the other kind; `forbidden` for a sender it is not bound to.
   */
  async redeem<K extends TicketData['kind']>(
    id: string,
    sender: TrustedSender,
    kind: K | 'any',
  ): Promise<Ticket<Extract<TicketData, { kind: K }>>> {
    const ticket = this.tickets.get(id);
    if (!ticket || (kind !== 'any' && ticket.data.kind !== kind)) throw expired();
    // A standalone window's page may ask before windows.create has told us its tab.
    if (ticket.windowOpening) await ticket.windowOpening.catch(() => {});
    if (this.now() >= ticket.expiresAt) {
      this.remove(id);
      throw expired();
    }
    const standalone = ticket.data.kind === 'compose' && ticket.data.window === 'standalone';
    let redeemer: { tabId: number; frameId: number };
    if (standalone) {
      // The window the background opened: a top-level extension page in that tab.
      const windowTab = (ticket.data as ComposeTicketData).windowTabId;
      if (sender.kind !== 'extension-page' || windowTab === undefined || sender.tabId !== windowTab) {
        throw forbidden();
      }
      redeemer = { tabId: windowTab, frameId: 0 };
    } else {
      if (sender.kind !== 'extension-frame' || sender.tabId !== ticket.tabId) throw forbidden();
      redeemer = { tabId: sender.tabId, frameId: sender.frameId };
    }
    if (!ticket.owner) ticket.owner = redeemer;
    else if (ticket.owner.tabId !== redeemer.tabId || ticket.owner.frameId !== redeemer.frameId) {
      throw forbidden();
    }
    return ticket as Ticket<Extract<TicketData, { kind: K }>>;
  }

  remove(id: string): void {
    const ticket = this.tickets.get(id);
    if (!ticket) return;
    this.tickets.delete(id);
    const ids = this.byTab.get(ticket.tabId);
    if (ids) {
      const i = ids.indexOf(id);
      if (i >= 0) ids.splice(i, 1);
      if (ids.length === 0) this.byTab.delete(ticket.tabId);
    }
  }

  /** The tab closed (tabs.onRemoved): its tickets can never be redeemed again. */
  dropTab(tabId: number): void {
    for (const id of this.byTab.get(tabId) ?? []) this.tickets.delete(id);
    this.byTab.delete(tabId);
  }

  /** Tickets held for a tab (tests and diagnostics). */
  count(tabId: number): number {
    return this.byTab.get(tabId)?.length ?? 0;
  }
}
