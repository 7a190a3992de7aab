/**
 * What the background's handlers share: the vault (opened lazily, since MV3
 * listeners must be registered synchronously at start-up), the unlocked
 * session, the decrypt rate limiter, a cache of unlocked identities that
 * is dropped on lock, and the webmail integration's per-tab state.
 */
import { type CryptoErrorCode, type Identity, isCryptoError } from '../crypto';
import { isVaultError, type Vault, type VaultErrorCode, type VaultKey, vaultKeyFromBytes } from '../keyring';
import { type DomainErrorCode, HandlerError, isDomainErrorCode } from '../messaging/result';
import { ProviderReports } from './provider-status';
import { RateLimiter } from './rate-limit';
import { ReplySeeds } from './reply-seeds';
import type { Session } from './session';
import { TicketStore } from './tickets';

export interface MarkerStore {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  /** Encrypted drafts are deleted, not blanked, once sent (issue 5). */
  remove(key: string): Promise<void>;
}

export interface BackgroundContext {
  vault(): Promise<Vault>;
  readonly session: Session;
  /** `storage.local`: the security marker. */
  readonly local: MarkerStore;
  readonly decryptLimiter: RateLimiter;
  /** The recovery code between `vault:create` and its confirmation, in memory only. */
  pendingRecoveryCode: string | null;
  identities: Identity[] | null;
  /** Webmail integration (issue 5): memory only, see tickets.ts. */
  readonly tickets: TicketStore;
  readonly replySeeds: ReplySeeds;
  readonly providerReports: ProviderReports;
}

/** A webmail tab closed: nothing staged for it can be redeemed or shown again. */
export function dropTab(ctx: BackgroundContext, tabId: number): void {
  ctx.tickets.dropTab(tabId);
  ctx.replySeeds.dropTab(tabId);
  ctx.providerReports.dropTab(tabId);
}

export function createContext(
  openVault: () => Promise<Vault>,
  session: Session,
  local: MarkerStore,
  now: () => number = Date.now,
): BackgroundContext {
  let vault: Promise<Vault> | undefined;
  const ctx: BackgroundContext = {
    vault: () => {
      vault ??= openVault().catch((e) => {
        vault = undefined;
        throw e;
      });
      return vault;
    },
    session,
    local,
    // 20 at once, then one a second per tab: enough to read a thread, too slow to be an oracle.
    decryptLimiter: new RateLimiter({ burst: 20, perSecond: 1 }),
    pendingRecoveryCode: null,
    identities: null,
    tickets: new TicketStore({ now }),
    replySeeds: new ReplySeeds(now),
    providerReports: new ProviderReports(now),
  };
  session.onLock(() => {
    ctx.identities = null;
  });
  return ctx;
}

/** The unlocked vault key, or `locked`. */
export async function vaultKey(ctx: BackgroundContext): Promise<VaultKey> {
  return vaultKeyFromBytes(await ctx.session.requireKey());
}

/** Every identity of the vault, unlocked (cached until the next lock). */
export async function unlockedIdentities(ctx: BackgroundContext): Promise<Identity[]> {
  if (ctx.identities) return ctx.identities;
  const key = await vaultKey(ctx);
  const vault = await ctx.vault();
  const { items } = await vault.identities.list(key);
  const identities: Identity[] = [];
  for (const info of items) identities.push(await vault.identities.get(key, info.id));
  ctx.identities = identities;
  return identities;
}

/**
 * Runs a handler body and turns vault and crypto errors into answers the UI
 * can explain (`HandlerError`); anything else stays `internal`.
 */
export async function explained<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof HandlerError) throw e;
    if ((isVaultError(e) || isCryptoError(e)) && isDomainErrorCode(e.code)) {
      throw new HandlerError(e.code, e.message);
    }
    throw e;
  }
}

/**
 * Compile-time check that every vault and crypto error code is an answer code
 * the UI knows (src/messaging/result.ts), so `explained` never has to fall back
 * to `internal` for a known failure.
 */
type Covered<C extends string> = [C] extends [DomainErrorCode] ? true : C;
export const ERROR_CODES_COVERED: [Covered<VaultErrorCode>, Covered<CryptoErrorCode>] = [true, true];
