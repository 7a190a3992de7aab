/**
 * What our frames ask of their tab or of the browser (docs/webmail-integration.md
 * §Reading 6–7): their height, forwarded to the content script that sizes the
 * iframe, and the extension's own unlock window: a passphrase is never typed
 * inside a webmail page.
 */
import type { Handlers } from '../messaging/router';
import type { BackgroundContext } from './context';
import { type BrowserPorts, deliver } from './ports';

export function frameHandlers(
  ctx: BackgroundContext,
  ports: Pick<BrowserPorts, 'tabs' | 'windows' | 'getURL'>,
): Pick<Handlers, 'frame:resize' | 'vault:open-unlock'> {
  return {
    'frame:resize': async ({ ticket: id, height }, sender) => {
      const ticket = await ctx.tickets.redeem(id, sender, 'any');
      return {
        resized: await deliver(ports.tabs, ticket.tabId, { type: 'frame:resize', ticket: id, height }),
      };
    },
    'vault:open-unlock': async () => {
      await ports.windows.open({ url: ports.getURL('/popup.html'), type: 'popup', width: 400, height: 640 });
      return { opened: true } as const;
    },
  };
}
