/** Handlers for the key directory: look up a contact, publish your key, check your address. */
import { normalizeAddress } from '../crypto';
import { base64Encode } from '../crypto/armor';
import { toHex } from '../crypto/bytes';
import type { Contact } from '../keyring';
import { HandlerError } from '../messaging/result';
import type { Handlers } from '../messaging/router';
import { contactView } from './contact-handlers';
import { type BackgroundContext, explained, unlockedIdentities, vaultKey } from './context';
import {
  checkOwnAddress,
  type DirectoryDeps,
  directoryClient,
  directoryExplained,
  OWN_KEYS_KEY,
  type OwnKeys,
  PENDING_KEY,
} from './directory';

/** Keeps the owner's address and published fingerprints (public data) for monitoring while locked. */
export async function rememberOwnKeys(ctx: BackgroundContext): Promise<OwnKeys | undefined> {
  const identities = await unlockedIdentities(ctx);
  const primary = identities[0];
  if (!primary) return undefined;
  const own: OwnKeys = {
    address: primary.bundle.addresses[0]!,
    fingerprints: identities.map((i) => toHex(i.bundle.fingerprint)),
  };
  await ctx.local.set({ [OWN_KEYS_KEY]: own });
  return own;
}

/**
 * Looks `address` up in the configured directory and records the key as a
 * `directory-verified` contact. Shared by `directory:lookup` and the compose
 * frame's recipient check (`compose:recipients`). Throws `directory-*` codes.
 */
export function lookupContact(
  ctx: BackgroundContext,
  deps: DirectoryDeps,
  address: string,
): Promise<Contact> {
  return directoryExplained(async () => {
    const normalized = normalizeAddress(address);
    const { client } = await directoryClient(ctx, deps);
    // Every check (self-signature, address, signed head, inclusion,
    // consistency with what we saw before) passed, or this threw.
    const { bundle } = await client.lookup(normalized);
    const vault = await ctx.vault();
    const key = await vaultKey(ctx);
    const r = await vault.contacts.observe(key, {
      address: normalized,
      bundle: bundle.bytes,
      source: 'directory',
      directoryVerified: true,
    });
    return r.contact;
  });
}

type DirectoryHandlers = Pick<Handlers, 'directory:lookup' | 'directory:publish' | 'directory:check'>;

export function directoryHandlers(ctx: BackgroundContext, deps: DirectoryDeps = {}): DirectoryHandlers {
  const doFetch = deps.fetch ?? ((url: string, init?: RequestInit) => fetch(url, init));
  return {
    'directory:lookup': ({ address }) =>
      explained(async () => contactView(await lookupContact(ctx, deps, address))),

    'directory:publish': () =>
      explained(async () => {
        const identities = await unlockedIdentities(ctx);
        const primary = identities[0];
        if (!primary) throw new HandlerError('not-found', 'no identity to publish');
        const { baseUrl } = await directoryClient(ctx, deps);
        let response: Response;
        try {
          response = await doFetch(`${baseUrl}/v1/keys`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              address: primary.bundle.addresses[0],
              bundle: base64Encode(primary.bundle.bytes),
            }),
          });
        } catch {
          throw new HandlerError('directory-unreachable', 'the directory does not answer');
        }
        if (response.status === 429)
          throw new HandlerError('directory-rate-limited', 'the directory asks to wait');
        if (response.status !== 200 && response.status !== 202) {
          throw new HandlerError(
            'directory-refused',
            `the directory refused the key (HTTP ${response.status})`,
          );
        }
        const body = (await response.json()) as { status?: unknown; fingerprint?: unknown };
        if (
          (body.status !== 'pending' && body.status !== 'already-verified') ||
          typeof body.fingerprint !== 'string'
        ) {
          throw new HandlerError('directory-malformed', 'unexpected answer from the directory');
        }
        await rememberOwnKeys(ctx);
        // Kept across popup openings: the popup closes when the user goes to their inbox.
        if (body.status === 'pending') await ctx.local.set({ [PENDING_KEY]: Date.now() });
        return { status: body.status, fingerprint: body.fingerprint };
      }),

    'directory:check': () =>
      explained(async () => {
        const own = await rememberOwnKeys(ctx);
        if (!own) throw new HandlerError('not-found', 'no identity');
        const settings = await (await ctx.vault()).settings.get(await vaultKey(ctx));
        return checkOwnAddress(ctx, deps, settings, own);
      }),
  };
}
