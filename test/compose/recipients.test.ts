/** Who may be encrypted to (issue 5): a recipient without a key blocks the message. */
import { describe, expect, it } from 'vitest';
import {
  canEncrypt,
  checkRecipients,
  isAddress,
  parseAddressList,
  removeAddress,
  uncheckedAddresses,
  withViews,
} from '../../src/compose/recipients';
import type { KeyStatus, RecipientView } from '../../src/messaging/messages';

const view = (address: string, status: KeyStatus): RecipientView => ({ address, status });
const known = withViews(new Map(), [
  view('alice@example.com', 'verified'),
  view('bob@example.com', 'directory-verified'),
  view('carol@example.com', 'unverified'),
  view('dave@example.com', 'no-key'),
]);

describe('parseAddressList', () => {
  it('splits on commas, semicolons and lines, unwraps <>, drops blanks and duplicates', () => {
    expect(
      parseAddressList(' alice@example.com, Bob <bob@example.com>;carol@example.com\n\n, ALICE@example.com,'),
    ).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
    expect(parseAddressList('')).toEqual([]);
  });

  it('recognizes addresses', () => {
    expect(isAddress('alice@example.com')).toBe(true);
    expect(isAddress('alice@localhost')).toBe(true);
    for (const bad of ['alice', 'alice@', '@example.com', 'a b@example.com', 'a@b@c'])
      expect(isAddress(bad), bad).toBe(false);
  });

  it('removes one address from a field', () => {
    expect(removeAddress('alice@example.com, bob@example.com', 'ALICE@example.com')).toBe('bob@example.com');
  });
});

describe('checkRecipients', () => {
  it('lets verified, directory-verified and unverified keys through', () => {
    const check = checkRecipients(['alice@example.com', 'Bob@Example.com', 'carol@example.com'], known);
    expect(check).toEqual({ empty: false, noKey: [], invalid: [], checking: [] });
    expect(canEncrypt(check)).toBe(true);
  });

  it('blocks on a recipient without a key and names them', () => {
    const check = checkRecipients(['alice@example.com', 'dave@example.com'], known);
    expect(check.noKey).toEqual(['dave@example.com']);
    expect(canEncrypt(check)).toBe(false);
  });

  it('blocks until every address was checked, and on non-addresses and on nobody', () => {
    const unchecked = checkRecipients(['alice@example.com', 'erin@example.com'], known);
    expect(unchecked.checking).toEqual(['erin@example.com']);
    expect(canEncrypt(unchecked)).toBe(false);
    expect(uncheckedAddresses(['alice@example.com', 'erin@example.com', 'nope'], known)).toEqual([
      'erin@example.com',
    ]);
    const invalid = checkRecipients(['nope'], known);
    expect(invalid.invalid).toEqual(['nope']);
    expect(canEncrypt(invalid)).toBe(false);
    expect(canEncrypt(checkRecipients([], known))).toBe(false);
  });

  it('takes a newer answer over an older one', () => {
    const updated = withViews(known, [view('dave@example.com', 'directory-verified')]);
    expect(canEncrypt(checkRecipients(['dave@example.com'], updated))).toBe(true);
    expect(canEncrypt(checkRecipients(['dave@example.com'], known))).toBe(false);
  });
});
