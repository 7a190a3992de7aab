/**
 * Contacts: import a key by paste or file, see trust and history, mark
 * verified after comparing fingerprints, delete. A changed key is flagged
 * loudly, as messengers flag a changed safety number (issue #3).
 */
import { useEffect, useState } from 'preact/hooks';
import type { ContactView } from '../../messaging/messages';
import { call, errorText } from '../api';
import { Alerts } from '../components/alerts';
import { Fingerprint } from '../components/fingerprint';
import { t } from '../i18n';

export function ContactsTab() {
  const [contacts, setContacts] = useState<ContactView[]>([]);
  const [text, setText] = useState('');
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [comparing, setComparing] = useState<string | null>(null);
  const [lookupAddress, setLookupAddress] = useState('');

  const refresh = () =>
    call({ type: 'contacts:list' }).then((r) => (r.ok ? setContacts(r.value) : setError(errorText(r))));
  useEffect(() => {
    refresh();
  }, []);

  async function importKey(keyText: string) {
    const r = await call({ type: 'contacts:import', text: keyText });
    if (!r.ok) {
      setNotice('');
      return setError(errorText(r));
    }
    setError('');
    setText('');
    setNotice(
      r.value.changed ? t('contact_key_changed_notice', r.value.addresses.join(', ')) : t('contact_imported'),
    );
    refresh();
  }

  async function lookUp(e: Event) {
    e.preventDefault();
    const r = await call({ type: 'directory:lookup', address: lookupAddress });
    if (!r.ok) {
      setNotice('');
      return setError(errorText(r));
    }
    setError('');
    setLookupAddress('');
    setNotice(
      r.value.keyChanged
        ? t('contact_key_changed_notice', r.value.address)
        : t('directory_found', r.value.address),
    );
    refresh();
  }

  async function verify(c: ContactView) {
    const r = await call({ type: 'contacts:verify', address: c.address, fingerprint: c.fingerprint });
    if (!r.ok) return setError(errorText(r));
    setComparing(null);
    refresh();
  }

  async function remove(c: ContactView) {
    if (!confirm(t('contact_delete_confirm', c.address))) return;
    const r = await call({ type: 'contacts:delete', address: c.address });
    if (!r.ok) return setError(errorText(r));
    refresh();
  }

  return (
    <section data-testid="contacts-tab">
      <Alerts error={error} notice={notice} />
      <form class="card" onSubmit={lookUp} data-testid="directory-lookup-form">
        <h2>{t('directory_lookup')}</h2>
        <input
          type="email"
          data-testid="directory-lookup-address"
          value={lookupAddress}
          onInput={(e) => setLookupAddress(e.currentTarget.value)}
        />
        <button type="submit" data-testid="directory-lookup">
          {t('directory_lookup')}
        </button>
      </form>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          importKey(text);
        }}
      >
        <h2>{t('contact_import')}</h2>
        <textarea
          rows={5}
          data-testid="contact-key-text"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <input
          type="file"
          accept=".txt,text/plain"
          onChange={async (e) => {
            const f = e.currentTarget.files?.[0];
            if (f) importKey(await f.text());
          }}
        />
        <button type="submit" data-testid="contact-import">
          {t('contact_import')}
        </button>
      </form>
      <ul class="contacts">
        {contacts.map((c) => (
          <li
            key={c.address}
            class={`card contact trust-${c.trust}`}
            data-testid="contact"
            data-address={c.address}
          >
            {c.keyChanged && (
              <div class="danger" role="alert" data-testid="key-changed">
                <strong>{t('contact_key_changed_title')}</strong>
                <p>{t('contact_key_changed_explain', c.address)}</p>
                {c.previousFingerprint && (
                  <p>
                    {t('contact_previous_key')}{' '}
                    <code data-testid="previous-fingerprint">{c.previousFingerprint}</code>
                  </p>
                )}
              </div>
            )}
            <h3>{c.address}</h3>
            <span class="trust" data-testid="trust" data-trust={c.trust}>
              {t(`trust_${c.trust.replace(/-/g, '_')}`)}
            </span>
            <Fingerprint value={c.fingerprint} />
            {comparing === c.address ? (
              <div class="compare">
                <p>{t('contact_compare_explain')}</p>
                <button type="button" data-testid="confirm-verified" onClick={() => verify(c)}>
                  {t('contact_fingerprints_match')}
                </button>
                <button type="button" class="link" onClick={() => setComparing(null)}>
                  {t('back')}
                </button>
              </div>
            ) : (
              c.trust !== 'verified' && (
                <button type="button" data-testid="verify" onClick={() => setComparing(c.address)}>
                  {t('contact_verify')}
                </button>
              )
            )}
            <details>
              <summary>{t('contact_history')}</summary>
              <ol>
                {c.history.map((h) => (
                  <li key={`${h.at}-${h.event}`}>
                    {new Date(h.at).toLocaleString()} — {t(`history_${h.event.replace(/-/g, '_')}`)}
                    {h.previousFingerprint && <code class="fingerprint"> {h.previousFingerprint} →</code>}
                    {h.fingerprint && <code class="fingerprint"> {h.fingerprint}</code>}
                  </li>
                ))}
              </ol>
            </details>
            <button
              type="button"
              class="danger-button"
              data-testid="delete-contact"
              onClick={() => remove(c)}
            >
              {t('contact_delete')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
