/**
 * Internationalised domain names, for the look-alike checks (sender-check.ts).
 *
 * - Punycode (RFC 3492 §6.2, §6.3) turns `xn--` labels back into what a user
 *   would see, and shows a Unicode label's literal ASCII form. Deliberately not
 *   UTS #46 ToASCII (the URL parser): that maps a full-width "ｐaypal" to "paypal",
 *   which would hide exactly the trick we are looking for.
 * - Mixed-script detection follows UTS #39 §5.1 (resolved script set, from
 *   Script_Extensions) and accepts what §5.2 "Highly Restrictive" accepts: one
 *   script, or Latin with Han+Hiragana+Katakana, Han+Bopomofo, or Han+Hangul.
 *
 * Security caveat: the script data is the JavaScript engine's Unicode tables
 * (`\p{scx=…}`), so it is as current as the browser. Scripts not in SCRIPTS below
 * count as one "other" script, which makes a label mixing them with Latin suspect.
 */

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 0x80;
/** A DNS label is at most 63 octets (RFC 1035 §2.3.4); decoding never needs more. */
const MAX_LABEL = 63;

/** RFC 3492 §6.1. */
function adapt(delta: number, numPoints: number, firstTime: boolean): number {
  let d = firstTime ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / numPoints);
  let k = 0;
  while (d > ((BASE - T_MIN) * T_MAX) >> 1) {
    d = Math.floor(d / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

function digitOf(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 26; // 0-9 → 26-35
  if (c >= 0x41 && c <= 0x5a) return c - 0x41; // A-Z
  if (c >= 0x61 && c <= 0x7a) return c - 0x61; // a-z
  return BASE;
}

/**
 * RFC 3492 §6.2: the Unicode code points of a Punycode string (without `xn--`).
 * Returns null on malformed or overflowing input instead of throwing.
 */
export function punycodeDecode(input: string): string | null {
  if (input.length > MAX_LABEL) return null;
  const output: number[] = [];
  const basicEnd = input.lastIndexOf('-');
  for (let j = 0; j < Math.max(basicEnd, 0); j++) {
    const c = input.charCodeAt(j);
    if (c >= 0x80) return null;
    output.push(c);
  }
  let n = INITIAL_N;
  let i = 0;
  let bias = INITIAL_BIAS;
  for (let pos = basicEnd > 0 ? basicEnd + 1 : 0; pos < input.length; ) {
    const oldi = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (pos >= input.length) return null;
      const digit = digitOf(input.charCodeAt(pos++));
      if (digit >= BASE) return null;
      if (digit > Math.floor((0x7fffffff - i) / w)) return null;
      i += digit * w;
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < t) break;
      if (w > Math.floor(0x7fffffff / (BASE - t))) return null;
      w *= BASE - t;
    }
    const len = output.length + 1;
    bias = adapt(i - oldi, len, oldi === 0);
    if (Math.floor(i / len) > 0x10ffff - n) return null;
    n += Math.floor(i / len);
    i %= len;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    output.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...output);
}

/**
 * Decodes a hostname's `xn--` labels; a label that fails to decode stays as it is.
 * Lower-cased unless `keepCase` (the look-alike check compares what is displayed:
 * "gmaiI.com" with a capital I).
 */
export function toUnicodeHost(host: string, keepCase = false): string {
  return (keepCase ? host : host.toLowerCase())
    .split('.')
    .map((label) => {
      if (!/^xn--/i.test(label)) return label;
      return punycodeDecode(label.slice(4)) ?? label;
    })
    .join('.');
}

function encodeDigit(d: number): string {
  return String.fromCharCode(d < 26 ? 0x61 + d : 0x30 + d - 26); // 0-25 → a-z, 26-35 → 0-9
}

