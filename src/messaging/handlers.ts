/** The background's message handlers, one per message type. */

import type { SomeHandlers } from './router';

export interface BackgroundEnv {
  /** The manifest's version string. */
  version: string;
  /** The browser the build targets (`import.meta.env.BROWSER`). */
  browser: string;
}

export function createHandlers(env: BackgroundEnv): SomeHandlers {
  return {
    'system:ping': () => ({ version: env.version, browser: env.browser }),
  };
}
