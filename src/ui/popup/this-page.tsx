/**
 * The popup's "this page" section (issue 5): whether Cipherpost works on the active tab,
 * what the provider found there (providers:status), "Use Cipherpost on this site" for an
 * http(s) origin not covered yet, and the sites the user enabled.
 */
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ProviderId, ResponseOf } from '../../messaging/messages';
import { BUILD_MATCHES } from '../../shell/build-mode';
import { call, errorText } from '../api';
import { EnabledSites } from '../components/enabled-sites';
import { t } from '../i18n';
import { httpOrigin, isCovered, originPattern } from '../sites';

const PROVIDER_NAMES: Record<Exclude<ProviderId, 'generic'>, string> = {
  roundcube: 'Roundcube',
  gmail: 'Gmail',
  outlook: 'Outlook',
  yahoo: 'Yahoo Mail',
};

export function providerName(id: ProviderId): string {
  return id === 'generic' ? t('provider_generic') : PROVIDER_NAMES[id];
}

interface ActiveTab {
  id: number;
  origin: string | null;
}

export function ThisPage() {
  const [tab, setTab] = useState<ActiveTab | null>(null);
  const [sites, setSites] = useState<string[] | null>(null);
  const [probe, setProbe] = useState<ResponseOf<'providers:status'>>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const refresh = async () => {
    const [active] = await browser.tabs.query({ active: true, currentWindow: true });
    const current = active?.id === undefined ? null : { id: active.id, origin: httpOrigin(active.url) };
    setTab(current);
    const list = await call({ type: 'sites:list' });
    if (list.ok) setSites(list.value);
    else setError(errorText(list));
    if (current) {
      const status = await call({ type: 'providers:status', tabId: current.id });
      setProbe(status.ok ? status.value : null);
    }
  };
  useEffect(() => {
    refresh();
  }, []);

  function enable() {
    if (!tab?.origin) return;
    const { origin, id } = tab;
    setError('');
    setNotice('');
    // Called at once in the click handler: the permission prompt needs the user gesture.
    browser.permissions
      .request({ origins: [originPattern(origin)] })
      .then(async (granted) => {
        if (!granted) return setError(t('site_permission_denied'));
        const r = await call({ type: 'sites:enable', origin, tabId: id });
        if (!r.ok) return setError(errorText(r));
        setNotice(t(r.value.injected ? 'site_enabled' : 'site_enabled_reload'));
        refresh();
      })
      .catch(() => setError(t('site_permission_denied')));
  }

  if (!tab || sites === null) return error ? <p class="error">{error}</p> : null;
  const covered = tab.origin !== null && isCovered(tab.origin, BUILD_MATCHES, sites);

  return (
    <section class="card this-page" data-testid="this-page">
      <h3>{t('this_page_title')}</h3>
      {probe?.compose === 'missing' && (
        <p class="warning" role="alert" data-testid="compose-missing">
          {t('provider_compose_missing')}
        </p>
      )}
      {probe?.reader === 'missing' && (
        <p class="warning" role="alert" data-testid="reader-missing">
          {t('provider_reader_missing')}
        </p>
      )}
      {probe && probe.compose !== 'missing' && probe.reader !== 'missing' && (
        <p class="hint" data-testid="provider-active">
          {t('provider_active', providerName(probe.provider))}
        </p>
      )}
      {tab.origin !== null && !covered && (
        <button type="button" data-testid="enable-site" onClick={enable}>
          {t('site_enable', new URL(tab.origin).host)}
        </button>
      )}
      {tab.origin === null && <p class="hint">{t('site_not_web')}</p>}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <details>
        <summary>{t('sites_title')}</summary>
        <EnabledSites
          sites={sites}
          onChange={(e) => {
            setError(e);
            refresh();
          }}
        />
      </details>
    </section>
  );
}
