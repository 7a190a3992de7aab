/**
 * Attachments of the draft: a file input (`#attach`) and a drop zone; each file is read
 * here as base64 and shown with its name, size and a Remove button.
 */
import { useState } from 'preact/hooks';
import type { AttachmentInput } from '../messaging/messages';
import { bytesToBase64 } from '../ui/components/download';
import { base64Size, formatSize } from '../ui/frame';
import { t } from '../ui/i18n';

/** Bigger files would make the message too large for most webmails anyway. */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

export async function readFiles(
  files: Iterable<File>,
): Promise<{ added: AttachmentInput[]; tooBig: string[] }> {
  const added: AttachmentInput[] = [];
  const tooBig: string[] = [];
  for (const file of files) {
    if (file.size > MAX_ATTACHMENT_BYTES) {
      tooBig.push(file.name);
      continue;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    added.push({
      name: file.name || 'attachment',
      mediaType: file.type || 'application/octet-stream',
      data: bytesToBase64(bytes),
    });
  }
  return { added, tooBig };
}

export function AttachmentList({
  items,
  onAdd,
  onRemove,
}: {
  items: AttachmentInput[];
  onAdd: (files: File[]) => void;
  onRemove: (index: number) => void;
}) {
  const [over, setOver] = useState(false);
  return (
    <section
      class={`attachments drop-zone${over ? ' over' : ''}`}
      aria-label={t('compose_attachments')}
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes('Files')) {
          e.preventDefault();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false);
        const files = Array.from(e.dataTransfer?.files ?? []);
        if (files.length === 0) return;
        e.preventDefault();
        onAdd(files);
      }}
    >
      <label for="attach">{t('compose_attach')}</label>
      <input
        id="attach"
        type="file"
        multiple
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          if (files.length > 0) onAdd(files);
        }}
      />
      <p class="hint">{t('compose_drop_hint')}</p>
      {items.length > 0 && (
        <ul class="attachment-items">
          {items.map((a, i) => (
            <li key={`${i}-${a.name}`} data-attachment={a.name}>
              <span class="attachment-name">{a.name}</span>{' '}
              <span class="attachment-size">{formatSize(base64Size(a.data))}</span>{' '}
              <button
                type="button"
                class="link"
                aria-label={t('compose_remove_attachment', a.name)}
                onClick={() => onRemove(i)}
              >
                {t('compose_remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
