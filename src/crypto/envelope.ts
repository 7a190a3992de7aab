/**
 * The binary envelope, format v1 (docs/format.md §Envelope):
 *
 *   "CPMG" | version u8 = 1 | suite u8 = 1 | flags u16 = 0
 *   | ephemeral X25519 public key (32)
 *   | stanza count u16 (1..MAX_STANZAS) | stanzas: type u8 | length u16 | body
 *   | payload length u64
 *   | payload: STREAM chunks of AES-256-GCM (chunked-aead.ts)
 *
 * The header is everything before the payload. The parser checks every length
 * and refuses what it does not know before any key is touched.
 */

import { GCM_TAG_LENGTH } from './aes-gcm';
import { ByteReader, ByteWriter, equalBytes, utf8 } from './bytes';
import { CHUNK_SIZE, SEALED_CHUNK_SIZE } from './chunked-aead';
import { CryptoError, checkBytes } from './errors';
import { STANZA_HINT_LENGTH } from './hybrid-kem';
import { ML_KEM_1024 } from './ml-kem';
import { ARGON2_SALT_LENGTH, type Argon2Params, argon2ParamsAreValid } from './password-kek';
import { X25519_KEY_LENGTH } from './x25519';

export const ENVELOPE_MAGIC = utf8('CPMG');
export const ENVELOPE_VERSION = 1;
export const SUITE_1 = 1;
export const MAX_STANZAS = 1024;
/** The largest padded payload a reader accepts: 128 MiB. */
export const MAX_PAYLOAD_LENGTH = 128 * 1024 * 1024;
/** Wrapped content key: 32-byte key + 16-byte GCM tag. */
export const WRAPPED_KEY_LENGTH = 32 + GCM_TAG_LENGTH;
/** magic, version, suite, flags, ephemeral key: the AAD of every key wrap. */
export const HEADER_PREFIX_LENGTH = 4 + 1 + 1 + 2 + X25519_KEY_LENGTH;

export enum StanzaType {
  Recipient = 1,
  Self = 2,
  Password = 3,
}

export type Stanza =
  | { type: StanzaType.Recipient; hint: Uint8Array; mlKemCiphertext: Uint8Array; wrappedKey: Uint8Array }
  | { type: StanzaType.Self; hint: Uint8Array; wrappedKey: Uint8Array }
  | { type: StanzaType.Password; params: Argon2Params; salt: Uint8Array; wrappedKey: Uint8Array };

export interface Envelope {
  version: number;
  suite: number;
  ephemeralPublicKey: Uint8Array;
  stanzas: Stanza[];
  /** Header bytes: the AAD source of every payload chunk. */
  header: Uint8Array;
  /** The first HEADER_PREFIX_LENGTH bytes of the header. */
  headerPrefix: Uint8Array;
  payload: Uint8Array;
}

const STANZA_LENGTH: Record<StanzaType, number> = {
  [StanzaType.Recipient]: STANZA_HINT_LENGTH + ML_KEM_1024.ciphertextLength + WRAPPED_KEY_LENGTH,
  [StanzaType.Self]: STANZA_HINT_LENGTH + WRAPPED_KEY_LENGTH,
  [StanzaType.Password]: 4 + 4 + 1 + ARGON2_SALT_LENGTH + WRAPPED_KEY_LENGTH,
};

export function encodeHeaderPrefix(ephemeralPublicKey: Uint8Array): Uint8Array {
  checkBytes(ephemeralPublicKey, X25519_KEY_LENGTH, 'envelope: ephemeral public key');
  return new ByteWriter()
    .bytes(ENVELOPE_MAGIC)
    .u8(ENVELOPE_VERSION)
    .u8(SUITE_1)
    .u16(0)
    .bytes(ephemeralPublicKey)
    .finish();
}

function encodeStanza(s: Stanza): Uint8Array {
  const w = new ByteWriter();
  switch (s.type) {
    case StanzaType.Recipient:
      w.bytes(s.hint).bytes(s.mlKemCiphertext).bytes(s.wrappedKey);
      break;
    case StanzaType.Self:
      w.bytes(s.hint).bytes(s.wrappedKey);
      break;
    case StanzaType.Password:
      w.u32(s.params.memoryKiB)
        .u32(s.params.iterations)
        .u8(s.params.parallelism)
        .bytes(s.salt)
        .bytes(s.wrappedKey);
      break;
  }
  const body = w.finish();
  if (body.length !== STANZA_LENGTH[s.type])
    throw new CryptoError('invalid-input', 'envelope: malformed stanza');
  return body;
}

