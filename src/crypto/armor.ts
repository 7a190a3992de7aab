/**
 * ASCII armor for envelopes pasted into webmail bodies (docs/format.md §Armor).
 *
 * The writer emits a short human preface, the BEGIN line, base64 in 64-column
 * lines and the END line. The reader recovers the exact bytes from text that
 * webmails have mangled (shared webmail facts): HTML line wrappers and
 * entities, NBSP, CRLF, re-wrapping at 72–78 columns, nested "> " quoting,
 * zero-width characters and quoted-printable soft breaks. It accepts nothing
 * else: base64 is decoded strictly, and the envelope parser checks the rest.
 */
import { CryptoError } from './errors';

export const ARMOR_BEGIN = '-----BEGIN CIPHERPOST MESSAGE-----';
export const ARMOR_END = '-----END CIPHERPOST MESSAGE-----';
const LINE_LENGTH = 64;

export const ARMOR_PREFACE = [
  'This is an end-to-end encrypted message sent with Cipherpost.',
  'Only its recipients can read it. To read it, open it in a browser',
  'with the Cipherpost extension installed, or use the link or password',
  'the sender gave you. The real subject is inside the encrypted part.',
].join('\n');

/** A neutral visible subject: the real one travels inside the envelope. */
export const PLACEHOLDER_SUBJECT = 'Encrypted message (Cipherpost)';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${B64[n >>> 18]!}${B64[(n >>> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${B64[n >>> 18]!}${B64[(n >>> 12) & 63]!}${B64[(n >>> 6) & 63]!}=`;
  }
  return out;
}

/**
 * Strict base64 (RFC 4648 §4) of the alphabet characters only; padding is
 * optional because mangling may eat it, but non-zero trailing bits are refused
 * (§3.5) so one armor decodes to one byte string.
 */
export function base64Decode(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new CryptoError('corrupted', 'armor: base64 has an impossible length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new CryptoError('corrupted', `armor: invalid character at position ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0)
    throw new CryptoError('corrupted', 'armor: base64 has non-zero trailing bits');
  return out;
}

/** What an armored block holds: its BEGIN/END lines name it. */
export type ArmorKind = 'MESSAGE' | 'PUBLIC KEY';
const markers = (kind: ArmorKind) =>
  [`-----BEGIN CIPHERPOST ${kind}-----`, `-----END CIPHERPOST ${kind}-----`] as const;

export const PUBLIC_KEY_PREFACE = [
  'This is a Cipherpost public key. Import it in Cipherpost (Contacts)',
  'to send its owner encrypted mail. Compare its fingerprint with the owner',
  'before you mark it verified.',
].join('\n');

function armorBlock(kind: ArmorKind, preface: string, bytes: Uint8Array): string {
  const [begin, end] = markers(kind);
  const b64 = base64Encode(bytes);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += LINE_LENGTH) lines.push(b64.slice(i, i + LINE_LENGTH));
  return `${preface}\n\n${begin}\n${lines.join('\n')}\n${end}\n`;
}

export function armor(envelope: Uint8Array): string {
  return armorBlock('MESSAGE', ARMOR_PREFACE, envelope);
}

/** A key bundle as text, for export, e-mail or paste. */
export function armorPublicKey(bundle: Uint8Array): string {
  return armorBlock('PUBLIC KEY', PUBLIC_KEY_PREFACE, bundle);
}

const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;
const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** Turns HTML (as a webmail would wrap the text) into plain lines. */
function htmlToText(text: string): string {
  return text
    .replace(/<(br|\/p|\/div|\/li|\/blockquote|\/pre|\/tr|p|div|blockquote|pre)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code =
          e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return NAMED_ENTITIES[e.toLowerCase()] ?? m;
    });
}

/** Normalizes mangled text into lines, quote prefixes and all. */
function normalize(text: string): string[] {
  let t = text;
  if (/<(br|div|p|span|blockquote|pre)\b/i.test(t)) t = htmlToText(t);
  t = t.replace(ZERO_WIDTH, '').replace(/\u00A0|\u202F|\u2007/g, ' ');
  return t.split(/\r\n|\r|\n/);
}

/** Strips nested "> " quoting (and ">>" without spaces). */
function unquote(line: string): string {
  return line.replace(/^(?:[ \t]*>)*/, '').trim();
}

/**
 * Every armored block in `text`, decoded. Blocks that are damaged are returned
 * as errors so a reader can say what is wrong with each.
 */
export function findArmored(text: string, kind: ArmorKind = 'MESSAGE'): (Uint8Array | CryptoError)[] {
  if (typeof text !== 'string') throw new CryptoError('invalid-input', 'dearmor: expected string');
  const [ARMOR_BEGIN, ARMOR_END] = markers(kind);
  const lines = normalize(text).map(unquote);
  const found: (Uint8Array | CryptoError)[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== ARMOR_BEGIN) continue;
    const end = lines.indexOf(ARMOR_END, i + 1);
    const nextBegin = lines.indexOf(ARMOR_BEGIN, i + 1);
    if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
      found.push(new CryptoError('truncated', 'armor: the message is cut off (no END line)'));
      continue;
    }
    try {
      found.push(decodeBody(lines.slice(i + 1, end)));
    } catch (e) {
      found.push(e as CryptoError);
    }
    i = end;
  }
  return found;
}

function decodeBody(lines: string[]): Uint8Array {
  // Quoted-printable soft breaks ("=" at a line end) and "=3D" for "=":
  // base64 has "=" only as final padding, which we do not need.
  let body = lines.join('\n').replace(/=[ \t]*\n/g, '');
  body = body.replace(/=3D/gi, '=');
  body = body.replace(/\s+/g, '').replace(/=+$/, '');
  if (body.length === 0) throw new CryptoError('truncated', 'armor: the message is empty');
  return base64Decode(body);
}

/** The first armored message in `text`. */
export function dearmor(text: string, kind: ArmorKind = 'MESSAGE'): Uint8Array {
  const [first] = findArmored(text, kind);
  if (first === undefined)
    throw new CryptoError('not-cipherpost', 'no Cipherpost message found in this text');
  if (first instanceof CryptoError) throw first;
  return first;
}
