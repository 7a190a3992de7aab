/** Handlers for the vault's life cycle: create, unlock, lock, recover, back up. */
import { formatFingerprint, normalizeAddress } from '../crypto';
import { base64Decode, base64Encode } from '../crypto/armor';
import { fromHex } from '../crypto/bytes';
import { parseRecoveryCode, type VaultSecret, vaultKeyFromBytes } from '../keyring';
import { HandlerError } from '../messaging/result';
import type { Handlers } from '../messaging/router';
import { type BackgroundContext, explained, vaultKey } from './context';
import { rememberConfig } from './directory';
import { rememberOwnKeys } from './directory-handlers';

type VaultHandlers = Pick<
  Handlers,
  | 'vault:status'
  | 'vault:create'
  | 'vault:pending-recovery-code'
  | 'vault:confirm-recovery-code'
  | 'vault:unlock'
  | 'vault:recover'
  | 'vault:lock'
  | 'vault:change-passphrase'
  | 'vault:export-backup'
  | 'vault:import-backup'
>;

function base64ToBytes(b64: string): Uint8Array {
  try {
    return base64Decode(b64.replace(/=+$/, ''));
  } catch {
    throw new HandlerError('invalid-backup', 'the backup file is not readable');
  }
}

async function startSession(ctx: BackgroundContext, key: Uint8Array): Promise<void> {
  const vault = await ctx.vault();
  const settings = await vault.settings.get(key as never);
  await ctx.session.unlock(key, settings.autoLockMinutes);
  // Public facts for the directory self-check, which also runs while locked.
  await rememberOwnKeys(ctx);
  await rememberConfig(ctx, settings);
}

export function vaultHandlers(ctx: BackgroundContext): VaultHandlers {
  return {
    'vault:status': () =>
      explained(async () => {
        const status = await (await ctx.vault()).status();
        const unlocked = await ctx.session.isUnlocked();
        const addresses = unlocked && status.initialized ? await primaryAddresses(ctx) : [];
        return {
          state: !status.initialized ? 'uninitialized' : unlocked ? 'unlocked' : 'locked',
          retryAfterMs: status.retryAfterMs,
          addresses,
          recoveryPending: ctx.pendingRecoveryCode !== null,
        };
      }),

    'vault:create': ({ address, passphrase }) =>
      explained(async () => {
        const normalized = normalizeAddress(address);
        const vault = await ctx.vault();
        const { key, recoveryCode } = await vault.create(passphrase);
        try {
          const info = await vault.identities.generate(key, { addresses: [normalized], primary: true });
          await startSession(ctx, key);
          ctx.pendingRecoveryCode = recoveryCode;
          return { recoveryCode, fingerprint: formatFingerprint(fromHex(info.fingerprint)) };
        } catch (e) {
          // No half-made vault: without an identity it would be unusable.
          await vault.destroy();
          throw e;
        }
      }),

    'vault:pending-recovery-code': () => {
      if (ctx.pendingRecoveryCode === null)
        throw new HandlerError('not-found', 'no recovery code to confirm');
      return { recoveryCode: ctx.pendingRecoveryCode };
    },

    'vault:confirm-recovery-code': ({ code }) =>
      explained(async () => {
        // Checked against the vault's own wrap: the code the user wrote down really opens it.
        await (await ctx.vault()).unlockWithRecoveryCode(code);
        if (ctx.pendingRecoveryCode !== null) {
          const typed = parseRecoveryCode(code);
          const shown = parseRecoveryCode(ctx.pendingRecoveryCode);
          if (typed.some((b, i) => b !== shown[i]))
            throw new HandlerError('wrong-recovery-code', 'codes differ');
        }
        ctx.pendingRecoveryCode = null;
        return { confirmed: true } as const;
      }),

    'vault:unlock': ({ passphrase }) =>
      explained(async () => {
        const key = await (await ctx.vault()).unlock(passphrase);
        await startSession(ctx, key);
        return { state: 'unlocked' } as const;
      }),

    'vault:recover': ({ code, newPassphrase }) =>
      explained(async () => {
        const key = await (await ctx.vault()).resetPassphraseWithRecoveryCode(code, newPassphrase);
        await startSession(ctx, key);
        return { state: 'unlocked' } as const;
      }),

    'vault:lock': async () => {
      await ctx.session.lock();
      return { state: 'locked' } as const;
    },

    'vault:change-passphrase': ({ current, next }) =>
      explained(async () => {
        const vault = await ctx.vault();
        const key = await vaultKey(ctx);
        // The current passphrase must be known: an unlocked, unattended browser
        // must not let anyone set a passphrase of their own.
        await vault.unlock(current);
        await vault.changePassphrase(key, next);
        return { changed: true } as const;
      }),

    'vault:export-backup': () =>
      explained(async () => {
        const bytes = await (await ctx.vault()).exportBackup(await vaultKey(ctx));
        const day = new Date().toISOString().slice(0, 10);
        return { fileName: `cipherpost-backup-${day}.cpbackup`, data: base64Encode(bytes) };
      }),

    'vault:import-backup': ({ data, secret, secretKind }) =>
      explained(async () => {
        const vault = await ctx.vault();
        const vaultSecret: VaultSecret =
          secretKind === 'passphrase' ? { passphrase: secret } : { recoveryCode: secret };
        const key = await vault.importBackup(base64ToBytes(data), vaultSecret);
        await startSession(ctx, key);
        const [identities, contacts] = await Promise.all([
          vault.identities.list(key),
          vault.contacts.list(key),
        ]);
        return { identities: identities.items.length, contacts: contacts.items.length };
      }),
  };
}

async function primaryAddresses(ctx: BackgroundContext): Promise<string[]> {
  const key = await ctx.session.peekKey();
  if (!key) return [];
  const { items } = await (await ctx.vault()).identities.list(vaultKeyFromBytes(key));
  return [...(items.find((i) => i.primary)?.addresses ?? [])];
}
