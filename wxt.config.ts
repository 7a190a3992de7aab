import { defineConfig } from 'wxt';

// `--mode e2e` builds the same extension with one addition: its content script
// also runs on http://127.0.0.1 so the browser tests can drive it on a loopback
// page. Production builds never match loopback (see docs/testing.md).
const E2E_MATCHES = ['http://127.0.0.1/*'];

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
    host_permissions: mode === 'e2e' ? E2E_MATCHES : [],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: { id: 'cipherpost@cipherpost.dev', strict_min_version: '140.0' },
          },
        }
      : { minimum_chrome_version: '137' }),
  }),
});
