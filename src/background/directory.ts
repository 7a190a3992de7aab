/**
 * The extension's side of the key directory (issue #4): lookups that mark a
 * contact `directory-verified` only after every check of the directory client
 * passed (src/directory-client), publishing the owner's bundle, and the
 * owner's self-monitoring of their own address.
 *
 * What the client remembers lives in `storage.local`: the last verified tree
 * head (public), and per looked-up address a pin stored under a SHA-256 of the
 * address, not the address itself.
 */
import { base64Decode, base64Encode } from '../crypto/armor';
import { toHex, utf8 } from '../crypto/bytes';
import { label, sha256 } from '../crypto/hash';
import {
  type AddressPin,
  createDirectoryClient,
  type DirectoryClient,
  type FetchLike,
  isDirectoryError,
} from '../directory-client';
import type { DirectoryCheck } from '../messaging/messages';
import { HandlerError, isDomainErrorCode } from '../messaging/result';
import { type BackgroundContext, vaultKey } from './context';

export const TREE_HEAD_KEY = 'directory-tree-head';
export const CHECK_KEY = 'directory-check';
/** When the last verification mail was requested: the popup says "check your inbox" until it expires. */
export const PENDING_KEY = 'directory-publish-pending';
/** The directory's tokens expire after an hour (docs/directory.md). */
export const PENDING_MS = 60 * 60 * 1000;
/** The owner's published fingerprints (public), so monitoring can run while the vault is locked. */
export const OWN_KEYS_KEY = 'directory-own-keys';
const pinKey = (address: string) => `directory-pin:${toHex(sha256(utf8(`${label('pin')} ${address}`)))}`;

/** The directory URL and key (public), mirrored from the vault's settings for checks while locked. */
export const CONFIG_KEY = 'directory-config';

export interface DirectoryConfig {
  directoryUrl: string;
  directoryPublicKey: string;
}

export async function rememberConfig(ctx: BackgroundContext, config: DirectoryConfig): Promise<void> {
  await ctx.local.set({
    [CONFIG_KEY]: { directoryUrl: config.directoryUrl, directoryPublicKey: config.directoryPublicKey },
  });
}

/**
 * The scheduled self-check (start-up and daily): needs no unlocked vault, only
 * the public facts mirrored in `storage.local`.
 */
export async function scheduledCheck(
  ctx: BackgroundContext,
  deps: DirectoryDeps = {},
): Promise<DirectoryCheck | undefined> {
  const got = await ctx.local.get(OWN_KEYS_KEY);
  const own = got[OWN_KEYS_KEY] as OwnKeys | undefined;
  const config = (await ctx.local.get(CONFIG_KEY))[CONFIG_KEY] as DirectoryConfig | undefined;
  if (!own || !config) return undefined;
  return checkOwnAddress(ctx, deps, config, own);
}

export interface OwnKeys {
  address: string;
  fingerprints: string[];
}

function store(ctx: BackgroundContext) {
  return {
    loadTreeHead: async () => {
      const v = (await ctx.local.get(TREE_HEAD_KEY))[TREE_HEAD_KEY];
      return typeof v === 'string' ? base64Decode(v.replace(/=+$/, '')) : undefined;
    },
    saveTreeHead: (sth: Uint8Array) => ctx.local.set({ [TREE_HEAD_KEY]: base64Encode(sth) }),
    loadAddress: async (address: string) => {
      const v = (await ctx.local.get(pinKey(address)))[pinKey(address)] as
        | { addressHash: string; leafIndex: number }
        | undefined;
      return v
        ? { addressHash: base64Decode(v.addressHash.replace(/=+$/, '')), leafIndex: v.leafIndex }
        : undefined;
    },
    saveAddress: (address: string, pin: AddressPin) =>
      ctx.local.set({
        [pinKey(address)]: { addressHash: base64Encode(pin.addressHash), leafIndex: pin.leafIndex },
      }),
  };
}

/** Directory client failures become `directory-*` answers the UI explains; never a silent fallback. */
export async function directoryExplained<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (isDirectoryError(e)) {
      const code = `directory-${e.code}`;
      if (isDomainErrorCode(code)) throw new HandlerError(code, e.message);
    }
    throw e;
  }
}

export interface DirectoryDeps {
  fetch?: FetchLike;
}

/** A client for the configured directory; `directory-not-configured` until URL and key are set. */
export async function directoryClient(
  ctx: BackgroundContext,
  deps: DirectoryDeps,
  settings?: { directoryUrl: string; directoryPublicKey: string },
): Promise<{ client: DirectoryClient; baseUrl: string }> {
  const s = settings ?? (await (await ctx.vault()).settings.get(await vaultKey(ctx)));
  if (!s.directoryPublicKey) {
    throw new HandlerError('directory-not-configured', 'set the directory key in the settings first');
  }
  const client = createDirectoryClient({
    baseUrl: s.directoryUrl,
    publicKey: base64Decode(s.directoryPublicKey.replace(/=+$/, '')),
    store: store(ctx),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  return { client, baseUrl: s.directoryUrl.replace(/\/+$/, '') };
}

/**
 * The owner's self-check: their address's history in the log against the keys
 * they published. Runs at start-up and daily (alarm), and from the popup.
 */
export async function checkOwnAddress(
  ctx: BackgroundContext,
  deps: DirectoryDeps,
  settings: { directoryUrl: string; directoryPublicKey: string } | undefined,
  own: OwnKeys,
  now = Date.now(),
): Promise<DirectoryCheck> {
  let check: DirectoryCheck;
  if (settings && !settings.directoryPublicKey) {
    check = { state: 'not-configured', checkedAt: now, unexpected: [] };
  } else {
    try {
      const { client } = await directoryClient(ctx, deps, settings);
      const report = await client.monitorOwnAddress(
        own.address,
        own.fingerprints.map((f) => Uint8Array.from(f.match(/../g)!.map((h) => Number.parseInt(h, 16)))),
      );
      const unexpected = report.unexpected.map((e) => toHex(e.fingerprint));
      const state = report.alarm ? 'alarm' : report.current ? 'published' : 'not-published';
      const pendingSince = (await ctx.local.get(PENDING_KEY))[PENDING_KEY] as number | null | undefined;
      if (state !== 'not-published' && pendingSince) await ctx.local.set({ [PENDING_KEY]: null });
      check = {
        state,
        checkedAt: now,
        ...(report.current ? { current: toHex(report.current) } : {}),
        unexpected,
        ...(state === 'not-published' && pendingSince && now - pendingSince < PENDING_MS
          ? { pending: true }
          : {}),
      };
    } catch (e) {
      if (e instanceof HandlerError && e.code === 'directory-not-configured') {
        check = { state: 'not-configured', checkedAt: now, unexpected: [] };
      } else if (isDirectoryError(e)) {
        // A directory that lies or forks is as alarming as an unknown key; one that is down is not.
        const alarming = ['forked', 'inconsistent', 'bad-proof', 'bad-signature', 'wrong-address'].includes(
          e.code,
        );
        check = {
          state: alarming ? 'alarm' : 'error',
          checkedAt: now,
          unexpected: [],
          error: `directory-${e.code}`,
        };
      } else throw e;
    }
  }
  await ctx.local.set({ [CHECK_KEY]: check });
  return check;
}
