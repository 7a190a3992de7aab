import { defineConfig } from 'wxt';
import { contentScriptMatches } from './src/shell/hosts';

// `--mode e2e` builds the same extension with one addition: its content script
// also runs on http://127.0.0.1 so the browser tests can drive it on a loopback
// page. Production builds never match loopback (see docs/testing.md). The host
// list lives in src/shell/hosts.ts, shared with the content script and the
// background's sender check.

export default defineConfig({
  imports: false,
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'public',
  outDir: '.output',
  manifestVersion: 3,
  manifest: ({ browser, mode }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // Minimal permissions: storage for the vault (IndexedDB needs none; storage.local
    // and storage.session hold the marker and the unlocked session), alarms for
    // auto-lock. Host access only for the webmail hosts the content scripts declare.
    permissions: ['storage', 'alarms'],
    action: { default_title: 'Cipherpost' },
    // 'wasm-unsafe-eval' lets hash-wasm's Argon2id compile; nothing may load remote
    // code, and extension pages may not be framed by anyone but us.
    content_security_policy: {
      extension_pages:
        "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'",
    },
    host_permissions: contentScriptMatches(mode),
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'cipherpost@cipherpost.dev',
              strict_min_version: '140.0',
              // Cipherpost sends nothing anywhere: declared so for Firefox's built-in consent.
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : { minimum_chrome_version: '137' }),
  }),
});
