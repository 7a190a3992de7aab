/**
 * The privacy banner (issue 6, docs/privacy.md): `banner.html?t=<ticket>`, drawn
 * by the content script right above an opened message, in a closed shadow root.
 * It shows what the background computed for that message (privacy:get): how many
 * remote items were blocked, and the sender verdict in plain words. The page can
 * neither read nor forge it; the per-install marker in its header proves it is ours.
 *
 * DOM contract (the e2e tests rely on it):
 * `main#banner[data-severity=none|warning|danger][data-loaded=none|once|sender]`,
 * `#remote[data-count=N]` (hidden when 0), buttons `#load-once` and `#load-sender`,
 * `#sender-warning` (severity ≠ none) with `[data-reason=<code>]` items and
 * `details#why`.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { PrivacyView } from '../../messaging/messages';
import { reasonText } from '../../privacy/reason-text';
import { watchDocumentHeight } from '../../reader/resize';
import { call, errorText } from '../api';
import { FrameHeader } from '../components/frame-header';
import { t } from '../i18n';

/** "1 remote item blocked" / "3 remote items blocked", by the language's plural rules. */
export function blockedText(count: number, lang: string): string {
  const form = new Intl.PluralRules(lang).select(count) === 'one' ? 'one' : 'other';
  return t(`banner_blocked_${form}`, String(count));
}

export function BannerApp({ ticket }: { ticket: string }) {
  const [view, setView] = useState<PrivacyView | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    if (!ticket) {
      setError(t('error_ticket_expired'));
      return;
    }
    const r = await call({ type: 'privacy:get', ticket });
    if (r.ok) setView(r.value);
    else setError(errorText(r));
  }, [ticket]);

  useEffect(() => {
    load();
  }, [load]);

  useEffect(() => {
    if (!ticket) return;
    return watchDocumentHeight((height) => {
      call({ type: 'frame:resize', ticket, height });
    });
  }, [ticket]);

  async function allow(scope: 'once' | 'sender') {
    setBusy(true);
    setError('');
    const r = await call({ type: 'privacy:allow', ticket, scope });
    setBusy(false);
    if (r.ok) setView((v) => (v ? { ...v, loaded: r.value.loaded } : v));
    else setError(errorText(r));
  }

  const severity = view?.verdict.severity ?? 'none';
  const loaded = view?.loaded ?? 'none';
  const lang = document.documentElement.lang || 'en';
  return (
    <main
      class={`frame banner severity-${severity}`}
      id="banner"
      data-severity={severity}
      data-loaded={loaded}
      aria-busy={!view && !error}
    >
      <FrameHeader title={t('banner_title')} />
      {view && view.verdict.severity !== 'none' && (
        <section id="sender-warning" class={`sender-warning ${severity}`} role="alert">
          <p class="warning-title">
            <strong>
              {t(
                severity === 'danger' ? 'banner_sender_danger' : 'banner_sender_warning',
                view.sender || '?',
              )}
            </strong>
          </p>
          <ul class="reasons">
            {view.verdict.reasons.map((r, i) => (
              <li key={`${r.code}-${i}`} data-reason={r.code} data-severity={r.severity}>
                {reasonText(r, t).summary}
              </li>
            ))}
          </ul>
          <details id="why">
            <summary>{t('banner_why')}</summary>
            <p>{t('banner_why_text')}</p>
            {/* One paragraph per kind of reason (two look-alike reasons share theirs). */}
            {[...new Map(view.verdict.reasons.map((r) => [reasonText(r, t).why, r.code])).entries()].map(
              ([why, code]) => (
                <p key={code} data-reason-why={code}>
                  {why}
                </p>
              ),
            )}
          </details>
        </section>
      )}
      {view && (
        <section class="remote" id="remote" data-count={view.count} hidden={view.count === 0}>
          <p>
            <strong>{blockedText(view.count, lang)}</strong>
            {view.hosts.length > 0 && <span class="hint"> {t('banner_hosts', view.hosts.join(', '))}</span>}
          </p>
          {loaded === 'once' && <p class="notice">{t('banner_loaded_once')}</p>}
          {loaded === 'sender' && <p class="notice">{t('banner_loaded_sender', view.sender)}</p>}
          {loaded !== 'sender' && (
            <div class="row actions">
              {loaded === 'none' && (
                <button type="button" id="load-once" disabled={busy} onClick={() => allow('once')}>
                  {t('banner_load_once')}
                </button>
              )}
              <button
                type="button"
                id="load-sender"
                disabled={busy || severity === 'danger' || !view.sender}
                onClick={() => allow('sender')}
              >
                {t('banner_load_sender')}
              </button>
            </div>
          )}
          {loaded !== 'sender' && severity === 'danger' && (
            <p class="hint" id="sender-refused">
              {t('banner_sender_refused')}
            </p>
          )}
        </section>
      )}
      {error && (
        <p class="error" role="alert" id="error">
          {error}
        </p>
      )}
    </main>
  );
}
