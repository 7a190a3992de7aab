/**
 * Encrypting and decrypting a Cipherpost message (docs/crypto.md, docs/format.md).
 *
 * Encrypt: sign the transcript, pad, STREAM-encrypt under a fresh content key,
 * and wrap that key once per recipient (hybrid KEM), once for the sender
 * (self stanza) and optionally once under a password.
 *
 * Decrypt: find a stanza we can open, authenticate every chunk, parse, verify
 * the sender's bundle and signature, and only then return anything.
 */

import { normalizeAddress } from './address';
import { aesGcmOpen, aesGcmSeal, importAesGcmKey } from './aes-gcm';
import { concatBytes, equalBytes, fromUtf8, utf8, wipe } from './bytes';
import { openChunks, sealChunks, sealedLength } from './chunked-aead';
import { ed25519SignWith, ed25519Verify } from './ed25519';
import {
  type Envelope,
  encodeHeader,
  encodeHeaderPrefix,
  parseEnvelope,
  type Stanza,
  StanzaType,
} from './envelope';
import { CryptoError, checkString, isCryptoError } from './errors';
import { hkdfSha256, hmacSha256, label, sha256 } from './hash';
import {
  hybridDecapsulate,
  hybridEncapsulate,
  type MlKemEncapsulation,
  mlKemEncapsulateFor,
  recipientHint,
  STANZA_HINT_LENGTH,
} from './hybrid-kem';
import type { Identity } from './identity';
import { bundleHasAddress, isBundleExpired, type PublicKeyBundle, parseKeyBundle } from './key-bundle';
import { ARGON2_SALT_LENGTH, type Argon2Params, DEFAULT_ARGON2, passwordKek } from './password-kek';
import {
  type Attachment,
  type BodyType,
  encodePayload,
  type ParsedPayload,
  parsePayload,
  type RecipientEntry,
  signedTranscript,
} from './payload';
import { type RandomSource, systemRandom } from './random';
import { generateX25519KeyPair, type X25519KeyPair, x25519Derive, x25519KeyPairFrom } from './x25519';

export interface MessageInput {
  subject: string;
  body: { type: BodyType; text: string };
  attachments?: Attachment[];
}

export interface KeyRecipient {
  address: string;
  bundle: PublicKeyBundle;
}

export interface PasswordRecipients {
  /** Who the password is for; listed in the signed recipient list. */
  addresses: string[];
  password: string;
  argon2?: Argon2Params;
}

export interface EncryptOptions {
  sender: Identity;
  senderAddress: string;
  recipients: KeyRecipient[];
  passwordRecipients?: PasswordRecipients;
  /** Milliseconds since the epoch; defaults to now. */
  date?: number;
}

export interface DecryptedMessage {
  subject: string;
  body: { type: BodyType; text: string };
  attachments: Attachment[];
  date: Date;
  /** The signer, verified: the bundle's self-signature, the address binding and the message signature. */
  sender: { address: string; bundle: PublicKeyBundle; fingerprint: Uint8Array };
  recipients: RecipientEntry[];
  openedWith: 'recipient-key' | 'self' | 'password';
  /**
   * Whether the signed recipient list names the reader. False means someone
   * re-encrypted a message signed for others to us (docs/crypto.md §Sender authentication).
   */
  addressedToYou: boolean;
}

export type DecryptKey = { identities: readonly Identity[] } | { password: string };

const SELF_HINT_LABEL = label('self hint');
const SELF_KEK_SALT = label('self kek');
const WRAP_NONCE = new Uint8Array(12);

/** Encrypts and signs `input` for the recipients and the sender's own copy. */
export function encryptMessage(input: MessageInput, options: EncryptOptions): Promise<Uint8Array> {
  return sealMessage(input, options, { random: systemRandom, ephemeral: generateX25519KeyPair });
}

/** Where a message's randomness comes from. */
export interface SealRandomness {
  random: RandomSource;
  ephemeral: () => Promise<X25519KeyPair>;
}

