/**
 * The body: plain text (`#body`, a textarea) or simple rich text (`#body-rich`, a
 * contenteditable with Bold, Italic, bulleted list and link). Whatever enters the rich
 * editor from outside (a resumed draft, a reply's quote, a paste or a drop) goes through
 * the reader's sanitizer first: it runs in the extension's origin, so a hostile quote must
 * not load anything here either. The HTML sent is sanitized again (app.tsx).
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { isSafeLink, sanitizeHtml } from '../reader/sanitize';
import { t } from '../ui/i18n';

export type BodyMode = 'plain' | 'rich';

export function BodyEditor({
  mode,
  plain,
  richInitial,
  richRef,
  onPlainInput,
  onRichInput,
  onMode,
  onFiles,
}: {
  mode: BodyMode;
  plain: string;
  /** HTML loaded into the rich editor when it appears. */
  richInitial: string;
  richRef: { current: HTMLDivElement | null };
  onPlainInput: (text: string) => void;
  onRichInput: () => void;
  onMode: (mode: BodyMode) => void;
  onFiles: (files: File[]) => void;
}) {
  return (
    <section class="body-editor">
      <fieldset class="mode">
        <legend class="visually-hidden">{t('compose_body_mode')}</legend>
        <button
          type="button"
          id="mode-plain"
          aria-pressed={mode === 'plain'}
          class={mode === 'plain' ? 'active' : ''}
          onClick={() => onMode('plain')}
        >
          {t('compose_mode_plain')}
        </button>
        <button
          type="button"
          id="mode-rich"
          aria-pressed={mode === 'rich'}
          class={mode === 'rich' ? 'active' : ''}
          onClick={() => onMode('rich')}
        >
          {t('compose_mode_rich')}
        </button>
      </fieldset>
      {mode === 'plain' ? (
        <>
          <label for="body" class="visually-hidden">
            {t('compose_body')}
          </label>
          <textarea id="body" rows={14} value={plain} onInput={(e) => onPlainInput(e.currentTarget.value)} />
        </>
      ) : (
        <RichEditor initial={richInitial} editorRef={richRef} onInput={onRichInput} onFiles={onFiles} />
      )}
    </section>
  );
}

function RichEditor({
  initial,
  editorRef,
  onInput,
  onFiles,
}: {
  initial: string;
  editorRef: { current: HTMLDivElement | null };
  onInput: () => void;
  onFiles: (files: File[]) => void;
}) {
  const saved = useRef<Range | null>(null);
  const [linking, setLinking] = useState(false);
  const [url, setUrl] = useState('https://');
  const [linkError, setLinkError] = useState('');

  useLayoutEffect(() => {
    const editor = editorRef.current;
    if (!editor) return;
    editor.innerHTML = sanitizeHtml(initial);
    const remember = () => {
      const sel = document.getSelection();
      if (sel && sel.rangeCount > 0 && editor.contains(sel.anchorNode))
        saved.current = sel.getRangeAt(0).cloneRange();
    };
    document.addEventListener('selectionchange', remember);
    return () => document.removeEventListener('selectionchange', remember);
    // Loaded once per appearance: later edits live in the element itself.
  }, []);

  /** Puts focus and the last selection back into the editor before a command. */
  function restore() {
    const editor = editorRef.current;
    if (!editor) return;
    editor.focus();
    const sel = document.getSelection();
    if (saved.current && sel) {
      sel.removeAllRanges();
      sel.addRange(saved.current);
    }
  }

  function command(name: string, value?: string) {
    restore();
    document.execCommand(name, false, value);
    onInput();
  }

  function insertHtml(html: string) {
    const safe = sanitizeHtml(html);
    if (safe !== '') document.execCommand('insertHTML', false, safe);
  }

  function applyLink(e: Event) {
    e.preventDefault();
    if (!isSafeLink(url)) return setLinkError(t('compose_link_invalid'));
    setLinkError('');
    setLinking(false);
    command('createLink', url.trim());
  }

  // mousedown would move focus out of the editor and lose the selection.
  const keep = (e: MouseEvent) => e.preventDefault();

  return (
    <div class="rich">
      <div class="toolbar" role="toolbar" aria-label={t('compose_format')}>
        <button type="button" id="format-bold" onMouseDown={keep} onClick={() => command('bold')}>
          <b>{t('compose_bold')}</b>
        </button>
        <button type="button" id="format-italic" onMouseDown={keep} onClick={() => command('italic')}>
          <i>{t('compose_italic')}</i>
        </button>
        <button
          type="button"
          id="format-list"
          onMouseDown={keep}
          onClick={() => command('insertUnorderedList')}
        >
          {t('compose_bullets')}
        </button>
        <button type="button" id="format-link" onMouseDown={keep} onClick={() => setLinking(!linking)}>
          {t('compose_link')}
        </button>
      </div>
      {linking && (
        <form class="link-form" onSubmit={applyLink}>
          <label for="link-url">{t('compose_link_url')}</label>
          <input id="link-url" type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
          <button type="submit">{t('compose_link_apply')}</button>
          <button type="button" class="link" onClick={() => setLinking(false)}>
            {t('cancel')}
          </button>
          {linkError && (
            <p class="error" role="alert">
              {linkError}
            </p>
          )}
        </form>
      )}
      {/* biome-ignore lint/a11y/useSemanticElements: rich text needs a contenteditable; a textarea holds plain text only. */}
      <div
        id="body-rich"
        ref={editorRef}
        class="rich-body"
        contentEditable
        role="textbox"
        aria-multiline="true"
        aria-label={t('compose_body')}
        tabIndex={0}
        onInput={onInput}
        onPaste={(e) => {
          const data = e.clipboardData;
          if (!data) return;
          e.preventDefault();
          const html = data.getData('text/html');
          if (html) insertHtml(html);
          else document.execCommand('insertText', false, data.getData('text/plain'));
          onInput();
        }}
        onDrop={(e) => {
          const data = e.dataTransfer;
          if (!data) return;
          e.preventDefault();
          const files = Array.from(data.files);
          if (files.length > 0) return onFiles(files);
          const html = data.getData('text/html');
          if (html) insertHtml(html);
          else document.execCommand('insertText', false, data.getData('text/plain'));
          onInput();
        }}
      />
    </div>
  );
}
