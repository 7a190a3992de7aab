/** The compose frame's error words and body conversions, as pure functions. */
import type { ErrorCode } from '../messaging/result';

const COMPOSE_ERRORS: Partial<Record<ErrorCode, string>> = {
  'recipient-without-key': 'compose_error_recipient_without_key',
  'too-large-inline': 'compose_error_too_large_inline',
  'not-delivered': 'compose_error_not_delivered',
  'ticket-expired': 'compose_error_ticket_expired',
  forbidden: 'compose_error_ticket_expired',
  'rate-limited': 'error_rate_limited',
  unavailable: 'error_unavailable',
  'not-found': 'compose_error_ticket_expired',
};

/** The message key for a failed compose:get/send, or null to use the generic error text. */
export function composeErrorKey(code: string): string | null {
  return COMPOSE_ERRORS[code as ErrorCode] ?? null;
}

export const COMPOSE_STATE_KEYS: readonly string[] = [...new Set(Object.values(COMPOSE_ERRORS))];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Plain text as HTML for the rich editor: escaped, one <div> per line as editors write. */
export function textToHtml(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `<div>${line === '' ? '<br>' : line.replace(/[&<>"']/g, (c) => ESCAPES[c]!)}</div>`)
    .join('');
}
