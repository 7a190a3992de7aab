/**
 * Starts the runtime in the top frame with the real browser APIs. Called from
 * entrypoints/content.ts. The content script runs in the top frame only, by
 * design: the background accepts content-script senders from frame 0 only, and
 * same-origin frames (Roundcube's preview, TinyMCE) are reached through
 * `iframe.contentDocument`.
 */
import { browser } from 'wxt/browser';
import { sendMessage } from '../messaging/client';
import type { Message } from '../messaging/messages';
import { pickProvider } from '../providers';
import { createCommandListener } from './commands';
import type { ContentDeps } from './deps';
import { type Runtime, startRuntime } from './runtime';
import { gatherSenderFacts } from './sender-facts';

/** How long a deferred pass may wait when the tab is hidden (no animation frames). */
const IDLE_FALLBACK_MS = 250;

export function browserDeps(win: Window): ContentDeps {
  return {
    send: (message) => sendMessage(message as Message) as never,
    getURL: (path) => browser.runtime.getURL(path as '/'),
    message: (key) => browser.i18n.getMessage(key as never) || key,
    async fetchText(url) {
      const response = await win.fetch(url, { credentials: 'include', redirect: 'error' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.text();
    },
    defer(callback) {
      let done = false;
      const run = () => {
        if (done) return;
        done = true;
        callback();
      };
      win.requestAnimationFrame(run);
      win.setTimeout(run, IDLE_FALLBACK_MS);
    },
    now: () => Date.now(),
    setTimeout: (callback, ms) => win.setTimeout(callback, ms),
    clearTimeout: (id) => win.clearTimeout(id),
  };
}

export function startContentScript(win: Window, signal: AbortSignal): Runtime {
  const provider = pickProvider(win.location, win.document);
  const runtime = startRuntime(win.document, provider, browserDeps(win), signal, {
    gatherFacts: (doc, _message, factsSignal) => gatherSenderFacts(provider, doc, { signal: factsSignal }),
    // The isolated world's console: the page cannot read it (docs/privacy.md §Tampering).
    log: (message) => console.warn(message),
  });
  const listener = createCommandListener(() => browser.runtime?.id, runtime.handle);
  browser.runtime.onMessage.addListener(listener as never);
  signal.addEventListener('abort', () => browser.runtime?.onMessage?.removeListener(listener as never), {
    once: true,
  });
  return runtime;
}
