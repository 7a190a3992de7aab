/**
 * Composing in a webmail tab (docs/webmail-integration.md §Composing). The
 * content script opens a compose for a ticket; our compose frame (or the
 * standalone window) redeems it, shows each recipient's key, autosaves an
 * encrypted draft and sends. Only ciphertext and the placeholder subject ever go
 * back to the tab (SECURITY.md invariant 1).
 */
import { armor, encryptMessage, type Identity, PLACEHOLDER_SUBJECT } from '../crypto';
import type { ComposeDraft, TabCommand } from '../messaging/messages';
import { HandlerError } from '../messaging/result';
import type { Handlers } from '../messaging/router';
import { type BackgroundContext, explained, unlockedIdentities } from './context';
import type { DirectoryDeps } from './directory';
import { decodeBase64, deleteDraft, newDraftId, newestDraft, openDraft, saveDraft } from './drafts';
import { type BrowserPorts, deliver } from './ports';
import { recipientKeys, recipientViews } from './recipients';
import { cleanAddresses } from './reply-seeds';
import type { ComposeTicketData } from './tickets';

/** Gmail clips bodies over ~102 KB; bigger armor travels as an attachment. */
export const MAX_INLINE_ARMOR = 96 * 1024;
export const ATTACHMENT_NAME = 'message.cipherpost';
/** The body of a message that travels as an attachment: English, ciphertext-free. */
export const ATTACHMENT_NOTICE = [
  'This is an end-to-end encrypted message sent with Cipherpost.',
  `It is in the attached file ${ATTACHMENT_NAME}: open this mail in a browser`,
  'with the Cipherpost extension installed to read it.',
].join('\n');

const STANDALONE_WINDOW = { type: 'popup', width: 760, height: 720 } as const;

async function author(ctx: BackgroundContext): Promise<Identity> {
  const primary = (await unlockedIdentities(ctx))[0];
  if (!primary) throw new HandlerError('not-found', 'no identity');
  return primary;
}

function draftOf(m: ComposeDraft): ComposeDraft {
  return {
    to: m.to,
    cc: m.cc,
    bcc: m.bcc,
    subject: m.subject,
    bodyType: m.bodyType,
    body: m.body,
    attachments: m.attachments,
  };
}

type ComposeHandlers = Pick<
  Handlers,
  | 'compose:open'
  | 'compose:seeded'
  | 'compose:get'
  | 'compose:recipients'
  | 'compose:save-draft'
  | 'compose:send'
  | 'compose:cancel'
>;

