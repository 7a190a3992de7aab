/**
 * Decrypting for a reader (issue #3, issue 5): one path for `message:decrypt`,
 * `reader:open` and `compose:reply`. Rate-limited per tab, and nothing is
 * returned before every chunk authenticated and the signature verified
 * (SECURITY.md invariant 4: decryptMessage throws otherwise).
 */
import { type DecryptedMessage, dearmor, decryptMessage, formatFingerprint } from '../crypto';
import { base64Encode } from '../crypto/armor';
import { toHex } from '../crypto/bytes';
import { currentKey } from '../keyring';
import type { DecryptedView } from '../messaging/messages';
import { HandlerError } from '../messaging/result';
import type { TrustedSender } from '../messaging/sender';
import { type BackgroundContext, unlockedIdentities, vaultKey } from './context';

/** Per tab; the extension's own pages (no tab) share one bucket. */
export function limiterKey(sender: TrustedSender): string {
  return sender.tabId === undefined ? 'extension' : `tab:${sender.tabId}`;
}

export interface Decrypted {
  view: DecryptedView;
  /** The signer is one of the vault's own identities. */
  own: boolean;
  message: DecryptedMessage;
  /** The reader's own addresses (every identity's). */
  ownAddresses: string[];
}

/** Dearmors and decrypts `armored`; vault and crypto errors pass through for `explained`. */
export async function decryptArmored(
  ctx: BackgroundContext,
  armored: string,
  sender: TrustedSender,
): Promise<Decrypted> {
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
  const view: DecryptedView = {
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
  return { view, own, message: m, ownAddresses: identities.flatMap((i) => [...i.bundle.addresses]) };
}
