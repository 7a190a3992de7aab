/**
 * Which key each recipient of a compose would get, and why (issue 5): the
 * compose frame shows it before sending (`compose:recipients`), and
 * `compose:send` encrypts with exactly these keys. A recipient without a key
 * blocks sending; nothing ever falls back to plaintext.
 */
import {
  formatFingerprint,
  type Identity,
  isBundleExpired,
  type KeyRecipient,
  normalizeAddress,
  parseKeyBundle,
} from '../crypto';
import { fromHex } from '../crypto/bytes';
import { type Contact, currentKey } from '../keyring';
import type { RecipientView } from '../messaging/messages';
import { HandlerError } from '../messaging/result';
import { type BackgroundContext, unlockedIdentities, vaultKey } from './context';
import type { DirectoryDeps } from './directory';
import { lookupContact } from './directory-handlers';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Addresses the directory said it does not know, for a few minutes: the compose
 * frame asks again as the user edits the recipients, and the directory
 * rate-limits lookups (docs/directory.md). Failures are not remembered.
 */
const NOT_FOUND_MS = 5 * 60 * 1000;
const MAX_NOT_FOUND = 500;
const notFound = new WeakMap<BackgroundContext, Map<string, number>>();

function knownAbsent(ctx: BackgroundContext, address: string): boolean {
  const at = notFound.get(ctx)?.get(address);
  return at !== undefined && Date.now() - at < NOT_FOUND_MS;
}

function rememberAbsent(ctx: BackgroundContext, address: string): void {
  const map = notFound.get(ctx) ?? new Map<string, number>();
  notFound.set(ctx, map);
  if (map.size >= MAX_NOT_FOUND) map.delete(map.keys().next().value!);
  map.set(address, Date.now());
}

function ownIdentity(identities: readonly Identity[], address: string): Identity | undefined {
  return identities.find((i) => i.bundle.addresses.includes(address));
}

/** The contact's current key as a view; `no-key` when it has expired (encryptMessage would refuse it). */
async function contactRecipient(contact: Contact, note?: RecipientView['note']): Promise<RecipientView> {
  const key = currentKey(contact);
  const bundle = await parseKeyBundle(key.bundle).catch(() => undefined);
  if (!bundle || isBundleExpired(bundle, nowSeconds())) return { address: contact.address, status: 'no-key' };
  // A pending key change outranks where the key came from: the UI must flag it.
  const why = contact.pendingChange !== undefined ? 'key-changed' : note;
  return {
    address: contact.address,
    status: key.trust,
    fingerprint: formatFingerprint(fromHex(key.fingerprint)),
    ...(why ? { note: why } : {}),
  };
}

/**
 * The view of one address: own identity, contact, or (when a directory is
 * configured) a directory lookup that records the contact on success.
 */
async function recipientView(
  ctx: BackgroundContext,
  deps: DirectoryDeps,
  raw: string,
  identities: readonly Identity[],
  directoryConfigured: boolean,
): Promise<RecipientView> {
  let address: string;
  try {
    address = normalizeAddress(raw);
  } catch {
    return { address: raw, status: 'no-key' };
  }
  const own = ownIdentity(identities, address);
  if (own) {
    return {
      address,
      status: 'verified',
      fingerprint: formatFingerprint(own.bundle.fingerprint),
      note: 'own',
    };
  }
  const contact = await (await ctx.vault()).contacts.get(await vaultKey(ctx), address);
  if (contact) return await contactRecipient(contact);
  if (!directoryConfigured || knownAbsent(ctx, address)) return { address, status: 'no-key' };
  try {
    return await contactRecipient(await lookupContact(ctx, deps, address), 'from-directory');
  } catch (e) {
    if (!(e instanceof HandlerError) || !e.code.startsWith('directory-')) throw e;
    // Not published is an ordinary answer; anything else the UI words as a directory problem.
    if (e.code !== 'directory-not-found') return { address, status: 'no-key', note: 'directory-error' };
    rememberAbsent(ctx, address);
    return { address, status: 'no-key' };
  }
}

export async function recipientViews(
  ctx: BackgroundContext,
  deps: DirectoryDeps,
  addresses: readonly string[],
): Promise<RecipientView[]> {
  const identities = await unlockedIdentities(ctx);
  const settings = await (await ctx.vault()).settings.get(await vaultKey(ctx));
  const configured = settings.directoryPublicKey !== '';
  const views: RecipientView[] = [];
  // One at a time: lookups share the directory client's pinned tree head.
  for (const a of addresses) views.push(await recipientView(ctx, deps, a, identities, configured));
  return views;
}

/**
 * The keys to encrypt to, from the vault alone (no network at send time: the
 * compose frame already asked `compose:recipients`). Throws
 * `recipient-without-key` naming every address that has none.
 */
export async function recipientKeys(
  ctx: BackgroundContext,
  addresses: readonly string[],
): Promise<KeyRecipient[]> {
  const identities = await unlockedIdentities(ctx);
  const vault = await ctx.vault();
  const key = await vaultKey(ctx);
  const keys: KeyRecipient[] = [];
  const missing: string[] = [];
  for (const raw of addresses) {
    let address: string;
    try {
      address = normalizeAddress(raw);
    } catch {
      throw new HandlerError('invalid-input', `${raw.slice(0, 320)} is not an email address`);
    }
    const own = ownIdentity(identities, address);
    if (own) {
      keys.push({ address, bundle: own.bundle });
      continue;
    }
    const contact = await vault.contacts.get(key, address);
    const bundle = contact
      ? await parseKeyBundle(currentKey(contact).bundle).catch(() => undefined)
      : undefined;
    if (!bundle || isBundleExpired(bundle, nowSeconds())) missing.push(address);
    else keys.push({ address, bundle });
  }
  if (missing.length > 0) {
    throw new HandlerError('recipient-without-key', `no key for ${missing.join(', ')}`);
  }
  return keys;
}
