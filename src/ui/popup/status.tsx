/** The unlocked popup: your key (fingerprint, QR, export), lock, options. */
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ResponseOf } from '../../messaging/messages';
import { call, errorText } from '../api';
import { Alerts } from '../components/alerts';
import { download } from '../components/download';
import { Fingerprint, QrCode } from '../components/fingerprint';
import { t } from '../i18n';
import { DirectoryStatus } from './directory-status';

export function Status({ onLocked }: { onLocked: () => void }) {
  const [identity, setIdentity] = useState<ResponseOf<'identity:get'> | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    call({ type: 'identity:get' }).then((r) => (r.ok ? setIdentity(r.value) : setError(errorText(r))));
  }, []);

  async function lock() {
    await call({ type: 'vault:lock' });
    onLocked();
  }

  return (
    <section data-testid="status">
      <Alerts error={error} />
      {identity && (
        <>
          <h2>{t('your_key')}</h2>
          <p data-testid="identity-address">{identity.addresses.join(', ')}</p>
          <Fingerprint value={identity.fingerprint} />
          <QrCode
            text={`CIPHERPOST-FPR:${identity.fingerprint.replace(/ /g, '')}`}
            label={t('fingerprint_qr')}
          />
          <button
            type="button"
            data-testid="export-public-key"
            onClick={() =>
              download(`${identity.addresses[0]}.cipherpost-key.txt`, identity.publicKey, 'text/plain')
            }
          >
            {t('export_public_key')}
          </button>
        </>
      )}
      <DirectoryStatus />
      <div class="row">
        <button type="button" data-testid="lock" onClick={lock}>
          {t('lock_now')}
        </button>
        <button
          type="button"
          class="link"
          data-testid="open-options"
          onClick={() => browser.runtime.openOptionsPage()}
        >
          {t('open_options')}
        </button>
      </div>
    </section>
  );
}
