/**
 * Onboarding (issue #3): an identity for an address, a passphrase with a
 * strength meter (weak ones need an explicit "use it anyway"), then the
 * recovery code, shown once, which the user must type back before finishing.
 */
import { useState } from 'preact/hooks';
import { call, errorText } from '../api';
import { Alerts } from '../components/alerts';
import { StrengthMeter } from '../components/strength-meter';
import { t } from '../i18n';
import { passphraseScore, WEAK_BELOW } from '../passphrase-strength';

type Step =
  | { step: 'form' }
  | { step: 'recovery'; code: string; fingerprint: string }
  | { step: 'confirm'; code: string };

/** `pendingCode`: the vault exists but its recovery code was never confirmed (the popup closed). */
export function Onboarding({ onDone, pendingCode }: { onDone: () => void; pendingCode?: string }) {
  const [state, setState] = useState<Step>(
    pendingCode ? { step: 'recovery', code: pendingCode, fingerprint: '' } : { step: 'form' },
  );
  const [address, setAddress] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [acceptWeak, setAcceptWeak] = useState(false);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const score = passphrase === '' ? 0 : passphraseScore(passphrase, [address]);

  async function create(e: Event) {
    e.preventDefault();
    setError('');
    if (passphrase !== repeat) return setError(t('passphrase_mismatch'));
    if (passphrase.length < 8) return setError(t('passphrase_too_short'));
    if (score < WEAK_BELOW && !acceptWeak) return setError(t('passphrase_weak_confirm'));
    setBusy(true);
    const r = await call({ type: 'vault:create', address, passphrase });
    setBusy(false);
    if (!r.ok) return setError(errorText(r));
    setPassphrase('');
    setRepeat('');
    setState({ step: 'recovery', code: r.value.recoveryCode, fingerprint: r.value.fingerprint });
    // The vault now exists and is unlocked: let the header say so. The popup
    // keeps showing this step (the code stays pending until confirmed).
    onDone();
  }

  async function confirm(e: Event) {
    e.preventDefault();
    setBusy(true);
    const r = await call({ type: 'vault:confirm-recovery-code', code: typed });
    setBusy(false);
    if (!r.ok) return setError(errorText(r));
    onDone();
  }

  if (state.step === 'recovery') {
    return (
      <section data-testid="onboarding-recovery">
        <h2>{t('recovery_title')}</h2>
        <p>{t('recovery_explain')}</p>
        <pre class="recovery-code" data-testid="recovery-code">
          {state.code}
        </pre>
        <p>{t('marker_explain')}</p>
        <button
          type="button"
          data-testid="recovery-written"
          onClick={() => setState({ step: 'confirm', code: state.code })}
        >
          {t('recovery_written')}
        </button>
      </section>
    );
  }
  if (state.step === 'confirm') {
    return (
      <form onSubmit={confirm} data-testid="onboarding-confirm">
        <h2>{t('recovery_confirm_title')}</h2>
        <label>
          {t('recovery_code')}
          <input
            data-testid="recovery-input"
            value={typed}
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
        </label>
        <Alerts error={error} />
        <button type="submit" disabled={busy} data-testid="recovery-confirm">
          {t('confirm')}
        </button>
        <button
          type="button"
          class="link"
          onClick={() => setState({ step: 'recovery', code: state.code, fingerprint: '' })}
        >
          {t('recovery_show_again')}
        </button>
      </form>
    );
  }
  return (
    <form onSubmit={create} data-testid="onboarding-form">
      <h2>{t('onboarding_title')}</h2>
      <p>{t('onboarding_explain')}</p>
      <label>
        {t('email_address')}
        <input
          type="email"
          required
          data-testid="address"
          value={address}
          onInput={(e) => setAddress(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('passphrase')}
        <input
          type="password"
          required
          autocomplete="new-password"
          data-testid="passphrase"
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
        />
      </label>
      {passphrase !== '' && <StrengthMeter score={score} />}
      <label>
        {t('passphrase_repeat')}
        <input
          type="password"
          required
          autocomplete="new-password"
          data-testid="passphrase-repeat"
          value={repeat}
          onInput={(e) => setRepeat(e.currentTarget.value)}
        />
      </label>
      {passphrase !== '' && score < WEAK_BELOW && (
        <label class="inline">
          <input
            type="checkbox"
            data-testid="accept-weak"
            checked={acceptWeak}
            onChange={(e) => setAcceptWeak(e.currentTarget.checked)}
          />
          {t('passphrase_accept_weak')}
        </label>
      )}
      <Alerts error={error} />
      <button type="submit" disabled={busy} data-testid="create">
        {busy ? t('working') : t('create_identity')}
      </button>
    </form>
  );
}
