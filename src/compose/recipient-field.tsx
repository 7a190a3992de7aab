/**
 * One of To, Cc, Bcc: an input taking comma-separated addresses, and under it each
 * address with its key status (`compose:recipients`), removable with a button.
 */
import type { RecipientView } from '../messaging/messages';
import { t } from '../ui/i18n';
import { type Field, parseAddressList, type RecipientState, recipientState } from './recipients';

const STATUS_KEYS: Record<RecipientState, string> = {
  verified: 'key_status_verified',
  'directory-verified': 'key_status_directory_verified',
  unverified: 'key_status_unverified',
  'no-key': 'key_status_no_key',
  checking: 'key_status_checking',
  invalid: 'key_status_invalid',
};

/** Why a status is what it is; a changed key is a warning, the others are information. */
export const NOTE_KEYS: Record<NonNullable<RecipientView['note']>, string> = {
  'key-changed': 'key_note_key_changed',
  'from-directory': 'key_note_from_directory',
  'directory-error': 'key_note_directory_error',
  own: 'key_note_own',
};

export function RecipientField({
  field,
  value,
  known,
  onInput,
  onCommit,
  onRemove,
}: {
  field: Field;
  value: string;
  known: ReadonlyMap<string, RecipientView>;
  onInput: (value: string) => void;
  onCommit: () => void;
  onRemove: (address: string) => void;
}) {
  const addresses = parseAddressList(value);
  const listId = `${field}-list`;
  return (
    <div class={`recipient-field field-${field}`}>
      <label for={field}>{t(`compose_${field}`)}</label>
      <input
        id={field}
        type="text"
        inputMode="email"
        autocomplete="off"
        spellcheck={false}
        aria-describedby={listId}
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        onBlur={onCommit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            onCommit();
          }
        }}
      />
      <ul id={listId} class="recipients" aria-live="polite">
        {addresses.map((address) => {
          const state = recipientState(address, known);
          const view = known.get(address.toLowerCase());
          const fingerprint = view?.fingerprint;
          const note = state === 'invalid' ? undefined : view?.note;
          return (
            <li
              key={address}
              class={`recipient status-${state}`}
              data-recipient={address}
              data-status={state}
              data-note={note}
              title={fingerprint}
            >
              <span class="recipient-address">{address}</span>{' '}
              <span class="badge">{t(STATUS_KEYS[state])}</span>
              {note && <span class={`note note-${note}`}> · {t(NOTE_KEYS[note])}</span>}
              <button
                type="button"
                class="link remove"
                aria-label={t('compose_remove_recipient', address)}
                onClick={() => onRemove(address)}
              >
                ×
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
