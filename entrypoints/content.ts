import { defineContentScript } from 'wxt/utils/define-content-script';
import { sendMessage } from '../src/messaging/client';
import { BUILD_MATCHES, E2E_RESULT_ATTRIBUTE, IS_E2E_BUILD } from '../src/shell/build-mode';

export default defineContentScript({
  // Webmail hosts only; `--mode e2e` adds http://127.0.0.1 for the browser tests.
  matches: [...BUILD_MATCHES],
  runAt: 'document_idle',
  // WXT's context would otherwise window.postMessage a "script started" message,
  // containing our runtime id, to the page and its frames (see docs/testing.md).
  noScriptStartedPostMessage: true,
  async main() {
    const answer = await sendMessage({ type: 'system:ping' });
    // Compile-time constant: this block is not in production bundles, which never
    // touch the page's DOM.
    if (IS_E2E_BUILD) {
      document.documentElement.setAttribute(E2E_RESULT_ATTRIBUTE, JSON.stringify(answer));
    }
  },
});
