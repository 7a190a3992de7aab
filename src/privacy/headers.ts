/**
 * A raw RFC 5322 header block into SenderFacts (source `headers`).
 *
 * This runs in the content script (src/content/sender-facts.ts), so it has no
 * dependencies and stays small. Input is hostile (anyone can send any header):
 * - the block is cut at MAX_HEADER_BYTES and at the first empty line (§2.1);
 * - field counts and value lengths are capped;
 * - every parser is a single linear scan; no regex here can backtrack badly.
 *
 * What it reads: From (the first mailbox; display name with RFC 2047 encoded words
 * decoded), Reply-To, Sender, the topmost Return-Path, and every
 * Authentication-Results field, newest (topmost) first.
 */
import type { SenderFacts } from '../messaging/messages';

/** 64 KiB: the most sender-facts.ts reads of a message source. */
export const MAX_HEADER_BYTES = 64 * 1024;
const MAX_FIELDS = 1000;
const MAX_VALUE = 16 * 1024;
const MAX_MAILBOXES = 100;
const MAX_COMMENT_DEPTH = 16;
/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets; a little slack for odd mailers. */
const MAX_ADDRESS = 320;
const MAX_NAME = 512;

export interface HeaderField {
  /** Lower-cased field name. */
  name: string;
  /** Unfolded value, leading whitespace removed. */
  value: string;
}

/**
 * Splits a header block into fields, unfolding continuation lines (RFC 5322
 * §2.2.3: a line starting with WSP continues the field above). Stops at the first
 * empty line: what follows is the body. Lines that are not `name: value` are
 * dropped (including an mbox `From ` line).
 */
export function parseHeaderBlock(raw: string): HeaderField[] {
  const text = raw.slice(0, MAX_HEADER_BYTES);
  const fields: HeaderField[] = [];
  let current: HeaderField | null = null;
  const push = () => {
    if (current && fields.length < MAX_FIELDS) fields.push(current);
    current = null;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line === '\r') break;
    if (line[0] === ' ' || line[0] === '\t') {
      if (current && current.value.length < MAX_VALUE) current.value += line;
      continue;
    }
    push();
    const colon = line.indexOf(':');
    // §2.2: field-name is printable US-ASCII except ':' (33-126).
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!name || !/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    current = { name: name.toLowerCase(), value: line.slice(colon + 1) };
  }
  push();
  for (const f of fields) f.value = f.value.slice(0, MAX_VALUE).trim();
  return fields;
}

function decodeBytes(bytes: Uint8Array, charset: string): string | null {
  try {
    // RFC 2231 §5: a language may follow the charset ("utf-8*en").
    return new TextDecoder(charset.split('*')[0]!.trim(), { fatal: false }).decode(bytes);
  } catch {
    return null;
  }
}

/** One RFC 2047 encoded word's text, or null when it is not well formed. */
function decodeWord(charset: string, encoding: string, text: string): string | null {
  const bytes: number[] = [];
  if (encoding === 'b' || encoding === 'B') {
    let bin: string;
    try {
      bin = atob(text);
    } catch {
      return null;
    }
    for (let i = 0; i < bin.length; i++) bytes.push(bin.charCodeAt(i));
  } else {
    // RFC 2047 §4.2: "_" is a space, "=XX" a byte.
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '_') bytes.push(0x20);
      else if (c === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(c.charCodeAt(0) & 0xff);
    }
  }
  return decodeBytes(Uint8Array.from(bytes), charset);
}

/**
 * Decodes RFC 2047 encoded words (`=?charset?B|Q?text?=`). Whitespace between two
 * adjacent encoded words is dropped (§6.2). A word that does not decode is kept
 * as it is.
 */
export function decodeEncodedWords(text: string): string {
  // Bounded pieces: no nested quantifiers, each encoded word at most 75 chars (§2) — allow more for sloppy mailers.
  const re = /=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]{0,1024})\?=/g;
  let out = '';
  let last = 0;
  let previousWasWord = false;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const between = text.slice(last, m.index);
    const decoded = decodeWord(m[1]!, m[2]!, m[3]!);
    if (!(previousWasWord && decoded !== null && /^\s*$/.test(between))) out += between;
    out += decoded ?? m[0];
    previousWasWord = decoded !== null;
    last = m.index + m[0].length;
  }
  return out + text.slice(last);
}

export interface Mailbox {
  /** Display name, encoded words decoded, '' when none. */
  name: string;
  address: string;
}

