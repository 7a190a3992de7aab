/**
 * The inner payload: what the envelope's chunks encrypt (docs/format.md §Payload).
 *
 *   inner length u32 | inner | zero padding to padmeLength(4 + inner length)
 *   inner = date u64 (ms) | sender address var8 | sender bundle var16
 *         | recipient count u16 | recipients: kind u8 | address var8 | [fingerprint 32 if kind = key]
 *         | subject var16 | body type u8 | body var32
 *         | attachment count u16 | attachments: name var16 | media type var8 | data var32
 *         | Ed25519 signature (64)
 *
 * The signature is made inside the encryption over the signed transcript
 * (`signedTranscript`), which names the sender, the sender's fingerprint and
 * every recipient, so a signed message re-encrypted to someone else still says
 * whom it was for (Davis, "Defective Sign & Encrypt in S/MIME, PKCS#7, MOSS,
 * PEM, PGP, and XML", USENIX 2001, §5.2).
 */
import { ByteReader, ByteWriter, fromUtf8, utf8 } from './bytes';
import { ED25519_SIGNATURE_LENGTH } from './ed25519';
import { MAX_PAYLOAD_LENGTH } from './envelope';
import { CryptoError } from './errors';
import { label, sha256Bulk } from './hash';
import { padmeLength } from './padding';

export const MAX_SUBJECT_BYTES = 4096;
export const MAX_ATTACHMENTS = 256;
export const MAX_ATTACHMENT_NAME_BYTES = 1024;
export const MAX_MEDIA_TYPE_BYTES = 255;
export const MAX_RECIPIENTS = 1000;

export type BodyType = 'text/plain' | 'text/html';
const BODY_TYPES: readonly BodyType[] = ['text/plain', 'text/html'];

export interface Attachment {
  name: string;
  mediaType: string;
  data: Uint8Array;
}

export type RecipientEntry =
  | { kind: 'key'; address: string; fingerprint: Uint8Array }
  | { kind: 'password'; address: string };

export interface PayloadContent {
  /** Milliseconds since the epoch. */
  date: number;
  senderAddress: string;
  senderBundle: Uint8Array;
  senderFingerprint: Uint8Array;
  recipients: RecipientEntry[];
  subject: string;
  bodyType: BodyType;
  body: Uint8Array;
  attachments: Attachment[];
}

const SIGNATURE_LABEL = label('message signature');

function writeRecipients(w: ByteWriter, recipients: RecipientEntry[]): void {
  w.u16(recipients.length);
  for (const r of recipients) {
    w.u8(r.kind === 'key' ? 1 : 2).var8(utf8(r.address));
    if (r.kind === 'key') w.bytes(r.fingerprint);
  }
}

/** The bytes the sender signs: every field, with bulk data replaced by its SHA-256. */
export async function signedTranscript(c: PayloadContent): Promise<Uint8Array> {
  const w = new ByteWriter()
    .bytes(SIGNATURE_LABEL)
    .u64(c.date)
    .var8(utf8(c.senderAddress))
    .bytes(c.senderFingerprint);
  writeRecipients(w, c.recipients);
  w.var16(utf8(c.subject))
    .u8(BODY_TYPES.indexOf(c.bodyType) + 1)
    .u64(c.body.length)
    .bytes(await sha256Bulk(c.body))
    .u16(c.attachments.length);
  for (const a of c.attachments) {
    w.var16(utf8(a.name))
      .var8(utf8(a.mediaType))
      .u64(a.data.length)
      .bytes(await sha256Bulk(a.data));
  }
  return w.finish();
}

/** Encodes, signs (via `sign`) and pads the payload. */
export async function encodePayload(
  c: PayloadContent,
  sign: (transcript: Uint8Array) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  checkContent(c);
  const signature = await sign(await signedTranscript(c));
  const w = new ByteWriter().u64(c.date).var8(utf8(c.senderAddress)).var16(c.senderBundle);
  writeRecipients(w, c.recipients);
  w.var16(utf8(c.subject))
    .u8(BODY_TYPES.indexOf(c.bodyType) + 1)
    .var32(c.body)
    .u16(c.attachments.length);
  for (const a of c.attachments) w.var16(utf8(a.name)).var8(utf8(a.mediaType)).var32(a.data);
  w.bytes(signature);
  const innerLength = w.length;
  const padded = padmeLength(4 + innerLength);
  if (padded > MAX_PAYLOAD_LENGTH) {
    throw new CryptoError(
      'invalid-input',
      `message: ${padded} bytes exceeds the ${MAX_PAYLOAD_LENGTH}-byte limit`,
    );
  }
  const out = new Uint8Array(padded);
  out.set(new ByteWriter().u32(innerLength).bytes(w.finish()).finish());
  return out;
}

