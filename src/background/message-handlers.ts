/** Reading a message in an extension page or frame: rate-limited, authenticated before release. */
import type { Handlers } from '../messaging/router';
import { type BackgroundContext, explained } from './context';
import { decryptArmored } from './decrypt';

export function messageHandlers(ctx: BackgroundContext): Pick<Handlers, 'message:decrypt'> {
  return {
    'message:decrypt': ({ armored }, sender) =>
      explained(async () => (await decryptArmored(ctx, armored, sender)).view),
  };
}
