/**
 * The reader frame (issue 5): `reader.html#<ticket>`, laid by the content script over an
 * encrypted message in the webmail. It shows nothing from the message until the
 * background answered `reader:open` successfully, and the background answers only after
 * decrypting and verifying everything (SECURITY.md, docs/webmail-integration.md §Reading).
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { ReaderView, ReplyMode } from '../messaging/messages';
import { reasonText } from '../privacy/reason-text';
import { call, errorText } from '../ui/api';
import { FrameHeader } from '../ui/components/frame-header';
import { LockedNotice } from '../ui/components/locked-notice';
import { formatDateTime } from '../ui/frame';
import { t } from '../ui/i18n';
import { Attachments } from './attachments';
import { HtmlBody } from './html-body';
import { RemoteContent, type RemoteLoaded } from './remote-content';
import { watchDocumentHeight } from './resize';
import { type RemoteImages, sanitizeHtmlReport } from './sanitize';
import {
  mismatchReason,
  phaseForError,
  type ReaderPhase,
  readerErrorKey,
  remoteSenderRefusal,
  signatureWords,
} from './state';

export function ReaderApp({ ticket }: { ticket: string }) {
  const [phase, setPhase] = useState<ReaderPhase>('loading');
  const [view, setView] = useState<ReaderView | null>(null);
  const [code, setCode] = useState('');

  const open = useCallback(async () => {
    if (!ticket) {
      setCode('ticket-expired');
      setPhase('error');
      return;
    }
    setPhase('loading');
    const r = await call({ type: 'reader:open', ticket });
    if (r.ok) {
      setView(r.value);
      setPhase('ready');
    } else {
      setView(null);
      setCode(r.code);
      setPhase(phaseForError(r.code));
    }
  }, [ticket]);

  useEffect(() => {
    open();
  }, [open]);

  useEffect(() => {
    if (!ticket) return;
    return watchDocumentHeight((height) => {
      call({ type: 'frame:resize', ticket, height });
    });
  }, [ticket]);

  return (
    <main class="frame reader" id="reader" data-state={phase} aria-busy={phase === 'loading'}>
      <FrameHeader title={t('reader_title')} />
      <div aria-live="polite">
        {phase === 'loading' && (
          <p class="hint" role="status">
            {t('reader_loading')}
          </p>
        )}
        {phase === 'locked' && <LockedNotice onUnlocked={open} />}
        {phase === 'error' && (
          <p class="error" role="alert" id="error" data-code={code}>
            {t(readerErrorKey(code))}
          </p>
        )}
      </div>
      {phase === 'ready' && view && <Message ticket={ticket} view={view} />}
    </main>
  );
}

function Message({ ticket, view }: { ticket: string; view: ReaderView }) {
  const sig = signatureWords(view.signature);
  const mismatch = mismatchReason(view.signature);
  const mismatchText = mismatch && reasonText(mismatch, t);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  // Remote content (issue 6): blocked unless the background says this signer is always
  // allowed, and never at once when the webmail shows another From.
  const always = view.remoteAllowed && !view.signature.fromMismatch;
  const [loaded, setLoaded] = useState<RemoteLoaded>(always ? 'sender' : 'none');
  const [images, setImages] = useState<RemoteImages>(always ? 'https' : 'none');
  const [remoteBusy, setRemoteBusy] = useState(false);
  const [remoteError, setRemoteError] = useState('');
  const html = view.bodyType === 'text/html';
  const report = useMemo(
    () => (html ? sanitizeHtmlReport(view.body, images) : null),
    [html, view.body, images],
  );
  const httpImages = useMemo(
    () =>
      html && images === 'https' && report?.remote.some((u) => u.startsWith('http:'))
        ? sanitizeHtmlReport(view.body, 'http-too').images.length - (report?.images.length ?? 0)
        : 0,
    [html, images, view.body, report],
  );

  function loadOnce() {
    setRemoteError('');
    setImages('https');
    setLoaded('once');
  }

  async function loadSender() {
    setRemoteError('');
    setRemoteBusy(true);
    const r = await call({ type: 'reader:remote', ticket, scope: 'sender' });
    setRemoteBusy(false);
    if (r.ok) {
      setImages('https');
      setLoaded('sender');
    } else {
      setRemoteError(r.code === 'locked' ? t('frame_locked') : errorText(r));
    }
  }

  async function reply(mode: ReplyMode) {
    setNotice('');
    setError('');
    const r = await call({ type: 'compose:reply', ticket, mode });
    if (r.ok) setNotice(t('reader_reply_started'));
    else setError(r.code === 'locked' ? t('frame_locked') : errorText(r));
  }

  return (
    <article class="message">
      <p
        id="signature"
        class={`signature trust-${view.signature.trust}`}
        data-trust={view.signature.trust}
        data-mismatch={String(view.signature.fromMismatch)}
      >
        {t(sig.key, sig.subs)}
      </p>
      {mismatch && mismatchText && (
        <section
          class="danger sender-banner"
          role="alert"
          id="from-mismatch"
          data-severity={mismatch.severity}
          data-reason={mismatch.code}
        >
          <p>
            <strong>{mismatchText.summary}</strong>
          </p>
          <details id="why">
            <summary>{t('banner_why')}</summary>
            <p>{mismatchText.why}</p>
          </details>
        </section>
      )}
      {!view.addressedToYou && (
        <p class="danger" role="alert" id="not-addressed">
          {t('reader_not_addressed')}
        </p>
      )}
      <h1 id="subject" class="subject">
        {view.subject || t('reader_no_subject')}
      </h1>
      <p class="meta">
        <span id="sender">{t('reader_from', view.sender.address)}</span>
        {' · '}
        <time id="date" dateTime={new Date(view.date).toISOString()}>
          {formatDateTime(view.date)}
        </time>
      </p>
      {report && report.remote.length > 0 && (
        <RemoteContent
          count={report.remote.length}
          loaded={loaded}
          images={report.images.length}
          httpImages={httpImages}
          signer={view.signature.signer}
          senderRefusal={remoteSenderRefusal(view.signature)}
          busy={remoteBusy}
          error={remoteError}
          onLoadOnce={loadOnce}
          onLoadSender={loadSender}
          onLoadHttp={() => setImages('http-too')}
        />
      )}
      {report ? (
        <HtmlBody safeHtml={report.html} imageOrigins={report.origins} />
      ) : (
        <pre id="body" class="body-text">
          {view.body}
        </pre>
      )}
      <Attachments items={view.attachments} />
      <div class="row actions">
        <button type="button" id="reply" onClick={() => reply('reply')}>
          {t('reader_reply')}
        </button>
        <button type="button" id="reply-all" onClick={() => reply('reply-all')}>
          {t('reader_reply_all')}
        </button>
        <button type="button" id="forward" onClick={() => reply('forward')}>
          {t('reader_forward')}
        </button>
      </div>
      <div aria-live="polite">
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </article>
  );
}
