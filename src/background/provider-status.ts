/**
 * What each tab's content script last found (docs/webmail-integration.md
 * §Providers): the popup asks for its tab so it can say "Cipherpost cannot find
 * the compose window on this page". Memory only, dropped when the tab closes.
 */
import type { ResponseOf } from '../messaging/messages';
import type { Handlers } from '../messaging/router';

type Report = NonNullable<ResponseOf<'providers:status'>>;

export class ProviderReports {
  private readonly reports = new Map<number, Report>();
  constructor(private readonly now: () => number = Date.now) {}

  record(tabId: number, report: Omit<Report, 'at'>): void {
    this.reports.set(tabId, { ...report, at: this.now() });
  }

  get(tabId: number): Report | null {
    return this.reports.get(tabId) ?? null;
  }

  dropTab(tabId: number): void {
    this.reports.delete(tabId);
  }
}

export function providerHandlers(
  reports: ProviderReports,
): Pick<Handlers, 'providers:report' | 'providers:status'> {
  return {
    'providers:report': ({ provider, compose, reader }, sender) => {
      // The router lets only content scripts send this, and they always have a tab.
      if (sender.kind === 'content-script') reports.record(sender.tabId, { provider, compose, reader });
      return { recorded: true } as const;
    },
    'providers:status': ({ tabId }) => reports.get(tabId),
  };
}