function checkContent(c: PayloadContent): void {
  if (!Number.isSafeInteger(c.date) || c.date < 0)
    throw new CryptoError('invalid-input', 'message: invalid date');
  if (utf8(c.subject).length > MAX_SUBJECT_BYTES) {
    throw new CryptoError('invalid-input', `message: subject longer than ${MAX_SUBJECT_BYTES} bytes`);
  }
  if (!BODY_TYPES.includes(c.bodyType)) throw new CryptoError('invalid-input', 'message: unknown body type');
  if (c.recipients.length > MAX_RECIPIENTS)
    throw new CryptoError('invalid-input', 'message: too many recipients');
  if (c.attachments.length > MAX_ATTACHMENTS)
    throw new CryptoError('invalid-input', 'message: too many attachments');
  for (const a of c.attachments) {
    if (typeof a.name !== 'string' || utf8(a.name).length > MAX_ATTACHMENT_NAME_BYTES) {
      throw new CryptoError('invalid-input', 'attachment: invalid name');
    }
    if (typeof a.mediaType !== 'string' || utf8(a.mediaType).length > MAX_MEDIA_TYPE_BYTES) {
      throw new CryptoError('invalid-input', 'attachment: invalid media type');
    }
    if (!(a.data instanceof Uint8Array))
      throw new CryptoError('invalid-input', 'attachment: data must be bytes');
  }
}

export interface ParsedPayload extends Omit<PayloadContent, 'senderFingerprint'> {
  signature: Uint8Array;
}

/** Strict parse of a decrypted (hence authenticated) payload. Any deviation is `corrupted`. */
export function parsePayload(padded: Uint8Array): ParsedPayload {
  const outer: ByteReader = new ByteReader(padded, 'payload', 'corrupted');
  const innerLength = outer.u32('inner length');
  const inner = outer.bytes(innerLength, 'inner payload');
  if (padded.length !== padmeLength(4 + innerLength)) outer.fail('corrupted', 'padding has the wrong length');
  for (let i = 4 + innerLength; i < padded.length; i++) {
    if (padded[i] !== 0) outer.fail('corrupted', 'padding is not zero');
  }
  const r: ByteReader = new ByteReader(inner, 'payload', 'corrupted');
  const date = r.u64('date');
  const senderAddress = fromUtf8(r.var8('sender address'), 'sender address');
  const senderBundle = r.var16('sender bundle').slice();
  const count = r.u16('recipient count');
  if (count > MAX_RECIPIENTS) r.fail('corrupted', 'too many recipients');
  const recipients: RecipientEntry[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r.u8('recipient kind');
    const address = fromUtf8(r.var8('recipient address'), 'recipient address');
    if (kind === 1)
      recipients.push({ kind: 'key', address, fingerprint: r.bytes(32, 'fingerprint').slice() });
    else if (kind === 2) recipients.push({ kind: 'password', address });
    else r.fail('corrupted', `unknown recipient kind ${kind}`);
  }
  const subjectBytes = r.var16('subject');
  if (subjectBytes.length > MAX_SUBJECT_BYTES) r.fail('corrupted', 'subject too long');
  const subject = fromUtf8(subjectBytes, 'subject');
  const bodyType = BODY_TYPES[r.u8('body type') - 1];
  if (bodyType === undefined) r.fail('corrupted', 'unknown body type');
  const body = r.var32('body', MAX_PAYLOAD_LENGTH).slice();
  const attachmentCount = r.u16('attachment count');
  if (attachmentCount > MAX_ATTACHMENTS) r.fail('corrupted', 'too many attachments');
  const attachments: Attachment[] = [];
  for (let i = 0; i < attachmentCount; i++) {
    attachments.push({
      name: fromUtf8(r.var16('attachment name'), 'attachment name'),
      mediaType: fromUtf8(r.var8('attachment media type'), 'attachment media type'),
      data: r.var32('attachment data', MAX_PAYLOAD_LENGTH).slice(),
    });
  }
  const signature = r.bytes(ED25519_SIGNATURE_LENGTH, 'signature').slice();
  r.end();
  return { date, senderAddress, senderBundle, recipients, subject, bodyType, body, attachments, signature };
}
