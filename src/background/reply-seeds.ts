/**
 * Reply, Reply all and Forward from the reader frame (docs/webmail-integration.md
 * §Composing, step 5): `compose:reply` decrypts the message again and leaves a
 * seed for its tab; the content script presses the webmail's own reply button,
 * and the `compose:open` that follows from that tab within two minutes takes the
 * seed (once). The seed is plaintext, so it stays in the background's memory.
 */
import { normalizeAddress } from '../crypto';
import type { AttachmentInput, ComposeDraft, ReplyMode } from '../messaging/messages';

export const REPLY_SEED_MS = 2 * 60 * 1000;

export interface ReplySeed {
  mode: ReplyMode;
  draft: ComposeDraft;
}

/** What a reply is made from: the decrypted message, as the reader saw it. */
export interface QuotedMessage {
  subject: string;
  bodyType: 'text/plain' | 'text/html';
  body: string;
  date: number;
  sender: string;
  recipients: string[];
  attachments: AttachmentInput[];
}

/** "Re: " or "Fwd: " once, however many times the thread was answered. */
function prefixed(prefix: 'Re' | 'Fwd', subject: string): string {
  const re = new RegExp(`^\\s*${prefix}:\\s*`, 'i');
  return re.test(subject) ? subject : `${prefix}: ${subject}`;
}

/** Plain text of a body: HTML is reduced to its lines (the quote is plain text). */
export function plainText(bodyType: 'text/plain' | 'text/html', body: string): string {
  if (bodyType === 'text/plain') return body;
  return body
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<(br|\/p|\/div|\/li|\/blockquote|\/tr|\/h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** "On <date>, <sender> wrote:" and every line of the original behind "> ". */
export function quoteBody(m: QuotedMessage): string {
  const lines = plainText(m.bodyType, m.body).split(/\r\n|\r|\n/);
  const quoted = lines.map((l) => (l === '' ? '>' : `> ${l}`)).join('\n');
  return `\n\nOn ${new Date(m.date).toUTCString()}, ${m.sender} wrote:\n${quoted}\n`;
}

/** The draft a reply starts from; `own` are the reader's addresses, never replied to. */
export function replyDraft(mode: ReplyMode, m: QuotedMessage, own: readonly string[]): ComposeDraft {
  const mine = new Set(own);
  const others = m.recipients.filter((r) => !mine.has(r) && r !== m.sender);
  const to = mode === 'forward' ? [] : mine.has(m.sender) ? others.slice(0, 1) : [m.sender];
  return {
    to,
    cc: mode === 'reply-all' ? others.filter((r) => !to.includes(r)) : [],
    bcc: [],
    subject: prefixed(mode === 'forward' ? 'Fwd' : 'Re', m.subject),
    bodyType: 'text/plain',
    body: quoteBody(m),
    // A forward carries the original's files; a reply does not (as every mail client).
    attachments: mode === 'forward' ? m.attachments : [],
  };
}

/** Normalized, deduplicated addresses; ones that are not addresses are kept as typed, once. */
export function cleanAddresses(...lists: readonly (readonly string[])[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const list of lists) {
    for (const raw of list) {
      // `Name <addr>` as webmails display it: the address is what gets a key.
      const trimmed = (/<([^<>]+)>\s*$/.exec(raw)?.[1] ?? raw).trim();
      if (trimmed === '') continue;
      let address: string;
      try {
        address = normalizeAddress(trimmed);
      } catch {
        address = trimmed;
      }
      if (!seen.has(address)) {
        seen.add(address);
        out.push(address);
      }
    }
  }
  return out;
}

export class ReplySeeds {
  private readonly seeds = new Map<number, { seed: ReplySeed; expiresAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  put(tabId: number, seed: ReplySeed): void {
    this.seeds.set(tabId, { seed, expiresAt: this.now() + REPLY_SEED_MS });
  }

  /** A fresh seed waits for this tab (not consumed). */
  has(tabId: number): boolean {
    const entry = this.seeds.get(tabId);
    return entry !== undefined && this.now() < entry.expiresAt;
  }

  /** The tab's seed if still fresh, removed: one reply per click. */
  take(tabId: number): ReplySeed | undefined {
    const entry = this.seeds.get(tabId);
    this.seeds.delete(tabId);
    return entry && this.now() < entry.expiresAt ? entry.seed : undefined;
  }

  dropTab(tabId: number): void {
    this.seeds.delete(tabId);
  }
}
