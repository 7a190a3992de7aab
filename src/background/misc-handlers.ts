/** Handlers for the identity, settings, the security marker and the liveness ping. */
import { armorPublicKey, formatFingerprint } from '../crypto';
import { HandlerError } from '../messaging/result';
import type { Handlers } from '../messaging/router';
import { type BackgroundContext, explained, vaultKey } from './context';
import { rememberConfig } from './directory';
import { isSecurityMarker, newSecurityMarker } from './security-marker';

export const MARKER_KEY = 'security-marker';

/** The marker, made at install (or on first use, if install ran before this code existed). */
export async function ensureSecurityMarker(ctx: BackgroundContext) {
  const stored = (await ctx.local.get(MARKER_KEY))[MARKER_KEY];
  if (isSecurityMarker(stored)) return stored;
  const marker = newSecurityMarker();
  await ctx.local.set({ [MARKER_KEY]: marker });
  return marker;
}

type MiscHandlers = Pick<
  Handlers,
  'system:ping' | 'ui:marker' | 'identity:get' | 'settings:get' | 'settings:set'
>;

export function miscHandlers(
  ctx: BackgroundContext,
  env: { version: string; browser: string },
): MiscHandlers {
  return {
    'system:ping': () => ({ version: env.version, browser: env.browser }),
    'ui:marker': () => ensureSecurityMarker(ctx),
    'identity:get': () =>
      explained(async () => {
        const primary = await (await ctx.vault()).identities.getPrimary(await vaultKey(ctx));
        if (!primary) throw new HandlerError('not-found', 'no identity');
        const { bundle } = primary.identity;
        return {
          addresses: [...bundle.addresses],
          fingerprint: formatFingerprint(bundle.fingerprint),
          created: bundle.created,
          expires: bundle.expires,
          publicKey: armorPublicKey(bundle.bytes),
        };
      }),
    'settings:get': () => explained(async () => (await ctx.vault()).settings.get(await vaultKey(ctx))),
    'settings:set': ({ autoLockMinutes, directoryUrl, directoryPublicKey }) =>
      explained(async () => {
        const settings = await (await ctx.vault()).settings.update(await vaultKey(ctx), {
          ...(autoLockMinutes !== undefined ? { autoLockMinutes } : {}),
          ...(directoryUrl !== undefined ? { directoryUrl } : {}),
          ...(directoryPublicKey !== undefined ? { directoryPublicKey } : {}),
        });
        await ctx.session.setAutoLockMinutes(settings.autoLockMinutes);
        await rememberConfig(ctx, settings);
        return settings;
      }),
  };
}
