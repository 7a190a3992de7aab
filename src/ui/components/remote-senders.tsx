/**
 * "Remote content: always load for these senders" (issue 6, docs/privacy.md), in
 * the options: the addresses the banner's "Always for this sender" added, each with
 * Remove. Self-contained: it loads and refreshes its own list.
 */
import { useEffect, useState } from 'preact/hooks';
import { call, errorText } from '../api';
import { t } from '../i18n';

export function RemoteSenders() {
  const [senders, setSenders] = useState<string[] | null>(null);
  const [error, setError] = useState('');
  const load = () =>
    call({ type: 'privacy:senders-list' }).then((r) => (r.ok ? setSenders(r.value) : setError(errorText(r))));
  useEffect(() => {
    load();
  }, []);

  async function remove(address: string) {
    const r = await call({ type: 'privacy:senders-remove', address });
    setError(r.ok ? '' : errorText(r));
    await load();
  }

  return (
    <section class="card" data-testid="remote-senders-section">
      <h3>{t('remote_senders_title')}</h3>
      <p class="hint">{t('remote_senders_explain')}</p>
      {senders !== null && senders.length === 0 && <p class="hint">{t('remote_senders_none')}</p>}
      {senders !== null && senders.length > 0 && (
        <ul class="sites" data-testid="remote-senders">
          {senders.map((address) => (
            <li key={address} data-sender={address}>
              <span>{address}</span>{' '}
              <button
                type="button"
                class="link"
                aria-label={t('remote_senders_remove_named', address)}
                onClick={() => remove(address)}
              >
                {t('remote_senders_remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
