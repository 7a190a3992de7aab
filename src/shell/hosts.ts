/**
 * Where Cipherpost's content script runs, as WebExtension match patterns.
 *
 * One list feeds three places, so they cannot drift apart:
 * - the content script's `matches` (entrypoints/content.ts),
 * - the manifest's `host_permissions` (wxt.config.ts),
 * - the background's sender check for content scripts (src/messaging/sender.ts).
 */

/** The webmail hosts the production extension works on. */
export const WEBMAIL_MATCHES: readonly string[] = [
  'https://mail.google.com/*',
  'https://outlook.live.com/*',
  'https://outlook.office.com/*',
  'https://outlook.office365.com/*',
  'https://mail.yahoo.com/*',
];

/**
 * Added only by `wxt build --mode e2e`, so the browser tests can drive the content
 * script on a loopback page (any port: match patterns do not carry a port).
 */
export const E2E_MATCHES: readonly string[] = ['http://127.0.0.1/*'];

/**
 * The content-script match patterns for a build mode (`production`, `e2e`, ...), for
 * wxt.config.ts. Bundled code uses BUILD_MATCHES instead, so that production
 * bundles do not even contain the loopback pattern.
 */
export function contentScriptMatches(mode: string | undefined): string[] {
  return mode === 'e2e' ? [...WEBMAIL_MATCHES, ...E2E_MATCHES] : [...WEBMAIL_MATCHES];
}
