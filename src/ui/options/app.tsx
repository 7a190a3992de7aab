/** The options page: keys and backup, contacts, settings, and reading a pasted message. */
import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../messaging/messages';
import { call } from '../api';
import { Header } from '../components/header';
import { t } from '../i18n';
import { Unlock } from '../popup/unlock';
import { ContactsTab } from './contacts-tab';
import { DecryptTab } from './decrypt-tab';
import { KeysTab } from './keys-tab';
import { SettingsTab } from './settings-tab';

const TABS = ['keys', 'contacts', 'settings', 'decrypt'] as const;
type Tab = (typeof TABS)[number];

export function OptionsApp() {
  const [status, setStatus] = useState<ResponseOf<'vault:status'> | null>(null);
  const [tab, setTab] = useState<Tab>('keys');
  const refresh = () => call({ type: 'vault:status' }).then((r) => r.ok && setStatus(r.value));
  useEffect(() => {
    refresh();
    const id = setInterval(refresh, 5000);
    return () => clearInterval(id);
  }, []);
  const unlocked = status?.state === 'unlocked';

  return (
    <main class="options">
      <Header state={status?.state ?? 'loading'} />
      <nav class="tabs">
        {TABS.map((name) => (
          <button
            type="button"
            key={name}
            data-testid={`tab-${name}`}
            class={tab === name ? 'active' : ''}
            disabled={!unlocked && name !== 'keys'}
            onClick={() => setTab(name)}
          >
            {t(`tab_${name}`)}
          </button>
        ))}
      </nav>
      {status?.state === 'locked' && <Unlock retryAfterMs={status.retryAfterMs} onUnlocked={refresh} />}
      {status?.state === 'uninitialized' && <p>{t('options_uninitialized')}</p>}
      {(tab === 'keys' || !unlocked) && status && <KeysTab unlocked={unlocked} onChange={refresh} />}
      {unlocked && tab === 'contacts' && <ContactsTab />}
      {unlocked && tab === 'settings' && <SettingsTab />}
      {unlocked && tab === 'decrypt' && <DecryptTab />}
    </main>
  );
}