/** The header for `stanzas` and a payload of `payloadLength` bytes. */
export function encodeHeader(
  ephemeralPublicKey: Uint8Array,
  stanzas: Stanza[],
  payloadLength: number,
): Uint8Array {
  if (stanzas.length < 1 || stanzas.length > MAX_STANZAS) {
    throw new CryptoError('invalid-input', `envelope: 1 to ${MAX_STANZAS} stanzas required`);
  }
  const w = new ByteWriter().bytes(encodeHeaderPrefix(ephemeralPublicKey)).u16(stanzas.length);
  for (const s of stanzas) w.u8(s.type).var16(encodeStanza(s));
  return w.u64(payloadLength).finish();
}

function parseStanza(r: ByteReader): Stanza {
  const type = r.u8('stanza type');
  const body = r.var16('stanza');
  const expected = STANZA_LENGTH[type as StanzaType];
  if (expected === undefined) r.fail('unsupported-version', `unknown stanza type ${type}`);
  if (body.length !== expected) r.fail('corrupted', `stanza of type ${type} has length ${body.length}`);
  const s: ByteReader = new ByteReader(body, 'stanza', 'corrupted');
  switch (type as StanzaType) {
    case StanzaType.Recipient:
      return {
        type: StanzaType.Recipient,
        hint: s.bytes(STANZA_HINT_LENGTH, 'hint'),
        mlKemCiphertext: s.bytes(ML_KEM_1024.ciphertextLength, 'ML-KEM ciphertext'),
        wrappedKey: s.bytes(WRAPPED_KEY_LENGTH, 'wrapped key'),
      };
    case StanzaType.Self:
      return {
        type: StanzaType.Self,
        hint: s.bytes(STANZA_HINT_LENGTH, 'hint'),
        wrappedKey: s.bytes(WRAPPED_KEY_LENGTH, 'wrapped key'),
      };
    default: {
      const params = {
        memoryKiB: s.u32('Argon2 memory'),
        iterations: s.u32('Argon2 iterations'),
        parallelism: s.u8('Argon2 parallelism'),
      };
      if (!argon2ParamsAreValid(params))
        r.fail('corrupted', 'password stanza has out-of-bounds Argon2 parameters');
      return {
        type: StanzaType.Password,
        params,
        salt: s.bytes(ARGON2_SALT_LENGTH, 'salt'),
        wrappedKey: s.bytes(WRAPPED_KEY_LENGTH, 'wrapped key'),
      };
    }
  }
}

/** Strict parse. Errors: not-cipherpost, unsupported-version, truncated, corrupted. */
export function parseEnvelope(bytes: Uint8Array): Envelope {
  checkBytes(bytes, undefined, 'envelope');
  const r: ByteReader = new ByteReader(bytes, 'envelope', 'truncated');
  if (bytes.length < 4 || !equalBytes(bytes.subarray(0, 4), ENVELOPE_MAGIC)) {
    r.fail('not-cipherpost', 'not a Cipherpost message');
  }
  r.bytes(4, 'magic');
  const version = r.u8('version');
  if (version !== ENVELOPE_VERSION) r.fail('unsupported-version', `unsupported format version ${version}`);
  const suite = r.u8('suite');
  if (suite !== SUITE_1) r.fail('unsupported-version', `unsupported algorithm suite ${suite}`);
  if (r.u16('flags') !== 0) r.fail('unsupported-version', 'unknown flags set');
  const ephemeralPublicKey = r.bytes(X25519_KEY_LENGTH, 'ephemeral key');
  const headerPrefix = bytes.subarray(0, r.offset);
  const count = r.u16('stanza count');
  if (count < 1 || count > MAX_STANZAS) r.fail('corrupted', `stanza count ${count} out of range`);
  const stanzas: Stanza[] = [];
  for (let i = 0; i < count; i++) stanzas.push(parseStanza(r));
  const payloadLength = r.u64('payload length');
  if (payloadLength > sealedMax() || payloadLength <= GCM_TAG_LENGTH) {
    r.fail('corrupted', `payload length ${payloadLength} out of range`);
  }
  const header = bytes.subarray(0, r.offset);
  if (r.remaining < payloadLength)
    r.fail('truncated', `payload ends after ${r.remaining} of ${payloadLength} bytes`);
  const payload = r.bytes(payloadLength, 'payload');
  r.end('corrupted');
  return { version, suite, ephemeralPublicKey, stanzas, header, headerPrefix, payload };
}

function sealedMax(): number {
  return MAX_PAYLOAD_LENGTH + Math.ceil(MAX_PAYLOAD_LENGTH / CHUNK_SIZE) * (SEALED_CHUNK_SIZE - CHUNK_SIZE);
}
