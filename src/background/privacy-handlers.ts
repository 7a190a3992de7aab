/**
 * Privacy messages (issue 6, docs/privacy.md).
 *
 * - `privacy:scan` (content script): an opened message's neutralised remote URLs
 *   and sender facts. The tab's allow rules of the previous message go; the
 *   sender verdict is computed here (checkSender), never taken from the page; a
 *   privacy ticket is made for the banner frame; a sender the user always allows
 *   gets its URLs allowed at once, unless the verdict is `danger` (a spoofed From
 *   must not get trackers loaded just by copying an allowed address).
 * - `privacy:leave` (content script): the frame of a message whose content was
 *   allowed is unloading; the tab's allow rules go.
 * - `privacy:get` / `privacy:allow` (the banner frame, redeeming the ticket like a
 *   reader frame: same tab, first frame owns it). A reader ticket is refused: the
 *   reader frame blocks and loads its own remote content, and keys "Always for this
 *   sender" to the verified signer through `reader:remote` (reader-handlers.ts),
 *   never to the From text a reader ticket carries.
 * - `privacy:senders-list` / `privacy:senders-remove` (options page).
 */
import { normalizeAddress } from '../crypto';
import { vaultKeyFromBytes } from '../keyring';
import type { PrivacyView } from '../messaging/messages';
import { HandlerError } from '../messaging/result';
import type { Handlers } from '../messaging/router';
import type { TrustedSender } from '../messaging/sender';
import { checkSender } from '../privacy/sender-check';
import type { BackgroundContext } from './context';
import { type BrowserPorts, deliver } from './ports';
import type { RemoteRules } from './remote-rules';
import { normalizeSender, type RemoteSenders } from './remote-senders';
import type { PrivacyTicketData, Ticket } from './tickets';

type PrivacyType =
  | 'privacy:scan'
  | 'privacy:leave'
  | 'privacy:get'
  | 'privacy:allow'
  | 'privacy:senders-list'
  | 'privacy:senders-remove';

/** Hosts listed in the banner ("from tracker.example, cdn.example, ..."). */
const MAX_HOSTS_SHOWN = 20;
/** Contact and own addresses are re-read at most this often while unlocked. */
const KNOWN_ADDRESSES_MS = 60_000;

/** http(s) URLs only, without fragment, deduplicated, in order. */
export function cleanUrls(remote: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of remote) {
    try {
      const url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
      url.hash = '';
      out.add(url.href);
    } catch {
      // Not a URL: nothing the browser would load either.
    }
  }
  return [...out];
}

export function hostsOf(urls: readonly string[]): string[] {
  return [...new Set(urls.map((u) => new URL(u).hostname))].slice(0, MAX_HOSTS_SHOWN);
}

function senderAddress(raw: string): string {
  try {
    return normalizeSender(normalizeAddress(raw));
  } catch {
    return normalizeSender(raw);
  }
}

interface KnownAddresses {
  contacts: string[];
  own: string[];
  at: number;
}

/**
 * The keyring's contact addresses and the user's own, for the look-alike checks.
 * Read only while the vault is unlocked, and without counting as activity
 * (peekKey): opening mail in the webmail must neither unlock Cipherpost nor keep
 * it from auto-locking. Locked, the last list read while unlocked is used if
 * this worker still holds it, else none: the look-alike-of-a-contact check then
 * has nothing to compare with, the other checks (popular domains, headers,
 * display name) still run. The cache is dropped on lock.
 */
function knownAddresses(ctx: BackgroundContext, now: () => number) {
  let cache: KnownAddresses | null = null;
  ctx.session.onLock(() => {
    cache = null;
  });
  return async (): Promise<{ contacts: string[]; own: string[] }> => {
    if (cache && now() - cache.at < KNOWN_ADDRESSES_MS) return cache;
    const raw = await ctx.session.peekKey();
    if (!raw) return cache ?? { contacts: [], own: [] };
    try {
      const key = vaultKeyFromBytes(raw);
      const vault = await ctx.vault();
      const contacts = (await vault.contacts.list(key)).items.map((c) => c.address);
      const own = (await vault.identities.list(key)).items.flatMap((i) => [...i.addresses]);
      cache = { contacts, own, at: now() };
      return cache;
    } catch {
      return cache ?? { contacts: [], own: [] };
    }
  };
}

