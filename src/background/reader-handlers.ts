/**
 * Reading in a webmail tab (docs/webmail-integration.md §Reading): the content
 * script stages ciphertext for a ticket, our reader frame in the same tab
 * redeems it. Staging uses no key; opening decrypts and verifies before anything
 * is returned, and says who signed, never what the page claims.
 */
import { normalizeAddress } from '../crypto';
import type { SignatureView } from '../messaging/messages';
import { HandlerError } from '../messaging/result';
import type { Handlers } from '../messaging/router';
import { type BackgroundContext, explained } from './context';
import { type Decrypted, decryptArmored } from './decrypt';
import { type BrowserPorts, deliver } from './ports';
import { replyDraft } from './reply-seeds';

/** The address in what the webmail shows as From ("Alice <alice@example.org>" or bare). */
function displayedAddress(from: string): string {
  const bracketed = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  try {
    return normalizeAddress(bracketed.trim());
  } catch {
    return bracketed.trim().toLowerCase();
  }
}

/** The verdict from the signature alone; the displayed From only raises a warning. */
export function signatureView(d: Decrypted, displayedFrom: string): SignatureView {
  const signer = d.view.sender.address;
  const shown = displayedFrom.trim();
  return {
    signer,
    fingerprint: d.view.sender.fingerprint,
    trust: d.own ? 'own' : d.view.sender.trust,
    displayedFrom: shown,
    fromMismatch: shown !== '' && displayedAddress(shown) !== signer,
  };
}

type ReaderHandlers = Pick<Handlers, 'reader:stage' | 'reader:open' | 'compose:reply'>;

export function readerHandlers(ctx: BackgroundContext, ports: Pick<BrowserPorts, 'tabs'>): ReaderHandlers {
  return {
    // Content script: ciphertext in, ticket out. No key, no decryption (invariant 2).
    'reader:stage': ({ armored, from, source }, sender) => ({
      ticket: ctx.tickets.create(sender, { kind: 'reader', armored, from, source }).id,
    }),

    'reader:open': async ({ ticket: id }, sender) => {
      const ticket = await ctx.tickets.redeem(id, sender, 'reader');
      return explained(async () => {
        const d = await decryptArmored(ctx, ticket.data.armored, sender);
        return { ...d.view, signature: signatureView(d, ticket.data.from), source: ticket.data.source };
      });
    },

    'compose:reply': async ({ ticket: id, mode }, sender) => {
      const ticket = await ctx.tickets.redeem(id, sender, 'reader');
      await explained(async () => {
        // Decrypted again from the staged ciphertext: the frame's copy is never trusted back.
        const d = await decryptArmored(ctx, ticket.data.armored, sender);
        const quoted = {
          subject: d.view.subject,
          bodyType: d.view.bodyType,
          body: d.view.body,
          date: d.view.date,
          sender: d.view.sender.address,
          recipients: d.view.recipients,
          attachments: d.view.attachments.map(({ name, mediaType, data }) => ({ name, mediaType, data })),
        };
        ctx.replySeeds.put(ticket.tabId, { mode, draft: replyDraft(mode, quoted, d.ownAddresses) });
      });
      if (!(await deliver(ports.tabs, ticket.tabId, { type: 'compose:start', mode }))) {
        ctx.replySeeds.take(ticket.tabId);
        throw new HandlerError('not-delivered', 'the webmail tab did not start the reply');
      }
      return { started: true } as const;
    },
  };
}
