/** The popup: onboarding, unlock, or your key — with the lock state always visible. */
import { useEffect, useState } from 'preact/hooks';
import type { ResponseOf } from '../../messaging/messages';
import { call, errorText } from '../api';
import { Alerts } from '../components/alerts';
import { Header } from '../components/header';
import { Onboarding } from './onboarding';
import { Status } from './status';
import { ThisPage } from './this-page';
import { Unlock } from './unlock';

export function PopupApp() {
  const [status, setStatus] = useState<ResponseOf<'vault:status'> | null>(null);
  const [error, setError] = useState('');
  const [pendingCode, setPendingCode] = useState<string | null>(null);
  const refresh = async () => {
    const r = await call({ type: 'vault:status' });
    if (!r.ok) return setError(errorText(r));
    if (r.value.recoveryPending) {
      const code = await call({ type: 'vault:pending-recovery-code' });
      setPendingCode(code.ok ? code.value.recoveryCode : null);
    } else setPendingCode(null);
    setStatus(r.value);
  };
  useEffect(() => {
    refresh();
  }, []);

  const onboarding =
    status?.state === 'uninitialized' || (status?.state === 'unlocked' && pendingCode !== null);

  return (
    <main class="popup">
      <Header state={status?.state ?? 'loading'} />
      <Alerts error={error} />
      {onboarding ? (
        // One slot for both cases, so the onboarding keeps its state when the
        // vault it just created turns the status to `unlocked`.
        <Onboarding pendingCode={pendingCode ?? undefined} onDone={refresh} />
      ) : status?.state === 'locked' ? (
        <Unlock retryAfterMs={status.retryAfterMs} onUnlocked={refresh} />
      ) : status?.state === 'unlocked' ? (
        <Status onLocked={refresh} />
      ) : null}
      {status && !onboarding && <ThisPage />}
    </main>
  );
}
