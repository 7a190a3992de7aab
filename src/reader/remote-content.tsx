/**
 * "N remote items blocked" in the reader (issue 6), with the webmail banner's choices and
 * DOM ids (src/ui/banner/app.tsx): `#remote[data-count=N]`, `#load-once`, `#load-sender`,
 * inside `section#remote-content[data-loaded=none|once|sender]`, above the body.
 *
 * The reader never asks the network for anything itself: "Load this time" re-renders the
 * body keeping remote images only (sanitize.ts) under a CSP naming exactly their origins
 * (srcdoc.ts). "Always for this sender" asks the background (reader:remote), which keys
 * it to the verified signer, then renders the same way. Unencrypted (http) images are a
 * second choice, `#load-http`, offered once images are loaded.
 */
import { t } from '../ui/i18n';
import { blockedWords } from './state';

export type RemoteLoaded = 'none' | 'once' | 'sender';

export interface RemoteContentProps {
  /** Distinct remote URLs in the message (sanitizeHtmlReport `remote`). */
  count: number;
  loaded: RemoteLoaded;
  /** Remote images loaded in the current render. */
  images: number;
  /** Images a render with http too would add (0: no #load-http). */
  httpImages: number;
  /** The signer, for "always loaded for …". */
  signer: string;
  /** Why "Always for this sender" is not offered (a message key), or null. */
  senderRefusal: string | null;
  busy: boolean;
  error: string;
  onLoadOnce(): void;
  onLoadSender(): void;
  onLoadHttp(): void;
}

export function RemoteContent(p: RemoteContentProps) {
  const lang = document.documentElement.lang || 'en';
  const blocked = blockedWords(p.count, lang);
  return (
    <section id="remote-content" class="remote-content" data-loaded={p.loaded} aria-live="polite">
      <p id="remote" data-count={p.count} data-images={p.images}>
        <strong>{t(blocked.key, blocked.subs)}</strong>
        {p.loaded === 'none' && ` ${t('reader_remote_hint')}`}
      </p>
      {p.loaded === 'none' ? (
        <div class="row">
          <button type="button" id="load-once" disabled={p.busy} onClick={p.onLoadOnce}>
            {t('reader_remote_load_once')}
          </button>
          <button
            type="button"
            id="load-sender"
            disabled={p.busy || p.senderRefusal !== null}
            aria-describedby={p.senderRefusal ? 'load-sender-refused' : undefined}
            onClick={p.onLoadSender}
          >
            {t('reader_remote_load_sender')}
          </button>
        </div>
      ) : (
        <p id="remote-loaded" class="hint">
          {p.images === 0
            ? t('reader_remote_no_images')
            : p.loaded === 'sender'
              ? t('reader_remote_loaded_sender', [p.signer, String(p.images)])
              : t('reader_remote_loaded_once', String(p.images))}
        </p>
      )}
      {p.loaded === 'none' && p.senderRefusal && (
        <p id="load-sender-refused" class="hint">
          {t(p.senderRefusal)}
        </p>
      )}
      {p.loaded !== 'none' && p.httpImages > 0 && (
        <button type="button" id="load-http" onClick={p.onLoadHttp}>
          {t('reader_remote_load_http', String(p.httpImages))}
        </button>
      )}
      {p.error && (
        <p class="error" role="alert" id="remote-error">
          {p.error}
        </p>
      )}
    </section>
  );
}
