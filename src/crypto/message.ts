/**
 * Encrypting and decrypting a Cipherpost message (docs/crypto.md, docs/format.md).
 *
 * Encrypt: build and sign the payload (payload.ts), then seal it to the
 * recipients, the sender's own copy and an optional password (seal.ts).
 *
 * Decrypt: open a stanza and authenticate every chunk (open.ts), parse, verify
 * the sender's bundle, address binding and signature, and only then return.
 */
import { normalizeAddress } from './address';
import { equalBytes, fromUtf8, utf8, wipe } from './bytes';
import { ed25519SignWith, ed25519Verify } from './ed25519';
import { CryptoError, checkString, isCryptoError } from './errors';
import type { Identity } from './identity';
import { bundleHasAddress, isBundleExpired, type PublicKeyBundle, parseKeyBundle } from './key-bundle';
import { type DecryptKey, type OpenedEnvelope, openEnvelope } from './open';
import { type Argon2Params, DEFAULT_ARGON2 } from './password-kek';
import {
  type Attachment,
  type BodyType,
  encodePayload,
  type ParsedPayload,
  parsePayload,
  type RecipientEntry,
  signedTranscript,
} from './payload';
import { platformRandomness, type SealRandomness, sealEnvelope } from './seal';

export type { DecryptKey } from './open';

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
  /** The signer, verified: bundle self-signature, address binding and message signature. */
  sender: { address: string; bundle: PublicKeyBundle; fingerprint: Uint8Array };
  recipients: RecipientEntry[];
  openedWith: OpenedEnvelope['openedWith'];
  /**
   * Whether the signed recipient list names the reader. False means someone
   * re-encrypted a message signed for others to us (docs/crypto.md §Sender authentication).
   */
  addressedToYou: boolean;
}

/** Encrypts and signs `input` for the recipients and the sender's own copy. */
export function encryptMessage(input: MessageInput, options: EncryptOptions): Promise<Uint8Array> {
  return sealMessage(input, options, platformRandomness);
}

/**
 * `encryptMessage` with explicit randomness. Only the known-answer tests pass
 * anything but `platformRandomness` (docs/format.md §Test vectors).
 */
export async function sealMessage(
  input: MessageInput,
  options: EncryptOptions,
  randomness: SealRandomness,
): Promise<Uint8Array> {
  const { sender } = options;
  const senderAddress = normalizeAddress(options.senderAddress);
  if (!bundleHasAddress(sender.bundle, senderAddress)) {
    throw new CryptoError('invalid-input', 'encrypt: the sender address is not in the sender key bundle');
  }
  checkString(input?.subject, 100_000, 'encrypt: subject');
  checkString(input.body?.text, Number.MAX_SAFE_INTEGER, 'encrypt: body');
  const date = options.date ?? Date.now();
  const entries: RecipientEntry[] = [];
  for (const r of options.recipients) {
    const address = normalizeAddress(r.address);
    if (!bundleHasAddress(r.bundle, address)) {
      throw new CryptoError('invalid-input', `encrypt: ${address} is not bound to the key given for it`);
    }
    if (isBundleExpired(r.bundle, Math.floor(date / 1000))) {
      throw new CryptoError('invalid-key', `encrypt: the key of ${address} has expired`);
    }
    entries.push({ kind: 'key', address, fingerprint: r.bundle.fingerprint });
  }
  const pw = options.passwordRecipients;
  if (pw) {
    if (pw.addresses.length < 1)
      throw new CryptoError('invalid-input', 'encrypt: password recipients need an address');
    for (const a of pw.addresses) entries.push({ kind: 'password', address: normalizeAddress(a) });
  }

  const payload = encodePayload(
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
  return sealEnvelope(
    payload,
    {
      recipients: options.recipients.map((r) => r.bundle),
      selfWrapKey: sender.keys.selfWrapKey,
      ...(pw ? { password: { password: pw.password, params: pw.argon2 ?? DEFAULT_ARGON2 } } : {}),
    },
    randomness,
  );
}

/**
 * Decrypts and verifies. Every failure is a `CryptoError`; no plaintext is
 * returned unless every chunk authenticated and the signature verified.
 */
export async function decryptMessage(envelope: Uint8Array, key: DecryptKey): Promise<DecryptedMessage> {
  const opened = await openEnvelope(envelope, key);
  try {
    const payload = parsePayload(opened.padded);
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
    wipe(opened.padded);
  }
}

async function verifySender(
  payload: ParsedPayload,
  opened: OpenedEnvelope,
): Promise<DecryptedMessage['sender']> {
  let bundle: PublicKeyBundle;
  try {
    bundle = await parseKeyBundle(payload.senderBundle);
  } catch (e) {
    throw new CryptoError('bad-signature', `the sender's key is invalid: ${(e as Error).message}`);
  }
  if (!bundle.addresses.includes(payload.senderAddress)) {
    throw new CryptoError('bad-signature', "the signer's key is not bound to the sender address");
  }
  const transcript = await signedTranscript({ ...payload, senderFingerprint: bundle.fingerprint });
  if (!(await ed25519Verify(bundle.ed25519PublicKey, transcript, payload.signature))) {
    throw new CryptoError('bad-signature', 'the signature does not verify');
  }
  // A self stanza opens only with our own self-wrap key, so the signer must be us.
  if (
    opened.openedWith === 'self' &&
    !equalBytes(bundle.ed25519PublicKey, opened.identity!.keys.ed25519PublicKey)
  ) {
    throw new CryptoError('bad-signature', 'a message in your own copy was signed by another key');
  }
  return { address: payload.senderAddress, bundle, fingerprint: bundle.fingerprint };
}

function addressedTo(recipients: RecipientEntry[], opened: OpenedEnvelope): boolean {
  if (opened.openedWith === 'self') return true;
  if (opened.openedWith === 'password') return recipients.some((r) => r.kind === 'password');
  const bundle = opened.identity!.bundle;
  return recipients.some(
    (r) =>
      r.kind === 'key' &&
      (equalBytes(r.fingerprint, bundle.fingerprint) || bundle.addresses.includes(r.address)),
  );
}