export function composeHandlers(
  ctx: BackgroundContext,
  ports: Pick<BrowserPorts, 'tabs' | 'windows' | 'getURL'>,
  deps: DirectoryDeps = {},
  now: () => number = Date.now,
): ComposeHandlers {
  return {
    // Content script: the webmail's recipients in, a ticket out. No key is used.
    'compose:open': async ({ provider, window, to, cc, bcc, canAttach }, sender) => {
      if (sender.kind !== 'content-script') throw new HandlerError('forbidden', 'only a content script');
      // A reply the reader asked for in this tab in the last two minutes (consumed once).
      const seed = ctx.replySeeds.take(sender.tabId);
      const ticket = ctx.tickets.create<ComposeTicketData>(sender, {
        kind: 'compose',
        provider,
        window,
        origin: sender.origin,
        to,
        cc,
        bcc,
        canAttach,
        ...(seed ? { seed, replyMode: seed.mode } : {}),
      });
      if (window === 'standalone') {
        const opening = ports.windows
          .open({ url: ports.getURL(`/compose.html#${ticket.id}`), ...STANDALONE_WINDOW })
          .then((tabId) => {
            // Without its tab id nobody could redeem the ticket: better to fail now.
            if (tabId === undefined) throw new Error('the compose window has no tab');
            ticket.data.windowTabId = tabId;
          });
        ticket.windowOpening = opening;
        try {
          await opening;
        } catch (e) {
          ctx.tickets.remove(ticket.id);
          throw e;
        }
      }
      return { ticket: ticket.id };
    },
    // Content script, when a compose window appears: did the reader ask for a reply
    // here? Then the secure compose opens without a second click (issue 5, "Reply
    // and forward from the reader open a secure compose"). Only the bit leaves.
    'compose:seeded': (_m, sender) => {
      if (sender.kind !== 'content-script') throw new HandlerError('forbidden', 'only a content script');
      return { seeded: ctx.replySeeds.has(sender.tabId) };
    },

    'compose:get': async ({ ticket: id }, sender) => {
      const ticket = await ctx.tickets.redeem(id, sender, 'compose');
      return explained(async () => {
        const identities = await unlockedIdentities(ctx);
        const me = await author(ctx);
        const d = ticket.data;
        let draft: ComposeDraft | undefined;
        let resumedDraftAt: number | undefined;
        // What this compose saved itself wins (a reloaded frame), then a reply's quote,
        // then the newest draft left on the same site.
        if (d.draftId) draft = await openDraft(ctx, identities, d.draftId);
        if (!draft && d.seed) {
          draft = {
            ...d.seed.draft,
            to: cleanAddresses(d.seed.draft.to, d.to),
            cc: cleanAddresses(d.seed.draft.cc, d.cc),
            bcc: cleanAddresses(d.bcc),
          };
        }
        if (!draft) {
          const resumed = await newestDraft(ctx, identities, d.origin, d.provider);
          if (resumed) {
            d.draftId = resumed.id;
            resumedDraftAt = resumed.savedAt;
            draft = {
              ...resumed.draft,
              to: cleanAddresses(resumed.draft.to, d.to),
              cc: cleanAddresses(resumed.draft.cc, d.cc),
              bcc: cleanAddresses(resumed.draft.bcc, d.bcc),
            };
          }
        }
        draft ??= {
          to: cleanAddresses(d.to),
          cc: cleanAddresses(d.cc),
          bcc: cleanAddresses(d.bcc),
          subject: '',
          bodyType: 'text/plain',
          body: '',
          attachments: [],
        };
        const recipients = await recipientViews(ctx, deps, cleanAddresses(draft.to, draft.cc, draft.bcc));
        return {
          ticket: ticket.id,
          provider: d.provider,
          window: d.window,
          from: me.bundle.addresses[0]!,
          draft,
          recipients,
          canAttach: d.canAttach,
          ...(resumedDraftAt !== undefined ? { resumedDraftAt } : {}),
          ...(d.replyMode ? { replyMode: d.replyMode } : {}),
        };
      });
    },

    'compose:recipients': ({ addresses }) =>
      explained(() => recipientViews(ctx, deps, cleanAddresses(addresses))),

    'compose:save-draft': async (m, sender) => {
      const ticket = await ctx.tickets.redeem(m.ticket, sender, 'compose');
      return explained(async () => {
        const me = await author(ctx);
        ticket.data.draftId ??= newDraftId();
        const where = { id: ticket.data.draftId, origin: ticket.data.origin, provider: ticket.data.provider };
        return { savedAt: await saveDraft(ctx, me, where, draftOf(m), now()) };
      });
    },

    'compose:send': async (m, sender) => {
      const ticket = await ctx.tickets.redeem(m.ticket, sender, 'compose');
      const { command, delivery, armored } = await explained(async () => {
        const me = await author(ctx);
        const addresses = cleanAddresses(m.to, m.cc, m.bcc);
        if (addresses.length === 0) throw new HandlerError('invalid-input', 'add at least one recipient');
        // Bcc recipients are encrypted to like the others, so their addresses are in the
        // signed recipient list every recipient can read (SECURITY.md, Known issues).
        const recipients = await recipientKeys(ctx, addresses);
        const envelope = await encryptMessage(
          {
            subject: m.subject,
            body: { type: m.bodyType, text: m.body },
            attachments: m.attachments.map((a) => ({
              name: a.name,
              mediaType: a.mediaType,
              data: decodeBase64(a.data),
            })),
          },
          // The sender's own copy is the self stanza encryptMessage always adds.
          { sender: me, senderAddress: me.bundle.addresses[0]!, recipients },
        );
        const armored = armor(envelope);
        const base = {
          type: 'compose:insert' as const,
          ticket: ticket.id,
          subject: PLACEHOLDER_SUBJECT,
          send: m.send,
        };
        if (armored.length <= MAX_INLINE_ARMOR) {
          const command: TabCommand = { ...base, body: armored };
          return { armored, delivery: 'inline' as const, command };
        }
        if (!ticket.data.canAttach) {
          throw new HandlerError(
            'too-large-inline',
            'this message is too big for the body and this webmail takes no attachment',
          );
        }
        const command: TabCommand = {
          ...base,
          body: ATTACHMENT_NOTICE,
          attachment: { name: ATTACHMENT_NAME, text: armored },
        };
        return { armored, delivery: 'attachment' as const, command };
      });
      if (!(await deliver(ports.tabs, ticket.tabId, command))) {
        // The standalone window offers the ciphertext for the clipboard instead.
        if (ticket.data.window === 'standalone') return { delivery, inserted: false, sent: false, armored };
        throw new HandlerError('not-delivered', 'the webmail tab did not take the message');
      }
      if (ticket.data.draftId) {
        await deleteDraft(ctx, ticket.data.draftId);
        delete ticket.data.draftId;
      }
      return { delivery, inserted: true, sent: m.send };
    },

    'compose:cancel': async ({ ticket: id }, sender) => {
      const ticket = await ctx.tickets.redeem(id, sender, 'compose');
      // Closing is best effort: the tab may have navigated away already.
      await deliver(ports.tabs, ticket.tabId, { type: 'compose:close', ticket: id });
      ctx.tickets.remove(id);
      return { closed: true } as const;
    },
  };
}
