/**
 * Which sites Cipherpost runs on (docs/webmail-integration.md §Host permissions): the
 * build's webmail hosts, plus origins the user enabled from the popup. Pure: tested in
 * test/ui/sites.test.ts.
 */

/** The origin of an http(s) URL, or null for anything else (about:, chrome:, file:, ...). */
export function httpOrigin(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * Whether an origin falls under a WebExtension match pattern such as
 * `https://mail.google.com/*`, `https://*.example.com/*` or `*://host/*`. Match patterns
 * carry no port, so they match any port of the host.
 */
export function originMatches(origin: string, pattern: string): boolean {
  const m = pattern.match(/^(\*|https?):\/\/(\*|(?:\*\.)?[^/*]+)\/.*$/);
  if (!m) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const scheme = url.protocol.slice(0, -1);
  const [, patternScheme, patternHost] = m as unknown as [string, string, string];
  if (patternScheme === '*' ? scheme !== 'http' && scheme !== 'https' : patternScheme !== scheme)
    return false;
  if (patternHost === '*') return true;
  if (patternHost.startsWith('*.')) {
    const base = patternHost.slice(2);
    return url.hostname === base || url.hostname.endsWith(`.${base}`);
  }
  return url.hostname === patternHost;
}

/** Already handled: a build host, or an origin the user enabled. */
export function isCovered(
  origin: string,
  buildPatterns: readonly string[],
  enabled: readonly string[],
): boolean {
  return enabled.includes(origin) || buildPatterns.some((p) => originMatches(origin, p));
}

/** The permission pattern requested for one enabled origin. */
export function originPattern(origin: string): string {
  return `${origin}/*`;
}
