import { defineContentScript } from 'wxt/utils/define-content-script';
import { startContentScript } from '../src/content/main';
import { sendMessage } from '../src/messaging/client';
import { BUILD_MATCHES, E2E_RESULT_ATTRIBUTE, IS_E2E_BUILD } from '../src/shell/build-mode';

// The runtime lives in src/content (docs/webmail-integration.md §Content script).
// wxt.config.ts swaps WXT's ContentScriptContext for src/content/context.ts, which
// announces nothing to the page (SECURITY.md §Known issues).
export default defineContentScript({
  // Webmail hosts only; `--mode e2e` adds http://127.0.0.1 for the browser tests.
  matches: [...BUILD_MATCHES],
  runAt: 'document_idle',
  // Top frame only: same-origin frames are reached through iframe.contentDocument.
  allFrames: false,
  noScriptStartedPostMessage: true,
  async main(ctx) {
    try {
      startContentScript(window, ctx.signal);
    } catch (error) {
      // A webmail's odd DOM must not take the ping (and the e2e report) down with it.
      console.error('Cipherpost content script did not start', error);
    }
    const answer = await sendMessage({ type: 'system:ping' });
    // Compile-time constant: this block is not in production bundles, which touch
    // the page's DOM only to draw Cipherpost's own closed-shadow hosts.
    if (IS_E2E_BUILD) {
      document.documentElement.setAttribute(E2E_RESULT_ATTRIBUTE, JSON.stringify(answer));
    }
  },
});
