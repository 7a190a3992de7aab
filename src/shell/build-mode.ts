/**
 * Compile-time build facts. Vite replaces `import.meta.env.MODE` with a string literal,
 * so `if (IS_E2E_BUILD)` branches are removed from production bundles entirely.
 */
import { E2E_MATCHES, WEBMAIL_MATCHES } from './hosts';

export const IS_E2E_BUILD: boolean = import.meta.env.MODE === 'e2e';

/** This build's content-script match patterns (webmail; plus loopback in e2e builds). */
export const BUILD_MATCHES: readonly string[] = IS_E2E_BUILD
  ? [...WEBMAIL_MATCHES, ...E2E_MATCHES]
  : WEBMAIL_MATCHES;

/**
 * The attribute on `document.documentElement` where the e2e build's content script
 * reports the background's answer to `system:ping`. Never written by production builds.
 */
export const E2E_RESULT_ATTRIBUTE = 'data-cipherpost-e2e';