/** RFC 3492 §6.3: the Punycode of one label's code points (without `xn--`); null past MAX_LABEL input. */
export function punycodeEncode(input: string): string | null {
  const points = [...input].map((c) => c.codePointAt(0)!);
  if (points.length > MAX_LABEL) return null;
  let output = points
    .filter((c) => c < 0x80)
    .map((c) => String.fromCharCode(c))
    .join('');
  const basic = output.length;
  let handled = basic;
  if (basic > 0) output += '-';
  let n = INITIAL_N;
  let delta = 0;
  let bias = INITIAL_BIAS;
  while (handled < points.length) {
    const m = Math.min(...points.filter((c) => c >= n));
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of points) {
      if (c < n) delta++;
      if (c !== n) continue;
      let q = delta;
      for (let k = BASE; ; k += BASE) {
        const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
        if (q < t) break;
        output += encodeDigit(t + ((q - t) % (BASE - t)));
        q = Math.floor((q - t) / (BASE - t));
      }
      output += encodeDigit(q);
      bias = adapt(delta, handled + 1, handled === basic);
      delta = 0;
      handled++;
    }
    delta++;
    n++;
  }
  return output;
}

/**
 * A hostname's literal ASCII form: each non-ASCII label as `xn--` + its Punycode,
 * without UTS #46 mapping, so what is shown is what the mail really names.
 */
export function toAsciiHost(host: string): string {
  return host
    .split('.')
    .map((label) => {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range itself
      if (/^[\x00-\x7f]*$/.test(label)) return label;
      const encoded = punycodeEncode(label);
      return encoded === null ? label : `xn--${encoded}`;
    })
    .join('.');
}

/** Scripts told apart; Common and Inherited characters go with any script (UTS #24). */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Nko',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Ethiopic',
  'Cherokee',
  'Canadian_Aboriginal',
  'Tifinagh',
  'Coptic',
  'Hangul',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
  'Yi',
  'Vai',
  'Lisu',
  'Adlam',
  'Osage',
] as const;

const SCRIPT_RES = SCRIPTS.map((s) => [s, new RegExp(`^\\p{scx=${s}}$`, 'u')] as const);
const COMMON_OR_INHERITED = /^[\p{scx=Zyyy}\p{scx=Zinh}]$/u;

/**
 * UTS #39 §5.1: "Han" goes with the writing systems that use it (Jpan, Hanb, Kore),
 * and Hiragana/Katakana, Bopomofo and Hangul with theirs.
 */
function augmented(scripts: Set<string>): Set<string> {
  const out = new Set(scripts);
  if (scripts.has('Han')) for (const s of ['Jpan', 'Hanb', 'Kore']) out.add(s);
  if (scripts.has('Hiragana') || scripts.has('Katakana')) out.add('Jpan');
  if (scripts.has('Bopomofo')) out.add('Hanb');
  if (scripts.has('Hangul')) out.add('Kore');
  return out;
}

/** The augmented Script_Extensions of one character, or null for Common/Inherited (any script). */
function scriptsOf(ch: string): Set<string> | null {
  if (COMMON_OR_INHERITED.test(ch)) return null;
  const found = new Set<string>();
  for (const [name, re] of SCRIPT_RES) if (re.test(ch)) found.add(name);
  if (found.size === 0) found.add('Other');
  return augmented(found);
}

/** UTS #39 §5.1 resolved script set; null means "all scripts" (only Common/Inherited characters). */
function resolvedScripts(text: string): Set<string> | null {
  let resolved: string[] | null = null;
  for (const ch of text) {
    const s = scriptsOf(ch);
    if (!s) continue;
    resolved = resolved === null ? [...s] : resolved.filter((x) => s.has(x));
  }
  return resolved === null ? null : new Set(resolved);
}

/** The scripts a label's characters belong to (for the warning text), in order of first use. */
export function scriptNames(text: string): string[] {
  const names: string[] = [];
  for (const ch of text) {
    if (COMMON_OR_INHERITED.test(ch)) continue;
    const hit = SCRIPT_RES.find(([, re]) => re.test(ch));
    const name = hit ? hit[0] : 'Other';
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * True when a label mixes scripts beyond what UTS #39 §5.2 "Highly Restrictive"
 * allows (e.g. Latin with one Cyrillic letter: "pаypal").
 */
export function isMixedScript(label: string): boolean {
  const all = resolvedScripts(label);
  if (all === null || all.size > 0) return false;
  // Latin plus one of the CJK writing systems is allowed.
  const withoutLatin = resolvedScripts([...label].filter((ch) => !/^\p{scx=Latin}$/u.test(ch)).join(''));
  if (withoutLatin === null) return false;
  return !(withoutLatin.has('Jpan') || withoutLatin.has('Hanb') || withoutLatin.has('Kore'));
}
