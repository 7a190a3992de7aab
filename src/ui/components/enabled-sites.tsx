/** The sites the user enabled (popup and options), each with Remove. */
import { browser } from 'wxt/browser';
import { call, errorText } from '../api';
import { t } from '../i18n';
import { originPattern } from '../sites';

/** Turns a site off and gives its host permission back. */
export async function disableSite(origin: string): Promise<string> {
  const r = await call({ type: 'sites:disable', origin });
  if (!r.ok) return errorText(r);
  // The background may have removed it already; either way the permission is gone.
  await browser.permissions.remove({ origins: [originPattern(origin)] }).catch(() => false);
  return '';
}

export function EnabledSites({ sites, onChange }: { sites: string[]; onChange: (error: string) => void }) {
  if (sites.length === 0) return <p class="hint">{t('sites_none')}</p>;
  return (
    <ul class="sites" data-testid="enabled-sites">
      {sites.map((origin) => (
        <li key={origin} data-site={origin}>
          <span>{origin}</span>{' '}
          <button
            type="button"
            class="link"
            aria-label={t('sites_remove_named', origin)}
            onClick={async () => onChange(await disableSite(origin))}
          >
            {t('sites_remove')}
          </button>
        </li>
      ))}
    </ul>
  );
}
