/**
 * The envelope layer, reader side: find the one stanza this key opens, then
 * authenticate every payload chunk. Nothing is returned before all of it
 * authenticated (chunked-aead.ts).
 */
import { aesGcmOpen, importAesGcmKey } from './aes-gcm';
import { equalBytes, wipe } from './bytes';
import { openChunks } from './chunked-aead';
import { type Envelope, parseEnvelope, StanzaType } from './envelope';
import { CryptoError } from './errors';
import { sha256 } from './hash';
import { hybridDecapsulate, recipientHint } from './hybrid-kem';
import type { Identity } from './identity';
import { passwordKek } from './password-kek';
import { WRAP_NONCE } from './seal';
import { selfHint, selfKek } from './self-stanza';
import { x25519Derive } from './x25519';

export type DecryptKey = { identities: readonly Identity[] } | { password: string };

export interface OpenedEnvelope {
  /** The padded payload, authenticated. */
  padded: Uint8Array;
  openedWith: 'recipient-key' | 'self' | 'password';
  /** The identity whose stanza opened, unless a password did. */
  identity?: Identity;
}

async function unwrap(
  kek: Uint8Array,
  wrapped: Uint8Array,
  prefix: Uint8Array,
): Promise<Uint8Array | undefined> {
  try {
    return await aesGcmOpen(await importAesGcmKey(kek), WRAP_NONCE, wrapped, prefix);
  } catch {
    return undefined;
  } finally {
    kek.fill(0);
  }
}

type Opened = Omit<OpenedEnvelope, 'padded'> & { contentKey: Uint8Array };

async function openWithIdentities(env: Envelope, identities: readonly Identity[]): Promise<Opened> {
  for (const identity of identities) {
    const { keys } = identity;
    const mine = selfHint(keys.selfWrapKey, env.ephemeralPublicKey);
    let ssX: Uint8Array | undefined;
    try {
      for (const s of env.stanzas) {
        if (s.type === StanzaType.Self && equalBytes(s.hint, mine)) {
          const kek = selfKek(keys.selfWrapKey, env.ephemeralPublicKey);
          const key = await unwrap(kek, s.wrappedKey, env.headerPrefix);
          if (!key) throw new CryptoError('corrupted', 'envelope: the sender stanza failed authentication');
          return { contentKey: key, openedWith: 'self', identity };
        }
        if (s.type !== StanzaType.Recipient) continue;
        ssX ??= await x25519Derive(keys.x25519PrivateKey, env.ephemeralPublicKey).catch(() => {
          throw new CryptoError('corrupted', 'envelope: the ephemeral key is invalid');
        });
        if (!equalBytes(s.hint, recipientHint(ssX, env.ephemeralPublicKey, keys.x25519PublicKey))) continue;
        const kek = hybridDecapsulate(ssX, env.ephemeralPublicKey, keys, s.mlKemCiphertext);
        const key = await unwrap(kek, s.wrappedKey, env.headerPrefix);
        if (!key) throw new CryptoError('corrupted', 'envelope: the recipient stanza failed authentication');
        return { contentKey: key, openedWith: 'recipient-key', identity };
      }
    } finally {
      wipe(ssX);
    }
  }
  throw new CryptoError('not-for-this-key', 'this message was not encrypted to your key');
}

async function openWithPassword(env: Envelope, password: string): Promise<Opened> {
  const stanza = env.stanzas.find((s) => s.type === StanzaType.Password);
  if (stanza?.type !== StanzaType.Password) {
    throw new CryptoError('not-for-this-key', 'this message has no password recipient');
  }
  const kek = await passwordKek(password, stanza.salt, stanza.params, env.ephemeralPublicKey);
  const key = await unwrap(kek, stanza.wrappedKey, env.headerPrefix);
  if (!key) throw new CryptoError('wrong-password', 'the password is wrong');
  return { contentKey: key, openedWith: 'password' };
}

/** Parses, opens a stanza with `key`, and authenticates the whole payload. */
export async function openEnvelope(bytes: Uint8Array, key: DecryptKey): Promise<OpenedEnvelope> {
  const env = parseEnvelope(bytes);
  if (key === null || typeof key !== 'object')
    throw new CryptoError('invalid-input', 'decrypt: no key given');
  const opened =
    'password' in key
      ? await openWithPassword(env, key.password)
      : await openWithIdentities(env, key.identities);
  try {
    const padded = await openChunks(
      await importAesGcmKey(opened.contentKey),
      env.payload,
      sha256(env.header),
    );
    return {
      padded,
      openedWith: opened.openedWith,
      ...(opened.identity ? { identity: opened.identity } : {}),
    };
  } finally {
    wipe(opened.contentKey);
  }
}