/**
 * `encryptMessage` with explicit randomness. Only the known-answer tests pass
 * anything but the platform's (docs/format.md §Test vectors), through
 * `deterministicRandomness`.
 */
export async function sealMessage(
  input: MessageInput,
  options: EncryptOptions,
  { random, ephemeral: makeEphemeral }: SealRandomness,
): Promise<Uint8Array> {
  const { sender } = options;
  const senderAddress = normalizeAddress(options.senderAddress);
  if (!bundleHasAddress(sender.bundle, senderAddress)) {
    throw new CryptoError('invalid-input', 'encrypt: the sender address is not in the sender key bundle');
  }
  checkString(input?.subject, 100_000, 'encrypt: subject');
  checkString(input.body?.text, Number.MAX_SAFE_INTEGER, 'encrypt: body');
  const date = options.date ?? Date.now();
  const nowSeconds = Math.floor(date / 1000);
  const entries: RecipientEntry[] = [];
  for (const r of options.recipients) {
    const address = normalizeAddress(r.address);
    if (!bundleHasAddress(r.bundle, address)) {
      throw new CryptoError('invalid-input', `encrypt: ${address} is not bound to the key given for it`);
    }
    if (isBundleExpired(r.bundle, nowSeconds))
      throw new CryptoError('invalid-key', `encrypt: the key of ${address} has expired`);
    entries.push({ kind: 'key', address, fingerprint: r.bundle.fingerprint });
  }
  const pw = options.passwordRecipients;
  if (pw) {
    if (pw.addresses.length < 1)
      throw new CryptoError('invalid-input', 'encrypt: password recipients need an address');
    for (const a of pw.addresses) entries.push({ kind: 'password', address: normalizeAddress(a) });
  }

  // Start the asynchronous WebCrypto work (signature, ephemeral key), then run
  // the synchronous ML-KEM encapsulations while it proceeds. The order of the
  // draws from `random` is fixed, which the known-answer tests rely on.
  const contentKey = random(32);
  const ephemeralPromise = makeEphemeral();
  const paddedPromise = encodePayload(
    {
      date,
      senderAddress,
      senderBundle: sender.bundle.bytes,
      senderFingerprint: sender.bundle.fingerprint,
      recipients: entries,
      subject: input.subject,
      bodyType: input.body.type,
      body: utf8(input.body.text),
      attachments: input.attachments ?? [],
    },
    (transcript) => ed25519SignWith(sender.keys.ed25519PrivateKey, transcript),
  );
  // Both are awaited below; until then a rejection must not count as unhandled.
  ephemeralPromise.catch(() => {});
  paddedPromise.catch(() => {});
  let padded: Uint8Array | undefined;
  const encapsulations: MlKemEncapsulation[] = [];
  try {
    for (const r of options.recipients) encapsulations.push(mlKemEncapsulateFor(r.bundle, random));
    const salt = pw ? random(ARGON2_SALT_LENGTH) : undefined;
    const { privateKey: ephemeral, publicKey: ephemeralPublicKey } = await ephemeralPromise;
    const prefix = encodeHeaderPrefix(ephemeralPublicKey);
    const wrap = async (kek: Uint8Array) => {
      try {
        return await aesGcmSeal(await importAesGcmKey(kek), WRAP_NONCE, contentKey, prefix);
      } finally {
        kek.fill(0);
      }
    };

    const stanzas: Stanza[] = await Promise.all(
      options.recipients.map(async (r, i) => {
        const kem = await hybridEncapsulate(ephemeral, ephemeralPublicKey, r.bundle, encapsulations[i]!);
        return {
          type: StanzaType.Recipient,
          hint: kem.hint,
          mlKemCiphertext: kem.mlKemCiphertext,
          wrappedKey: await wrap(kem.kek),
        } as const;
      }),
    );
    stanzas.push({
      type: StanzaType.Self,
      hint: selfHint(sender.keys.selfWrapKey, ephemeralPublicKey),
      wrappedKey: await wrap(selfKek(sender.keys.selfWrapKey, ephemeralPublicKey)),
    });
    if (pw && salt) {
      const params = pw.argon2 ?? DEFAULT_ARGON2;
      stanzas.push({
        type: StanzaType.Password,
        params,
        salt,
        wrappedKey: await wrap(await passwordKek(pw.password, salt, params, ephemeralPublicKey)),
      });
    }
    shuffle(stanzas, random);

    padded = await paddedPromise;
    const header = encodeHeader(ephemeralPublicKey, stanzas, sealedLength(padded.length));
    const payload = await sealChunks(await importAesGcmKey(contentKey), padded, sha256(header));
    return concatBytes(header, payload);
  } finally {
    wipe(contentKey, padded);
    for (const e of encapsulations) wipe(e.sharedSecret);
  }
}

