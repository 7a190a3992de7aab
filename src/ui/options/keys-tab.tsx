/** Your key, passphrase change, and the encrypted backup (export and import). */
import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf, SecretKind } from '../../messaging/messages';
import { call, errorText } from '../api';
import { Alerts } from '../components/alerts';
import { base64ToBytes, bytesToBase64, download } from '../components/download';
import { Fingerprint, QrCode } from '../components/fingerprint';
import { t } from '../i18n';

export function KeysTab({ unlocked, onChange }: { unlocked: boolean; onChange: () => void }) {
  const [identity, setIdentity] = useState<ResponseOf<'identity:get'> | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [secret, setSecret] = useState('');
  const [secretKind, setSecretKind] = useState<SecretKind>('passphrase');

  useEffect(() => {
    if (unlocked) call({ type: 'identity:get' }).then((r) => r.ok && setIdentity(r.value));
  }, [unlocked]);

  const report = (r: { ok: boolean; code?: string; message?: string }, success: string) => {
    if (r.ok) {
      setError('');
      setNotice(success);
    } else {
      setNotice('');
      setError(errorText(r as { code: string; message: string }));
    }
  };

  async function changePassphrase(e: Event) {
    e.preventDefault();
    const r = await call({ type: 'vault:change-passphrase', current, next });
    setCurrent('');
    setNext('');
    report(r, t('passphrase_changed'));
  }

  async function exportBackup() {
    const r = await call({ type: 'vault:export-backup' });
    if (r.ok) download(r.value.fileName, base64ToBytes(r.value.data));
    report(r, t('backup_exported'));
  }

  async function importBackup(e: Event) {
    e.preventDefault();
    if (!file) return;
    const data = bytesToBase64(new Uint8Array(await file.arrayBuffer()));
    const r = await call({ type: 'vault:import-backup', data, secret, secretKind });
    setSecret('');
    report(r, r.ok ? t('backup_imported', [String(r.value.identities), String(r.value.contacts)]) : '');
    if (r.ok) onChange();
  }

  return (
    <section data-testid="keys-tab">
      <Alerts error={error} notice={notice} />
      {identity && (
        <div class="card">
          <h2>{t('your_key')}</h2>
          <p>{identity.addresses.join(', ')}</p>
          <Fingerprint value={identity.fingerprint} />
          <QrCode
            text={`CIPHERPOST-FPR:${identity.fingerprint.replace(/ /g, '')}`}
            label={t('fingerprint_qr')}
          />
          <p>{t('key_valid_until', new Date(identity.expires * 1000).toLocaleDateString())}</p>
          <textarea readOnly rows={4} data-testid="public-key" value={identity.publicKey} />
          <button
            type="button"
            onClick={() =>
              download(`${identity.addresses[0]}.cipherpost-key.txt`, identity.publicKey, 'text/plain')
            }
          >
            {t('export_public_key')}
          </button>
        </div>
      )}
      {unlocked && (
        <div class="card">
          <h2>{t('backup_title')}</h2>
          <p>{t('backup_explain')}</p>
          <button type="button" data-testid="export-backup" onClick={exportBackup}>
            {t('backup_export')}
          </button>
        </div>
      )}
      {unlocked && (
        <form class="card" onSubmit={changePassphrase}>
          <h2>{t('passphrase_change')}</h2>
          <label>
            {t('passphrase_current')}
            <input
              type="password"
              autocomplete="current-password"
              value={current}
              onInput={(e) => setCurrent(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('passphrase_new')}
            <input
              type="password"
              autocomplete="new-password"
              value={next}
              onInput={(e) => setNext(e.currentTarget.value)}
            />
          </label>
          <button type="submit">{t('passphrase_change')}</button>
        </form>
      )}
      <form class="card" onSubmit={importBackup} data-testid="import-backup-form">
        <h2>{t('backup_import')}</h2>
        <p>{t('backup_import_explain')}</p>
        <input
          type="file"
          data-testid="backup-file"
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
        />
        <label>
          <select value={secretKind} onChange={(e) => setSecretKind(e.currentTarget.value as SecretKind)}>
            <option value="passphrase">{t('passphrase')}</option>
            <option value="recovery-code">{t('recovery_code')}</option>
          </select>
          <input
            type="password"
            data-testid="backup-secret"
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
          />
        </label>
        <button type="submit" data-testid="import-backup" disabled={!file}>
          {t('backup_import')}
        </button>
      </form>
    </section>
  );
}
