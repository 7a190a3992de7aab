/**
 * A decrypted message's attachments: name, size and a Download button. The file is
 * decoded here and saved through a Blob URL: nothing leaves the browser. It is saved as
 * application/octet-stream whatever the sender declared, so an .html attachment is saved,
 * never opened as a page of the extension's origin.
 */
import type { DecryptedView } from '../messaging/messages';
import { base64ToBytes, download } from '../ui/components/download';
import { formatSize } from '../ui/frame';
import { t } from '../ui/i18n';

export function Attachments({ items }: { items: DecryptedView['attachments'] }) {
  if (items.length === 0) return null;
  return (
    <section class="attachments" aria-label={t('reader_attachments')}>
      <h2>{t('reader_attachments')}</h2>
      <ul>
        {items.map((a, i) => (
          <li key={`${i}-${a.name}`}>
            <span class="attachment-name">{a.name}</span>{' '}
            <span class="attachment-size">{formatSize(a.size)}</span>{' '}
            <button
              type="button"
              data-attachment-index={i}
              aria-label={t('reader_download_named', a.name)}
              onClick={() => download(a.name, base64ToBytes(a.data))}
            >
              {t('reader_download')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
