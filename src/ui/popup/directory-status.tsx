/**
 * The popup's directory section (issue #4): publish, then "check your inbox",
 * then "published and verified" once the log proves it; a loud alarm when the
 * directory shows a key for the user's address that they never published.
 */
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { DirectoryCheck } from '../../messaging/messages';
import { call, errorText } from '../api';
import { Alerts } from '../components/alerts';
import { t } from '../i18n';

export function DirectoryStatus() {
  const [check, setCheck] = useState<DirectoryCheck | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState('');

  const refresh = () =>
    call({ type: 'directory:check' }).then((r) => (r.ok ? setCheck(r.value) : setError(errorText(r))));
  useEffect(() => {
    refresh();
  }, []);

  async function publish() {
    setError('');
    const r = await call({ type: 'directory:publish' });
    if (!r.ok) return setError(errorText(r));
    if (r.value.status === 'pending') setPending(true);
    else refresh();
  }

  if (!check) return <Alerts error={error} />;
  return (
    <section class="card" data-testid="directory" data-state={check.state}>
      <h3>{t('directory_title')}</h3>
      {check.state === 'alarm' && (
        <div class="danger" role="alert" data-testid="directory-alarm">
          <strong>{t('directory_alarm_title')}</strong>
          <p>
            {check.error
              ? errorText({ code: check.error, message: check.error })
              : t('directory_alarm_explain')}
          </p>
          {check.unexpected.map((f) => (
            <code class="fingerprint" key={f}>
              {f.toUpperCase().match(/.{4}/g)?.join(' ')}
            </code>
          ))}
        </div>
      )}
      {check.state === 'not-configured' && (
        <p>
          {t('directory_not_configured')}{' '}
          <button type="button" class="link" onClick={() => browser.runtime.openOptionsPage()}>
            {t('open_options')}
          </button>
        </p>
      )}
      {check.state === 'published' && <p data-testid="directory-published">{t('directory_published')}</p>}
      {check.state === 'error' && (
        <p class="warning">{errorText({ code: check.error ?? 'unavailable', message: '' })}</p>
      )}
      {check.state === 'not-published' &&
        (pending || check.pending ? (
          <p data-testid="directory-pending">{t('directory_check_inbox')}</p>
        ) : (
          <button type="button" data-testid="directory-publish" onClick={publish}>
            {t('directory_publish')}
          </button>
        ))}
      {check.state !== 'not-configured' && (
        <button type="button" class="link" data-testid="directory-recheck" onClick={refresh}>
          {t('directory_check_now')}
        </button>
      )}
      <Alerts error={error} />
    </section>
  );
}
