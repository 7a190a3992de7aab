/**
 * A cheap marker scan for armored Cipherpost messages in text a webmail shows
 * (docs/webmail-integration.md §Reading, step 1).
 *
 * It only finds where a block starts and ends and returns the raw slice between
 * them, mangling and all: the real, strict parser (src/crypto/armor.ts
 * `findArmored`) runs in the background. Webmails mangle text (shared webmail
 * facts): "> " quoting, HTML line wrappers and entities, NBSP, zero-width
 * characters, CRLF, re-wrapping and quoted-printable soft breaks. None of those
 * touch the marker lines' words, but they can sit inside or around them, so the
 * markers are searched in a normalized copy and mapped back to the raw text.
 *
 * Only constants may come from src/crypto: no crypto code enters the content script.
 */
import { ARMOR_BEGIN, ARMOR_END } from '../crypto/armor';

export interface ArmorHit {
  /** The raw text from the BEGIN marker to the end of the END marker (or of the text). */
  armored: string;
  /** False when no END marker follows: still staged, the background answers `truncated`. */
  complete: boolean;
  /** Offsets of the slice in the raw text. */
  start: number;
  end: number;
}

/**
 * Deleted from the normalized copy: zero-width characters and soft hyphens,
 * quoted-printable soft breaks ("=" at a line end), CR.
 */
const DROP = /[\u200B-\u200D\u2060\uFEFF\u00AD\r]|=[ \t]*\r?\n/y;
/** Read as one space: NBSP and its cousins, and their HTML entities. */
const SPACE = /[\u00A0\u202F\u2007]|&nbsp;|&#160;|&#x0*a0;/iy;

/** The text without the characters above, and for each kept character its raw offset. */
export function normalizeForScan(raw: string): { text: string; map: number[] } {
  let text = '';
  const map: number[] = [];
  let i = 0;
  while (i < raw.length) {
    DROP.lastIndex = i;
    const drop = DROP.exec(raw);
    if (drop) {
      i += drop[0].length;
      continue;
    }
    SPACE.lastIndex = i;
    const space = SPACE.exec(raw);
    if (space) {
      text += ' ';
      map.push(i);
      i += space[0].length;
      continue;
    }
    text += raw[i];
    map.push(i);
    i++;
  }
  map.push(raw.length);
  return { text, map };
}

/** Does this text (normalized as above) hold a BEGIN marker? Cheap pre-check for DOM scans. */
export function hasArmorBegin(raw: string): boolean {
  if (raw.includes(ARMOR_BEGIN)) return true;
  // Most text has neither the word nor anything the normalization removes.
  if (!/BEG|[\u200B-\u200D\u2060\uFEFF\u00AD]|=[ \t]*\r?\n/.test(raw)) return false;
  return normalizeForScan(raw).text.includes(ARMOR_BEGIN);
}

/** Every armored message block in `raw`, in order. Public-key blocks are not messages. */
export function scanArmor(raw: string): ArmorHit[] {
  const { text, map } = normalizeForScan(raw);
  const hits: ArmorHit[] = [];
  let from = 0;
  for (;;) {
    const begin = text.indexOf(ARMOR_BEGIN, from);
    if (begin < 0) break;
    const nextBegin = text.indexOf(ARMOR_BEGIN, begin + ARMOR_BEGIN.length);
    const end = text.indexOf(ARMOR_END, begin + ARMOR_BEGIN.length);
    const complete = end >= 0 && (nextBegin < 0 || end < nextBegin);
    // A missing END: the block runs to the next BEGIN or the end of the text.
    const stop = complete ? end + ARMOR_END.length : nextBegin >= 0 ? nextBegin : text.length;
    const start = map[begin]!;
    const rawEnd = stop >= text.length ? raw.length : map[stop]!;
    hits.push({ armored: raw.slice(start, rawEnd).replace(/\s+$/, ''), complete, start, end: rawEnd });
    from = stop;
  }
  return hits;
}
