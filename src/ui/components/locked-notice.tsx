/**
 * "Cipherpost is locked" inside a webmail page (issue 5). The button opens the extension's
 * own unlock window (`vault:open-unlock`): a frame inside a page never draws a passphrase
 * field, so a page cannot train users to type it into something that looks like us.
 * While shown, it asks for the vault state every second and calls `onUnlocked` once.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, errorText } from '../api';
import { t } from '../i18n';

export const UNLOCK_POLL_MS = 1000;

export function LockedNotice({ onUnlocked }: { onUnlocked: () => void }) {
  const [error, setError] = useState('');
  const [opened, setOpened] = useState(false);
  // The latest callback, so re-renders of the parent do not restart the polling.
  const callback = useRef(onUnlocked);
  callback.current = onUnlocked;

  useEffect(() => {
    let done = false;
    const id = setInterval(async () => {
      const r = await call({ type: 'vault:status' });
      if (!done && r.ok && r.value.state === 'unlocked') {
        done = true;
        clearInterval(id);
        callback.current();
      }
    }, UNLOCK_POLL_MS);
    return () => {
      done = true;
      clearInterval(id);
    };
  }, []);

  async function openUnlock() {
    setError('');
    const r = await call({ type: 'vault:open-unlock' });
    if (r.ok) setOpened(true);
    else setError(errorText(r));
  }

  return (
    <section class="locked" id="error" data-code="locked">
      <p class="warning" role="status">
        {t('frame_locked')}
      </p>
      <button type="button" id="unlock" onClick={openUnlock}>
        {t('frame_unlock_button')}
      </button>
      {opened && <p class="hint">{t('frame_unlock_opened')}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
