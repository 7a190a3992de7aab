/**
 * Authentication-Results header fields (RFC 8601), for the sender checks.
 *
 * Security caveats:
 * - Anyone can write an Authentication-Results field into a message they send.
 *   Only the fields the receiving server wrote count (RFC 8601 §5, §7.2): those are
 *   the topmost ones, because trace fields are prepended (RFC 5322 §3.6.7). We take
 *   the topmost field's authserv-id and the unbroken run of fields with that same
 *   id from the top; anything below is ignored. This is a heuristic: a receiving
 *   server that writes no such field at all leaves the sender's forged one on top.
 *   So a `pass` here only ever quiets mild warnings (sender-check.ts), never a
 *   look-alike or display-name warning.
 * - Input is hostile: lengths are capped and parsing is a linear scan, no regex
 *   with nested quantifiers.
 */

/** One resinfo (RFC 8601 §2.2): `method=result reason=... ptype.property=value ...`. */
export interface AuthResult {
  /** Lower-cased, without a method version: `spf`, `dkim`, `dmarc`, ... */
  method: string;
  /** Lower-cased: `pass`, `fail`, `softfail`, `neutral`, `none`, ... */
  result: string;
  /** `ptype.property` (lower-cased) to value, e.g. `header.from` → `example.com`. */
  props: Record<string, string>;
}

export interface AuthResultsField {
  /** Lower-cased authserv-id (RFC 8601 §2.5). */
  authservId: string;
  results: AuthResult[];
}

const MAX_FIELD = 8 * 1024;
const MAX_FIELDS = 32;
const MAX_RESULTS = 32;

/** Removes comments (RFC 5322 §3.2.2, nested) outside quoted strings; keeps quoted strings as they are. */
function stripComments(text: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += c + (text[i + 1] ?? '');
      i++;
    } else if (depth > 0) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
    } else if (c === '"') {
      quoted = !quoted;
      out += c;
    } else if (c === '(' && !quoted) {
      depth = 1;
      out += ' ';
    } else out += c;
  }
  return out;
}

/** Splits at `;` outside quoted strings. */
function splitResinfo(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quoted) {
      current += c + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** `key = value` pairs in order (whitespace around `=` allowed; values may be quoted strings). */
function pairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  const n = text.length;
  const skipWs = () => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  while (i < n) {
    skipWs();
    let key = '';
    while (i < n && !/[\s=]/.test(text[i]!)) key += text[i++];
    skipWs();
    if (text[i] !== '=') {
      // A bare word (e.g. a method version's leftovers): skip it.
      if (key === '') i++;
      continue;
    }
    i++;
    skipWs();
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\') i++;
        if (i < n) value += text[i++];
      }
      i++;
    } else while (i < n && !/\s/.test(text[i]!)) value += text[i++];
    if (key) out.push([key.toLowerCase(), value]);
  }
  return out;
}

/** Parses one Authentication-Results field value; null when it has no authserv-id. */
export function parseAuthResults(value: string): AuthResultsField | null {
  const parts = splitResinfo(stripComments(value.slice(0, MAX_FIELD)));
  // authserv-id [CFWS authres-version]
  const authservId = (parts[0] ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!authservId) return null;
  const results: AuthResult[] = [];
  for (const part of parts.slice(1, 1 + MAX_RESULTS)) {
    const kv = pairs(part);
    const first = kv[0];
    if (!first) continue; // `none` (no-result) or empty
    // methodspec: method [ "/" version ] "=" result
    const method = first[0].split('/')[0]!.trim();
    const props: Record<string, string> = {};
    for (const [k, v] of kv.slice(1)) if (k.includes('.') && !(k in props)) props[k] = v;
    results.push({ method, result: first[1].toLowerCase(), props });
  }
  return { authservId, results };
}

/**
 * The results the receiving server wrote: from `values` (newest first, as in
 * SenderFacts.authResults), the topmost field and the fields right below it with
 * the same authserv-id.
 */
export function trustedAuthResults(values: readonly string[]): AuthResult[] {
  const fields = values.slice(0, MAX_FIELDS).map(parseAuthResults);
  const top = fields[0];
  if (!top) return [];
  const out: AuthResult[] = [];
  for (const f of fields) {
    if (!f || f.authservId !== top.authservId) break;
    out.push(...f.results);
  }
  return out;
}

/** The domain part of a property value such as `@example.com` or `user@example.com`. */
export function domainOfProp(value: string | undefined): string {
  if (!value) return '';
  const at = value.lastIndexOf('@');
  return (at >= 0 ? value.slice(at + 1) : value).toLowerCase();
}