function view(data: PrivacyTicketData): PrivacyView {
  return {
    count: data.urls.length,
    hosts: hostsOf(data.urls),
    sender: data.sender,
    verdict: data.verdict,
    loaded: data.loaded,
  };
}

export function privacyHandlers(
  ctx: BackgroundContext,
  ports: Pick<BrowserPorts, 'tabs'>,
  rules: RemoteRules,
  senders: RemoteSenders,
  now: () => number = Date.now,
): Pick<Handlers, PrivacyType> {
  const known = knownAddresses(ctx, now);

  /** A banner's privacy ticket. */
  async function redeem(id: string, sender: TrustedSender): Promise<Ticket<PrivacyTicketData>> {
    const ticket = await ctx.tickets.redeem(id, sender, 'any');
    if (ticket.data.kind === 'privacy') return ticket as Ticket<PrivacyTicketData>;
    if (ticket.data.kind === 'reader') {
      // Its From is page text: "always" would be keyed to what a spoofer writes.
      throw new HandlerError('forbidden', 'the reader frame uses reader:remote, keyed to the signer');
    }
    throw new HandlerError('ticket-expired', 'this ticket is unknown or has expired');
  }

  return {
    'privacy:scan': async ({ provider, facts, remote, sheets = [] }, sender) => {
      if (sender.kind !== 'content-script')
        throw new HandlerError('forbidden', 'only a content script scans');
      const urls = cleanUrls(remote);
      // Only sheets among the message's own URLs: the field cannot widen what is allowed.
      const sheetHosts = hostsOf(cleanUrls(sheets).filter((u) => urls.includes(u)));
      const address = senderAddress(facts.fromAddress);
      const verdict = checkSender(facts, await known());
      const always =
        urls.length > 0 && address !== '' && verdict.severity !== 'danger' && (await senders.has(address));
      // The tab now shows this message: what was allowed for the previous one goes.
      await rules.replaceTab(sender.tabId, always ? urls : [], always ? sheetHosts : []);
      const loaded: PrivacyView['loaded'] = always ? 'sender' : 'none';
      const ticket = ctx.tickets.create(sender, {
        kind: 'privacy',
        provider,
        urls,
        sheetHosts,
        sender: address,
        verdict,
        loaded,
      });
      return { ticket: ticket.id, show: urls.length > 0 || verdict.severity !== 'none', loaded };
    },

    // The content script leaves a frame whose message had remote content allowed
    // (Roundcube's preview loading the next message): drop the rules now, before the
    // next document asks for the same URLs; its scan would come too late.
    'privacy:leave': async (_m, sender) => {
      if (sender.kind !== 'content-script')
        throw new HandlerError('forbidden', 'only a content script leaves');
      await rules.replaceTab(sender.tabId);
      return { left: true } as const;
    },

    'privacy:get': async ({ ticket: id }, sender) => view((await redeem(id, sender)).data),

    'privacy:allow': async ({ ticket: id, scope }, sender) => {
      const t = await redeem(id, sender);
      const data = t.data;
      if (scope === 'sender') {
        if (data.verdict.severity === 'danger') {
          throw new HandlerError('forbidden', 'this sender may be forged: it cannot be always allowed');
        }
        if (!data.sender || !(await senders.add(data.sender)))
          throw new HandlerError('invalid-input', 'this message has no sender address');
      }
      if (data.loaded === 'none') {
        await rules.allow(t.tabId, data.urls, data.sheetHosts);
        // The rules are in place before the content script puts the URLs back.
        if (!(await deliver(ports.tabs, t.tabId, { type: 'privacy:restore', ticket: id }))) {
          throw new HandlerError('not-delivered', 'the webmail tab did not load the content');
        }
      }
      data.loaded = scope === 'sender' ? 'sender' : data.loaded === 'sender' ? 'sender' : 'once';
      return { loaded: data.loaded };
    },

    'privacy:senders-list': () => senders.list(),
    'privacy:senders-remove': async ({ address }) => ({ removed: await senders.remove(address) }),
  };
}
