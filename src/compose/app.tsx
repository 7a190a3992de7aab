/**
 * The compose frame (issue 5): `compose.html#<ticket>`, laid by the content script over
 * the webmail's editor, or opened as a standalone window in generic mode
 * (ComposeContext.window). The plaintext lives only here and in the background; the
 * webmail gets the armored ciphertext (docs/webmail-integration.md §Composing).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AttachmentInput, ComposeContext, ComposeDraft, RecipientView } from '../messaging/messages';
import type { Err } from '../messaging/result';
import { sanitizeHtml } from '../reader/sanitize';
import { call, errorText } from '../ui/api';
import { FrameHeader } from '../ui/components/frame-header';
import { LockedNotice } from '../ui/components/locked-notice';
import { formatDateTime } from '../ui/frame';
import { t } from '../ui/i18n';
import { AttachmentList, readFiles } from './attachment-list';
import { createAutosave } from './autosave';
import { BodyEditor, type BodyMode } from './body-editor';
import { RecipientField } from './recipient-field';
import {
  canEncrypt,
  checkRecipients,
  FIELDS,
  type Field,
  parseAddressList,
  removeAddress,
  uncheckedAddresses,
  withViews,
} from './recipients';
import { composeErrorKey, textToHtml } from './state';

type Phase = 'loading' | 'ready' | 'locked' | 'error' | 'done';

function errorWords(r: Err): string {
  const key = composeErrorKey(r.code);
  return key ? t(key) : errorText(r);
}

export function ComposeApp({ ticket }: { ticket: string }) {
  const [phase, setPhase] = useState<Phase>('loading');
  const [context, setContext] = useState<ComposeContext | null>(null);
  const [loadError, setLoadError] = useState<{ code: string; text: string } | null>(null);

  const load = useCallback(async () => {
    if (!ticket) {
      setLoadError({ code: 'ticket-expired', text: t('compose_error_ticket_expired') });
      setPhase('error');
      return;
    }
    setPhase('loading');
    const r = await call({ type: 'compose:get', ticket });
    if (r.ok) {
      setContext(r.value);
      setPhase('ready');
    } else if (r.code === 'locked') setPhase('locked');
    else {
      setLoadError({ code: r.code, text: errorWords(r) });
      setPhase('error');
    }
  }, [ticket]);

  useEffect(() => {
    load();
  }, [load]);

  return (
    <main class="frame compose" id="compose" data-state={phase} aria-busy={phase === 'loading'}>
      <FrameHeader title={t('compose_title')} />
      {phase === 'loading' && (
        <p class="hint" role="status">
          {t('compose_loading')}
        </p>
      )}
      {phase === 'locked' && <LockedNotice onUnlocked={load} />}
      {phase === 'error' && loadError && (
        <p class="error" role="alert" id="error" data-code={loadError.code}>
          {loadError.text}
        </p>
      )}
      {phase === 'ready' && context && <Editor ticket={ticket} context={context} />}
    </main>
  );
}

function Editor({ ticket, context }: { ticket: string; context: ComposeContext }) {
  const standalone = context.window === 'standalone';
  const [fields, setFields] = useState<Record<Field, string>>({
    to: context.draft.to.join(', '),
    cc: context.draft.cc.join(', '),
    bcc: context.draft.bcc.join(', '),
  });
  const [known, setKnown] = useState<Map<string, RecipientView>>(() =>
    withViews(new Map(), context.recipients),
  );
  const [subject, setSubject] = useState(context.draft.subject);
  const [mode, setMode] = useState<BodyMode>(context.draft.bodyType === 'text/html' ? 'rich' : 'plain');
  const [plain, setPlain] = useState(context.draft.bodyType === 'text/plain' ? context.draft.body : '');
  const [richInitial, setRichInitial] = useState(
    context.draft.bodyType === 'text/html' ? context.draft.body : '',
  );
  const richRef = useRef<HTMLDivElement | null>(null);
  const [attachments, setAttachments] = useState<AttachmentInput[]>(context.draft.attachments);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errorCode, setErrorCode] = useState('');
  const [notice, setNotice] = useState('');
  const [draftStatus, setDraftStatus] = useState('');
  const [armored, setArmored] = useState('');
  const [finished, setFinished] = useState(false);

  const addresses = useMemo(
    () => FIELDS.flatMap((f) => parseAddressList(fields[f])),
    [fields.to, fields.cc, fields.bcc],
  );
  const check = checkRecipients(addresses, known);

  // The latest draft, for the autosave timer and the blur handler.
  const draftRef = useRef<() => ComposeDraft>(() => context.draft);
  draftRef.current = (): ComposeDraft => {
    const rich = mode === 'rich';
    return {
      to: parseAddressList(fields.to),
      cc: parseAddressList(fields.cc),
      bcc: parseAddressList(fields.bcc),
      subject,
      bodyType: rich ? 'text/html' : 'text/plain',
      body: rich ? sanitizeHtml(richRef.current?.innerHTML ?? '') : plain,
      attachments,
    };
  };

  const autosave = useMemo(
    () =>
      createAutosave(async () => {
        const r = await call({ type: 'compose:save-draft', ticket, ...draftRef.current() });
        if (r.ok) setDraftStatus(t('compose_draft_saved'));
        else {
          setDraftStatus(t('compose_draft_not_saved'));
          throw new Error(r.code);
        }
      }),
    [ticket],
  );
  const changed = () => {
    setDraftStatus('');
    autosave.changed();
  };

  useEffect(() => {
    const flush = () => {
      autosave.flush();
    };
    const hidden = () => document.visibilityState === 'hidden' && flush();
    window.addEventListener('blur', flush);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      window.removeEventListener('blur', flush);
      document.removeEventListener('visibilitychange', hidden);
      autosave.stop();
    };
  }, [autosave]);

  // Ask for the key status of addresses not seen yet, shortly after typing stops.
  const pending = uncheckedAddresses(addresses, known).join('\n');
  useEffect(() => {
    if (pending === '') return;
    const id = setTimeout(async () => {
      const r = await call({ type: 'compose:recipients', addresses: pending.split('\n') });
      if (r.ok) setKnown((k) => withViews(k, r.value));
      else setError(errorWords(r));
    }, 400);
    return () => clearTimeout(id);
  }, [pending]);

  function setField(field: Field, value: string) {
    setFields((f) => ({ ...f, [field]: value }));
    changed();
  }

  function switchMode(next: BodyMode) {
    if (next === mode) return;
    if (next === 'rich') setRichInitial(textToHtml(plain));
    // biome-ignore lint/performance/useDomNodeTextContent: innerText keeps the editor's line breaks; textContent drops them.
    else setPlain(richRef.current?.innerText ?? '');
    setMode(next);
    changed();
  }

  async function addFiles(files: File[]) {
    const { added, tooBig } = await readFiles(files);
    if (added.length > 0) {
      setAttachments((a) => [...a, ...added]);
      changed();
    }
    setError(tooBig.length > 0 ? t('compose_attachment_too_big', tooBig.join(', ')) : '');
  }

  async function submit(send: boolean) {
    setError('');
    setErrorCode('');
    setNotice('');
    setBusy(true);
    const r = await call({ type: 'compose:send', ticket, send, ...draftRef.current() });
    setBusy(false);
    if (!r.ok) {
      setErrorCode(r.code);
      if (r.code !== 'locked') setError(errorWords(r));
      return;
    }
    autosave.stop();
    setFinished(true);
    if (!r.value.inserted && r.value.armored) {
      // Still inside the click's user activation: the encryption is quick.
      try {
        await navigator.clipboard.writeText(r.value.armored);
        setNotice(t('compose_copied'));
      } catch {
        setArmored(r.value.armored);
        setNotice(t('compose_copy_failed'));
      }
      return;
    }
    setNotice(t(r.value.sent ? 'compose_sent' : 'compose_inserted'));
    // In a frame the content script removes us; a standalone window closes itself.
    if (standalone) window.close();
  }

  async function cancel() {
    if (finished) {
      if (standalone) window.close();
      return;
    }
    autosave.stop();
    setFinished(true);
    const r = await call({ type: 'compose:cancel', ticket });
    if (!r.ok) setError(errorWords(r));
    if (standalone) window.close();
  }

  const blocked = !canEncrypt(check);

  return (
    // Not a <form>: Enter in the subject must never send (and the link box is a form).
    <div class="compose-form">
      {context.resumedDraftAt !== undefined && (
        <p class="notice" role="status" id="resumed">
          {t('compose_resumed', formatDateTime(context.resumedDraftAt))}
        </p>
      )}
      <p class="from">
        <span class="label">{t('compose_from')}</span> <span id="from">{context.from}</span>
      </p>
      {FIELDS.map((field) => (
        <RecipientField
          key={field}
          field={field}
          value={fields[field]}
          known={known}
          onInput={(v) => setField(field, v)}
          onCommit={() => setFields((f) => ({ ...f, [field]: parseAddressList(f[field]).join(', ') }))}
          onRemove={(address) => setField(field, removeAddress(fields[field], address))}
        />
      ))}
      {check.noKey.length > 0 && (
        <div id="blocked" class="danger" role="alert">
          {check.noKey.map((a) => (
            <p key={a}>{t('compose_blocked_no_key', a)}</p>
          ))}
        </div>
      )}
      {check.invalid.length > 0 && (
        <p class="warning" role="alert" id="invalid-recipients">
          {t('compose_invalid_addresses', check.invalid.join(', '))}
        </p>
      )}
      <label for="subject">{t('compose_subject')}</label>
      <input
        id="subject"
        type="text"
        value={subject}
        onInput={(e) => {
          setSubject(e.currentTarget.value);
          changed();
        }}
      />
      <BodyEditor
        mode={mode}
        plain={plain}
        richInitial={richInitial}
        richRef={richRef}
        onPlainInput={(text) => {
          setPlain(text);
          changed();
        }}
        onRichInput={changed}
        onMode={switchMode}
        onFiles={addFiles}
      />
      <AttachmentList
        items={attachments}
        onAdd={addFiles}
        onRemove={(i) => {
          setAttachments((a) => a.filter((_, j) => j !== i));
          changed();
        }}
      />
      <div aria-live="polite" class="status-line">
        {draftStatus && (
          <p class="hint" id="draft-status">
            {draftStatus}
          </p>
        )}
        {notice && (
          <p class="notice" role="status" id="notice">
            {notice}
          </p>
        )}
        {error && (
          <p class="error" role="alert" id="compose-error" data-code={errorCode}>
            {error}
          </p>
        )}
      </div>
      {errorCode === 'locked' && (
        <LockedNotice
          onUnlocked={() => {
            setErrorCode('');
            setError('');
          }}
        />
      )}
      {armored && (
        <textarea class="armored" readOnly rows={6} value={armored} aria-label={t('compose_armored')} />
      )}
      <div class="row actions">
        <button
          type="button"
          id="encrypt-send"
          disabled={blocked || busy || finished}
          onClick={() => submit(true)}
        >
          {busy ? t('working') : t('compose_encrypt_send')}
        </button>
        <button
          type="button"
          id="encrypt-insert"
          disabled={blocked || busy || finished}
          onClick={() => submit(false)}
        >
          {t('compose_encrypt_insert')}
        </button>
        <button type="button" id="cancel" onClick={cancel}>
          {finished && standalone ? t('close') : t('cancel')}
        </button>
      </div>
    </div>
  );
}
