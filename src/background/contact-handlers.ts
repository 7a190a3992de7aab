/** Handlers for contacts: import, list, verify, delete. */
import { dearmor, formatFingerprint, parseKeyBundle } from '../crypto';
import { fromHex } from '../crypto/bytes';
import { type Contact, type ContactEvent, currentKey } from '../keyring';
import type { ContactView } from '../messaging/messages';
import { HandlerError } from '../messaging/result';
import type { Handlers } from '../messaging/router';
import { type BackgroundContext, explained, vaultKey } from './context';

const fmt = (hex: string) => formatFingerprint(fromHex(hex));

function historyView(e: ContactEvent): ContactView['history'][number] {
  switch (e.type) {
    case 'first-seen':
      return { at: e.at, event: 'first-seen', fingerprint: fmt(e.fingerprint) };
    case 'key-changed':
      return {
        at: e.at,
        event: 'key-changed',
        fingerprint: fmt(e.newFingerprint),
        previousFingerprint: fmt(e.oldFingerprint),
      };
    case 'older-key-seen':
      return { at: e.at, event: 'older-key-seen', fingerprint: fmt(e.fingerprint) };
    case 'trust-changed':
      return {
        at: e.at,
        event: e.to === 'unverified' ? 'trust-changed' : e.to,
        fingerprint: fmt(e.fingerprint),
      };
    case 'change-acknowledged':
      return { at: e.at, event: 'change-acknowledged', fingerprint: fmt(e.fingerprint) };
  }
}

export function contactView(c: Contact): ContactView {
  const key = currentKey(c);
  return {
    address: c.address,
    fingerprint: fmt(key.fingerprint),
    trust: key.trust,
    keyChanged: c.pendingChange !== undefined,
    ...(c.pendingChange ? { previousFingerprint: fmt(c.pendingChange.oldFingerprint) } : {}),
    history: c.history.map(historyView),
  };
}

type ContactHandlers = Pick<
  Handlers,
  'contacts:list' | 'contacts:import' | 'contacts:verify' | 'contacts:delete'
>;

export function contactHandlers(ctx: BackgroundContext): ContactHandlers {
  return {
    'contacts:list': () =>
      explained(async () => {
        const { items } = await (await ctx.vault()).contacts.list(await vaultKey(ctx));
        return items.map(contactView).sort((a, b) => a.address.localeCompare(b.address));
      }),

    'contacts:import': ({ text }) =>
      explained(async () => {
        const key = await vaultKey(ctx);
        const bundle = await parseKeyBundle(dearmor(text, 'PUBLIC KEY'));
        const vault = await ctx.vault();
        let changed = false;
        let previousFingerprint: string | undefined;
        // The most telling outcome across the bundle's addresses wins.
        const rank = ['same-key', 'new-contact', 'older-key', 'key-changed'] as const;
        let status: (typeof rank)[number] = 'same-key';
        for (const address of bundle.addresses) {
          const r = await vault.contacts.observe(key, { address, bundle: bundle.bytes, source: 'manual' });
          if (rank.indexOf(r.status) > rank.indexOf(status)) status = r.status;
          if (r.changed) {
            changed = true;
            previousFingerprint = fmt(r.oldFingerprint);
          }
        }
        return {
          addresses: [...bundle.addresses],
          fingerprint: formatFingerprint(bundle.fingerprint),
          status,
          changed,
          ...(previousFingerprint ? { previousFingerprint } : {}),
        };
      }),

    'contacts:verify': ({ address, fingerprint }) =>
      explained(async () => {
        const vault = await ctx.vault();
        const key = await vaultKey(ctx);
        const contact = await vault.contacts.get(key, address);
        if (!contact) throw new HandlerError('not-found', 'no such contact');
        // Only the key the user is looking at can be marked verified.
        if (fingerprint.replace(/\s/g, '').toLowerCase() !== contact.current) {
          throw new HandlerError('invalid-input', 'that is not the contact’s current key');
        }
        const updated = await vault.contacts.setTrust(key, address, contact.current, 'verified');
        return { trust: currentKey(updated).trust };
      }),

    'contacts:delete': ({ address }) =>
      explained(async () => {
        await (await ctx.vault()).contacts.delete(await vaultKey(ctx), address);
        return { deleted: true } as const;
      }),
  };
}
