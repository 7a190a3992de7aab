import { fileURLToPath } from 'node:url';
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
  // Content script only: WXT's ContentScriptContext announces every content script
  // on the page's document with an event named after the extension id. Its only
  // importer is WXT's content-script wrapper; src/content/context.ts takes its place
  // and dispatches nothing the page can observe (SECURITY.md §Known issues,
  // test/content/context.test.ts checks the alias still hits).
  vite: () => ({
    resolve: {
      alias: [
        {
          find: /^wxt\/utils\/content-script-context$/,
          replacement: fileURLToPath(new URL('./src/content/context.ts', import.meta.url)),
        },
      ],
    },
  }),
  manifest: ({ browser, mode }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // Minimal permissions: storage for the vault (IndexedDB needs none; storage.local
    // and storage.session hold the marker and the unlocked session), alarms for
    // auto-lock. Host access only for the webmail hosts the content scripts declare;
    // `scripting` and `activeTab` let the popup's "Use Cipherpost on this site" add
    // one more origin, through an optional permission the user grants for that
    // origin alone (docs/webmail-integration.md §Host permissions).
    // `declarativeNetRequest` blocks third-party remote content of webmail pages
    // before any request leaves (block and allow rules only: no host access needed,
    // nothing is read or redirected; docs/privacy.md).
    permissions: ['storage', 'alarms', 'scripting', 'activeTab', 'declarativeNetRequest'],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    // The compose and reader frames are laid over webmail pages. Without a valid
    // ticket of the same tab they show nothing; Chrome's dynamic URL changes every
    // session so a page cannot probe for them (Firefox's URLs are per-install).
    // banner.html is the privacy banner (issue 6): it shows only what its ticket's
    // scan found, to a frame of the same tab.
    web_accessible_resources: [
      {
        resources: ['compose.html', 'reader.html', 'banner.html'],
        matches: ['https://*/*', 'http://*/*'],
        ...(browser === 'firefox' ? {} : { use_dynamic_url: true }),
      },
    ],
    action: { default_title: 'Cipherpost' },
    // 'wasm-unsafe-eval' lets hash-wasm's Argon2id compile; nothing may load remote
    // code. One policy covers every extension page, and the compose and reader
    // frames must be framed by webmail pages, so there is no frame-ancestors here:
    // pages other than those two are not web-accessible, so no site can frame them.
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'",
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
