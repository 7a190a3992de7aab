/**
 * Recipients in the compose frame (issue 5): the To/Cc/Bcc fields as text, parsed into
 * addresses, and whether encryption may go ahead. A recipient without a key blocks it;
 * so does an address not checked yet or not an address at all. Pure: tested in
 * test/compose/recipients.test.ts.
 */
import type { KeyStatus, RecipientView } from '../messaging/messages';

export type Field = 'to' | 'cc' | 'bcc';
export const FIELDS: readonly Field[] = ['to', 'cc', 'bcc'];

/** Addresses compare case-insensitively (the domain always; local parts in practice). */
export function addressKey(address: string): string {
  return address.trim().toLowerCase();
}

/**
 * "alice@x, Bob <bob@y>; carol@z" → ['alice@x', 'bob@y', 'carol@z']: split on commas,
 * semicolons and line breaks, angle-bracket addresses unwrapped, duplicates dropped.
 */
export function parseAddressList(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(/[,;\n\r]+/)) {
    const angle = part.match(/<([^<>]*)>/);
    const address = (angle ? angle[1]! : part).trim();
    if (address === '' || seen.has(addressKey(address))) continue;
    seen.add(addressKey(address));
    out.push(address);
  }
  return out;
}

/** A plausible mail address: one @, something on both sides, no spaces or separators. */
export function isAddress(text: string): boolean {
  return /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+$/.test(text);
}

/** The field's text without one address (the badge's Remove button). */
export function removeAddress(text: string, address: string): string {
  return parseAddressList(text)
    .filter((a) => addressKey(a) !== addressKey(address))
    .join(', ');
}

export type RecipientState = KeyStatus | 'checking' | 'invalid';

export function recipientState(address: string, known: ReadonlyMap<string, RecipientView>): RecipientState {
  if (!isAddress(address)) return 'invalid';
  return known.get(addressKey(address))?.status ?? 'checking';
}

export interface RecipientCheck {
  /** No recipient at all. */
  empty: boolean;
  noKey: string[];
  invalid: string[];
  /** Not answered by `compose:recipients` yet. */
  checking: string[];
}

export function checkRecipients(
  addresses: readonly string[],
  known: ReadonlyMap<string, RecipientView>,
): RecipientCheck {
  const check: RecipientCheck = { empty: addresses.length === 0, noKey: [], invalid: [], checking: [] };
  for (const address of addresses) {
    const state = recipientState(address, known);
    if (state === 'no-key') check.noKey.push(address);
    else if (state === 'invalid') check.invalid.push(address);
    else if (state === 'checking') check.checking.push(address);
  }
  return check;
}

/** Encryption may go ahead: someone to send to, every one of them with a key. */
export function canEncrypt(check: RecipientCheck): boolean {
  return (
    !check.empty && check.noKey.length === 0 && check.invalid.length === 0 && check.checking.length === 0
  );
}

/** Valid addresses that `compose:recipients` has not answered for yet. */
export function uncheckedAddresses(
  addresses: readonly string[],
  known: ReadonlyMap<string, RecipientView>,
): string[] {
  return addresses.filter((a) => isAddress(a) && !known.has(addressKey(a)));
}

export function withViews(
  known: ReadonlyMap<string, RecipientView>,
  views: readonly RecipientView[],
): Map<string, RecipientView> {
  const next = new Map(known);
  for (const v of views) next.set(addressKey(v.address), v);
  return next;
}
