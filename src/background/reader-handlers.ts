/**
 * Reading in a webmail tab (docs/webmail-integration.md §Reading): the content
 * script stages ciphertext for a ticket, our reader frame in the same tab
 * redeems it. Staging uses no key; opening decrypts and verifies before anything
 * is returned, and says who signed, never what the page claims.
 *
 * Remote content (issue 6): the reader blocks it in its own frame (sanitizer and CSP,
 * src/reader). "Always for this sender" is keyed to the verified signer, resolved here
 * from the ticket's message: never to DOM text, never to an address the frame sends.
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

/**
 * The addresses whose remote content the user always loads (remote-senders.ts), shared
 * with the privacy handlers and the options page.
 */
export interface AlwaysAllowedSenders {
  has(address: string): Promise<boolean>;
  add(address: string): Promise<unknown>;
}

/**
 * Why a signature may not key "Always for this sender", or null if it may: the signer's
 * key must be trusted (verified, from the directory, or the user's own) and the signer
 * must be the From the webmail shows. An unknown or unverified key could be anyone's
 * claiming that address, and a different From is a spoof (the reader warns).
 */
export function remoteRefusal(sig: SignatureView): string | null {
  if (sig.fromMismatch) return 'the signer is not the From the webmail shows';
  if (sig.trust !== 'verified' && sig.trust !== 'directory-verified' && sig.trust !== 'own') {
    return 'the signer’s key is not verified';
  }
  return null;
}

type ReaderHandlers = Pick<Handlers, 'reader:stage' | 'reader:open' | 'reader:remote' | 'compose:reply'>;

export function readerHandlers(
  ctx: BackgroundContext,
  ports: Pick<BrowserPorts, 'tabs'>,
  /** Absent: nothing is always allowed and reader:remote is refused. */
  senders?: AlwaysAllowedSenders,
): ReaderHandlers {
  return {
    // Content script: ciphertext in, ticket out. No key, no decryption (invariant 2).
    'reader:stage': ({ armored, from, source }, sender) => ({
      ticket: ctx.tickets.create(sender, { kind: 'reader', armored, from, source }).id,
    }),

    'reader:open': async ({ ticket: id }, sender) => {
      const ticket = await ctx.tickets.redeem(id, sender, 'reader');
      return explained(async () => {
        const d = await decryptArmored(ctx, ticket.data.armored, sender);
        const signature = signatureView(d, ticket.data.from);
        // Loaded at once only for a signer who could be always allowed now: a spoofed From
        // or a key that lost its trust does not inherit an earlier choice.
        const remoteAllowed =
          senders !== undefined && remoteRefusal(signature) === null && (await senders.has(signature.signer));
        return { ...d.view, signature, source: ticket.data.source, remoteAllowed };
      });
    },

    'reader:remote': async ({ ticket: id }, sender) => {
      const ticket = await ctx.tickets.redeem(id, sender, 'reader');
      return explained(async () => {
        if (!senders) throw new HandlerError('not-found', 'always loading remote content is not available');
        // Decrypted again from the staged ciphertext: the signer is the signature's, not the frame's.
        const d = await decryptArmored(ctx, ticket.data.armored, sender);
        const signature = signatureView(d, ticket.data.from);
        const refusal = remoteRefusal(signature);
        if (refusal) throw new HandlerError('forbidden', `not always allowed: ${refusal}`);
        await senders.add(signature.signer);
        return { loaded: 'sender' as const, sender: signature.signer };
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
