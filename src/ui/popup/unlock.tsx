/** Unlock with the passphrase, or reset it with the recovery code. Back-off is shown, not hidden. */
import { useEffect, useState } from 'preact/hooks';
import { call, errorText } from '../api';
import { Alerts } from '../components/alerts';
import { t } from '../i18n';

export function Unlock({ retryAfterMs, onUnlocked }: { retryAfterMs: number; onUnlocked: () => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [waitUntil, setWaitUntil] = useState(retryAfterMs > 0 ? Date.now() + retryAfterMs : 0);
  const [now, setNow] = useState(Date.now());
  const [recovering, setRecovering] = useState(false);
  const [code, setCode] = useState('');
  const [next, setNext] = useState('');

  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(id);
  }, []);
  const waiting = Math.max(0, Math.ceil((waitUntil - now) / 1000));

  async function unlock(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    const r = await call({ type: 'vault:unlock', passphrase });
    setBusy(false);
    setPassphrase('');
    if (r.ok) return onUnlocked();
    setError(errorText(r));
    const status = await call({ type: 'vault:status' });
    if (status.ok && status.value.retryAfterMs > 0) {
      setWaitUntil(Date.now() + status.value.retryAfterMs);
      setNow(Date.now());
    }
  }

  async function recover(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    const r = await call({ type: 'vault:recover', code, newPassphrase: next });
    setBusy(false);
    if (r.ok) return onUnlocked();
    setError(errorText(r));
  }

  if (recovering) {
    return (
      <form onSubmit={recover} data-testid="recover-form">
        <h2>{t('recover_title')}</h2>
        <label>
          {t('recovery_code')}
          <input
            value={code}
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => setCode(e.currentTarget.value)}
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
        <Alerts error={error} />
        <button type="submit" disabled={busy}>
          {t('recover')}
        </button>
        <button type="button" class="link" onClick={() => setRecovering(false)}>
          {t('back')}
        </button>
      </form>
    );
  }
  return (
    <form onSubmit={unlock} data-testid="unlock-form">
      <label>
        {t('passphrase')}
        <input
          type="password"
          autocomplete="current-password"
          data-testid="unlock-passphrase"
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
        />
      </label>
      <Alerts error={error} />
      {waiting > 0 && (
        <p class="warning" data-testid="backoff">
          {t('backoff_wait', String(waiting))}
        </p>
      )}
      <button type="submit" disabled={busy || waiting > 0} data-testid="unlock">
        {busy ? t('working') : t('unlock')}
      </button>
      <button type="button" class="link" onClick={() => setRecovering(true)}>
        {t('forgot_passphrase')}
      </button>
    </form>
  );
}
