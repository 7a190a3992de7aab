/** Every message handler of the background, from one shared context. */
import type { Handlers } from '../messaging/router';
import { composeHandlers } from './compose-handlers';
import { contactHandlers } from './contact-handlers';
import type { BackgroundContext } from './context';
import type { DirectoryDeps } from './directory';
import { directoryHandlers } from './directory-handlers';
import { frameHandlers } from './frame-handlers';
import { messageHandlers } from './message-handlers';
import { miscHandlers } from './misc-handlers';
import { type BrowserPorts, browserPorts } from './ports';
import { privacyHandlers } from './privacy-handlers';
import { providerHandlers } from './provider-status';
import { readerHandlers } from './reader-handlers';
import { memoryDnr, RemoteRules } from './remote-rules';
import { RemoteSenders } from './remote-senders';
import { SiteRegistry, siteHandlers } from './sites';
import { vaultHandlers } from './vault-handlers';

export interface BackgroundDeps extends DirectoryDeps {
  /** The browser APIs of the webmail integration; tests pass fakes. */
  ports?: BrowserPorts;
  /** The enabled sites, shared with the router's content-script hosts (main.ts). */
  sites?: SiteRegistry;
  /** The browser's remote-content rules (main.ts installs the block rules at start-up). */
  remoteRules?: RemoteRules;
  now?: () => number;
}

export function createBackgroundHandlers(
  ctx: BackgroundContext,
  env: { version: string; browser: string },
  /** Tests inject `fetch` to reach a fake directory, and fake browser ports. */
  deps: BackgroundDeps = {},
): Handlers {
  const ports = deps.ports ?? browserPorts();
  const sites = deps.sites ?? new SiteRegistry(ctx.local, ports);
  // One list (it caches): the reader's and the banner's "Always for this sender", the options.
  const remoteSenders = new RemoteSenders(ctx.local);
  return {
    ...miscHandlers(ctx, env),
    ...vaultHandlers(ctx),
    ...contactHandlers(ctx),
    ...messageHandlers(ctx),
    ...directoryHandlers(ctx, deps),
    ...readerHandlers(ctx, ports, remoteSenders),
    ...composeHandlers(ctx, ports, deps, deps.now),
    ...frameHandlers(ctx, ports),
    ...providerHandlers(ctx.providerReports),
    ...siteHandlers(sites),
    ...privacyHandlers(
      ctx,
      ports,
      deps.remoteRules ?? new RemoteRules(ports.dnr ?? memoryDnr()),
      remoteSenders,
      deps.now,
    ),
  };
}