/** Randomness from `random` alone, ephemeral key included: for known-answer tests only. */
export function deterministicRandomness(random: RandomSource): SealRandomness {
  return { random, ephemeral: () => x25519KeyPairFrom(random(32)) };
}

/** Fisher–Yates with rejection sampling: stanza order must not reveal the To/Cc order. */
function shuffle<T>(items: T[], random: RandomSource): void {
  for (let i = items.length - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = Math.floor(0x1_0000_0000 / bound) * bound;
    let x: number;
    do {
      const b = random(4);
      x = ((b[0]! << 24) >>> 0) + ((b[1]! << 16) | (b[2]! << 8) | b[3]!);
    } while (x >= limit);
    const j = x % bound;
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

function selfHint(selfWrapKey: Uint8Array, ephemeralPublicKey: Uint8Array): Uint8Array {
  return hmacSha256(selfWrapKey, SELF_HINT_LABEL, ephemeralPublicKey).subarray(0, STANZA_HINT_LENGTH);
}

function selfKek(selfWrapKey: Uint8Array, ephemeralPublicKey: Uint8Array): Uint8Array {
  return hkdfSha256(selfWrapKey, SELF_KEK_SALT, ephemeralPublicKey, 32);
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

interface Opened {
  contentKey: Uint8Array;
  openedWith: DecryptedMessage['openedWith'];
  identity?: Identity;
}

async function openWithIdentities(env: Envelope, identities: readonly Identity[]): Promise<Opened> {
  for (const identity of identities) {
    const { keys } = identity;
    const mine = selfHint(keys.selfWrapKey, env.ephemeralPublicKey);
    let ssX: Uint8Array | undefined;
    try {
      for (const s of env.stanzas) {
        if (s.type === StanzaType.Self && equalBytes(s.hint, mine)) {
          const key = await unwrap(
            selfKek(keys.selfWrapKey, env.ephemeralPublicKey),
            s.wrappedKey,
            env.headerPrefix,
          );
          if (!key) throw new CryptoError('corrupted', 'envelope: the sender stanza failed authentication');
          return { contentKey: key, openedWith: 'self', identity };
        }
        if (s.type === StanzaType.Recipient) {
          ssX ??= await x25519Derive(keys.x25519PrivateKey, env.ephemeralPublicKey).catch(() => {
            throw new CryptoError('corrupted', 'envelope: the ephemeral key is invalid');
          });
          if (!equalBytes(s.hint, recipientHint(ssX, env.ephemeralPublicKey, keys.x25519PublicKey))) continue;
          const kek = hybridDecapsulate(
            ssX,
            env.ephemeralPublicKey,
            {
              x25519PublicKey: keys.x25519PublicKey,
              mlKemPublicKey: keys.mlKemPublicKey,
              mlKemSecretKey: keys.mlKemSecretKey,
            },
            s.mlKemCiphertext,
          );
          const key = await unwrap(kek, s.wrappedKey, env.headerPrefix);
          if (!key)
            throw new CryptoError('corrupted', 'envelope: the recipient stanza failed authentication');
          return { contentKey: key, openedWith: 'recipient-key', identity };
        }
      }
    } finally {
      wipe(ssX);
    }
  }
  throw new CryptoError('not-for-this-key', 'this message was not encrypted to your key');
}

async function openWithPassword(env: Envelope, password: string): Promise<Opened> {
  const stanza = env.stanzas.find((s) => s.type === StanzaType.Password);
  if (!stanza || stanza.type !== StanzaType.Password) {
    throw new CryptoError('not-for-this-key', 'this message has no password recipient');
  }
  const kek = await passwordKek(password, stanza.salt, stanza.params, env.ephemeralPublicKey);
  const key = await unwrap(kek, stanza.wrappedKey, env.headerPrefix);
  if (!key) throw new CryptoError('wrong-password', 'the password is wrong');
  return { contentKey: key, openedWith: 'password' };
}

/**
 * Decrypts and verifies. Every failure is a `CryptoError`; no plaintext is
 * returned unless every chunk authenticated and the signature verified.
 */
export async function decryptMessage(envelope: Uint8Array, key: DecryptKey): Promise<DecryptedMessage> {
  const env = parseEnvelope(envelope);
  const opened =
    'password' in key
      ? await openWithPassword(env, key.password)
      : await openWithIdentities(env, key.identities);
  let padded: Uint8Array;
  try {
    padded = await openChunks(await importAesGcmKey(opened.contentKey), env.payload, sha256(env.header));
  } finally {
    wipe(opened.contentKey);
  }
  try {
    const payload = parsePayload(padded);
    const sender = await verifySender(payload, opened);
    return {
      subject: payload.subject,
      body: { type: payload.bodyType, text: fromUtf8(payload.body, 'body') },
      attachments: payload.attachments,
      date: new Date(payload.date),
      sender,
      recipients: payload.recipients,
      openedWith: opened.openedWith,
      addressedToYou: addressedTo(payload.recipients, opened),
    };
  } catch (e) {
    if (isCryptoError(e)) throw e;
    throw new CryptoError('corrupted', 'payload: malformed');
  } finally {
    wipe(padded);
  }
}

async function verifySender(payload: ParsedPayload, opened: Opened): Promise<DecryptedMessage['sender']> {
  let bundle: PublicKeyBundle;
  try {
    bundle = await parseKeyBundle(payload.senderBundle);
  } catch (e) {
    throw new CryptoError('bad-signature', `the sender's key is invalid: ${(e as Error).message}`);
  }
  if (
    !bundleHasAddress(bundle, payload.senderAddress) ||
    normalizeAddress(payload.senderAddress) !== payload.senderAddress
  ) {
    throw new CryptoError('bad-signature', "the signer's key is not bound to the sender address");
  }
  const transcript = await signedTranscript({ ...payload, senderFingerprint: bundle.fingerprint });
  if (!(await ed25519Verify(bundle.ed25519PublicKey, transcript, payload.signature))) {
    throw new CryptoError('bad-signature', 'the signature does not verify');
  }
  // A self stanza only opens with our own self-wrap key, so the signer must be us.
  if (
    opened.openedWith === 'self' &&
    !equalBytes(bundle.ed25519PublicKey, opened.identity!.keys.ed25519PublicKey)
  ) {
    throw new CryptoError('bad-signature', 'a message in your own copy was signed by another key');
  }
  return { address: payload.senderAddress, bundle, fingerprint: bundle.fingerprint };
}

function addressedTo(recipients: RecipientEntry[], opened: Opened): boolean {
  if (opened.openedWith === 'self') return true;
  if (opened.openedWith === 'password') return recipients.some((r) => r.kind === 'password');
  const bundle = opened.identity!.bundle;
  return recipients.some(
    (r) =>
      r.kind === 'key' &&
      (equalBytes(r.fingerprint, bundle.fingerprint) || bundle.addresses.includes(r.address)),
  );
}
