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
    name: 'Cipherpost',
    description: 'End-to-end, post-quantum encryption for the webmail you already use.',
    // Minimal permissions (issue #2): storage for the vault; host access only for
    // the webmail hosts the content scripts declare. Nothing else.
    permissions: ['storage'],
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
