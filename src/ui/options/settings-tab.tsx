/** Settings: the auto-lock time, the key directory URL, enabled sites and remote-content senders. */
import { useEffect, useState } from 'preact/hooks';
import type { Settings } from '../../messaging/messages';
import { call, errorText } from '../api';
import { Alerts } from '../components/alerts';
import { EnabledSites } from '../components/enabled-sites';
import { RemoteSenders } from '../components/remote-senders';
import { t } from '../i18n';

export function SettingsTab() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [sites, setSites] = useState<string[]>([]);
  const loadSites = () => call({ type: 'sites:list' }).then((r) => r.ok && setSites(r.value));
  useEffect(() => {
    call({ type: 'settings:get' }).then((r) => (r.ok ? setSettings(r.value) : setError(errorText(r))));
    loadSites();
  }, []);
  if (!settings) return error ? <p class="error">{error}</p> : null;

  async function save(e: Event) {
    e.preventDefault();
    if (!settings) return;
    const r = await call({ type: 'settings:set', ...settings });
    if (r.ok) {
      setSettings(r.value);
      setError('');
      setNotice(t('settings_saved'));
    } else {
      setNotice('');
      setError(errorText(r));
    }
  }

  return (
    <>
      <form class="card" onSubmit={save} data-testid="settings-tab">
        <Alerts error={error} notice={notice} />
        <label>
          {t('settings_auto_lock')}
          <input
            type="number"
            min={1}
            max={1440}
            data-testid="auto-lock"
            value={settings.autoLockMinutes}
            onInput={(e) => setSettings({ ...settings, autoLockMinutes: Number(e.currentTarget.value) })}
          />
        </label>
        <label>
          {t('settings_directory_url')}
          <input
            type="url"
            data-testid="directory-url"
            value={settings.directoryUrl}
            onInput={(e) => setSettings({ ...settings, directoryUrl: e.currentTarget.value })}
          />
        </label>
        <label>
          {t('settings_directory_key')}
          <input
            data-testid="directory-key"
            spellcheck={false}
            autocomplete="off"
            placeholder="base64"
            value={settings.directoryPublicKey}
            onInput={(e) => setSettings({ ...settings, directoryPublicKey: e.currentTarget.value.trim() })}
          />
        </label>
        <p class="hint">{t('settings_directory_key_explain')}</p>
        <button type="submit" data-testid="save-settings">
          {t('save')}
        </button>
      </form>
      <section class="card" data-testid="sites-section">
        <h3>{t('sites_title')}</h3>
        <p class="hint">{t('sites_explain')}</p>
        <EnabledSites
          sites={sites}
          onChange={(e) => {
            setError(e);
            loadSites();
          }}
        />
      </section>
      <RemoteSenders />
    </>
  );
}
