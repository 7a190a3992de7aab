/** Every message handler of the background, from one shared context. */
import type { Handlers } from '../messaging/router';
import { contactHandlers } from './contact-handlers';
import type { BackgroundContext } from './context';
import type { DirectoryDeps } from './directory';
import { directoryHandlers } from './directory-handlers';
import { messageHandlers } from './message-handlers';
import { miscHandlers } from './misc-handlers';
import { vaultHandlers } from './vault-handlers';

export function createBackgroundHandlers(
  ctx: BackgroundContext,
  env: { version: string; browser: string },
  /** Tests inject `fetch` to reach a fake directory. */
  deps: DirectoryDeps = {},
): Handlers {
  return {
    ...miscHandlers(ctx, env),
    ...vaultHandlers(ctx),
    ...contactHandlers(ctx),
    ...messageHandlers(ctx),
    ...directoryHandlers(ctx, deps),
  };
}
