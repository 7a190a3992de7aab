/** Wires the router to the real (or a fake) `browser.runtime`. Background only. */

import { browser } from 'wxt/browser';
import { createHandlers } from './handlers';
import type { Result } from './result';
import { createRouter, type RouterOptions } from './router';

/** The slice of `browser.runtime` the background needs; fakeBrowser fits too. */
export interface RuntimeLike {
  id: string;
  getURL(path: string): string;
  getManifest(): { version: string };
  onMessage: {
    addListener(
      listener: (
        message: unknown,
        sender: unknown,
        sendResponse: (response: Result<unknown>) => void,
      ) => true,
    ): void;
  };
}

/**
 * Registers the message router on `runtime.onMessage`. Answers go through
 * `sendResponse` (and the listener returns `true`), which both Chrome and Firefox
 * support, for every message: none is left without an answer.
 */
export function registerMessageRouter(
  runtime: RuntimeLike = browser.runtime as unknown as RuntimeLike,
  options: Partial<Pick<RouterOptions, 'contentHosts' | 'handlers' | 'onError' | 'onRefused'>> = {},
): void {
  const route = createRouter({
    extensionId: runtime.id,
    extensionOrigin: runtime.getURL('/'),
    handlers:
      options.handlers ??
      createHandlers({
        version: runtime.getManifest().version,
        browser: import.meta.env.BROWSER ?? 'unknown',
      }),
    ...(options.contentHosts ? { contentHosts: options.contentHosts } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.onRefused ? { onRefused: options.onRefused } : {}),
  });
  runtime.onMessage.addListener((message, sender, sendResponse) => {
    route(message, sender).then(sendResponse, () =>
      sendResponse({ ok: false, code: 'internal', message: 'router failed' }),
    );
    return true;
  });
}