/** Drops comments (§3.2.2) from an angle address: `<pete(his account)@silly.test>`. */
function withoutComments(text: string): string {
  let out = '';
  let depth = 0;
  for (const c of text) {
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

/**
 * An address list (RFC 5322 §3.4): mailboxes and groups, with quoted display names,
 * comments and angle addresses. Obsolete forms are read leniently: a comment after
 * a bare address is taken as the name (`addr (Name)`), as mail clients show it.
 */
export function parseAddressList(value: string): Mailbox[] {
  const text = value.slice(0, MAX_VALUE);
  const out: Mailbox[] = [];
  let phrase = '';
  let comment = '';
  let angle: string | null = null;
  let bare = '';

  const finish = () => {
    // With an angle address the phrase is the name; a bare addr-spec's phrase is the address itself.
    const name = angle !== null ? phrase.trim() || comment.trim() : comment.trim();
    const address = (angle ?? bare).trim();
    if (address && out.length < MAX_MAILBOXES) {
      out.push({
        name: decodeEncodedWords(name.replace(/\s+/g, ' ')).slice(0, MAX_NAME),
        address: address.slice(0, MAX_ADDRESS),
      });
    }
    phrase = '';
    comment = '';
    angle = null;
    bare = '';
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      // quoted-string (§3.2.4), with quoted-pairs
      i++;
      let s = '';
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        s += text[i++];
      }
      i++;
      phrase += `${phrase && !/\s$/.test(phrase) ? ' ' : ''}${s}`;
      bare = '';
    } else if (c === '(') {
      // comment (§3.2.2), nested
      let depth = 1;
      let s = '';
      i++;
      while (i < text.length && depth > 0) {
        const d = text[i]!;
        if (d === '\\' && i + 1 < text.length) {
          s += text[i + 1];
          i += 2;
          continue;
        }
        if (d === '(') depth = Math.min(depth + 1, MAX_COMMENT_DEPTH);
        else if (d === ')') depth--;
        if (depth > 0) s += d;
        i++;
      }
      if (!comment) comment = s;
    } else if (c === '<') {
      const end = text.indexOf('>', i + 1);
      const inner = end < 0 ? text.slice(i + 1) : text.slice(i + 1, end);
      // obs-route (§4.4): "<@a,@b:user@host>" keeps the part after the colon.
      angle = inner.includes(':') ? inner.slice(inner.lastIndexOf(':') + 1) : inner;
      angle = withoutComments(angle).replace(/\s+/g, '');
      i = end < 0 ? text.length : end + 1;
    } else if (c === ',' || c === ';') {
      finish();
      i++;
    } else if (c === ':' && angle === null) {
      // group (§3.4): "display-name:" starts the list; the group name is not a mailbox name.
      phrase = '';
      comment = '';
      bare = '';
      i++;
    } else {
      // an atom or whitespace: part of the phrase, and maybe a bare addr-spec
      // Always consume at least one character: a ':' after an angle address
      // (`<a@b.example>:`) is no group start, and must not stall the scan.
      let s = text[i++]!;
      while (i < text.length && !'"(<,;:'.includes(text[i]!)) s += text[i++];
      if (angle === null) {
        // Kept in the phrase too: `support@apple.com <x@evil.example>` has an address-like name.
        phrase += s;
        const word = s.trim();
        if (word.includes('@') && !/\s/.test(word)) bare = word;
      }
    }
  }
  finish();
  return out;
}

/** The address inside `<...>` of a Return-Path (§3.6.7), '' for `<>` (a bounce). */
function returnPathOf(value: string): string {
  return parseAddressList(value)[0]?.address ?? '';
}

/**
 * SenderFacts from a raw header block (or a whole message: reading stops at the
 * first empty line). Null when there is no From address.
 */
export function senderFactsFromHeaders(raw: string): SenderFacts | null {
  const fields = parseHeaderBlock(raw);
  const first = (name: string) => fields.find((f) => f.name === name)?.value ?? '';
  const from = parseAddressList(first('from'))[0];
  if (!from) return null;
  return {
    source: 'headers',
    fromName: from.name,
    fromAddress: from.address,
    replyTo: fields
      .filter((f) => f.name === 'reply-to')
      .flatMap((f) => parseAddressList(f.value).map((m) => m.address)),
    sender: parseAddressList(first('sender'))[0]?.address ?? '',
    returnPath: returnPathOf(first('return-path')),
    authResults: fields.filter((f) => f.name === 'authentication-results').map((f) => f.value),
  };
}
