/** Every message handler of the background, from one shared context. */
import type { Handlers } from '../messaging/router';
import { contactHandlers } from './contact-handlers';
import type { BackgroundContext } from './context';
import { messageHandlers } from './message-handlers';
import { miscHandlers } from './misc-handlers';
import { vaultHandlers } from './vault-handlers';

export function createBackgroundHandlers(
  ctx: BackgroundContext,
  env: { version: string; browser: string },
): Handlers {
  return {
    ...miscHandlers(ctx, env),
    ...vaultHandlers(ctx),
    ...contactHandlers(ctx),
    ...messageHandlers(ctx),
  };
}
