/** Reading a message in an extension page or frame: rate-limited, authenticated before release. */
import { dearmor, decryptMessage, formatFingerprint } from '../crypto';
import { base64Encode } from '../crypto/armor';
import { toHex } from '../crypto/bytes';
import { currentKey } from '../keyring';
import type { DecryptedView } from '../messaging/messages';
import { HandlerError } from '../messaging/result';
import type { Handlers } from '../messaging/router';
import type { TrustedSender } from '../messaging/sender';
import { type BackgroundContext, explained, unlockedIdentities, vaultKey } from './context';

/** Per tab; the extension's own pages (no tab) share one bucket. */
function limiterKey(sender: TrustedSender): string {
  return sender.tabId === undefined ? 'extension' : `tab:${sender.tabId}`;
}

export function messageHandlers(ctx: BackgroundContext): Pick<Handlers, 'message:decrypt'> {
  return {
    'message:decrypt': ({ armored }, sender) =>
      explained(async () => {
        const identities = await unlockedIdentities(ctx);
        if (!ctx.decryptLimiter.take(limiterKey(sender))) {
          throw new HandlerError('rate-limited', 'too many decrypt requests from this tab');
        }
        const m = await decryptMessage(dearmor(armored), { identities });
        const fingerprint = toHex(m.sender.fingerprint);
        const own = identities.some((i) => toHex(i.bundle.fingerprint) === fingerprint);
        let trust: DecryptedView['sender']['trust'] = own ? 'verified' : 'unknown';
        if (!own) {
          const contact = await (await ctx.vault()).contacts.get(await vaultKey(ctx), m.sender.address);
          const key = contact?.keys.find((k) => k.fingerprint === fingerprint);
          // A known address with another current key is not trusted for this one.
          if (contact && key && contact.current === fingerprint) trust = currentKey(contact).trust;
        }
        return {
          subject: m.subject,
          bodyType: m.body.type,
          body: m.body.text,
          date: m.date.getTime(),
          sender: { address: m.sender.address, fingerprint: formatFingerprint(m.sender.fingerprint), trust },
          recipients: m.recipients.map((r) => r.address),
          addressedToYou: m.addressedToYou,
          attachments: m.attachments.map((a) => ({
            name: a.name,
            mediaType: a.mediaType,
            size: a.data.length,
            data: base64Encode(a.data),
          })),
        };
      }),
  };
}
