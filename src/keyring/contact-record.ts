/**
 * A contact: one normalised address, every key seen for it, which key is
 * current, and the history of what happened. The rules that decide what a new
 * observation does are here, pure, so they are tested without a database.
 *
 *   plaintext (record version 1) = JSON { address, current, pendingChange?, keys: [...], history: [...] }
 *
 * Rules (docs/keyring.md §Contacts):
 * - the first key seen for an address becomes current;
 * - a different key, not older than the current one, replaces it: the result
 *   says `changed: true` with both fingerprints, the new key starts
 *   `unverified`, and the change stays pending until the user acknowledges or
 *   verifies it, so the UI can keep flagging it;
 * - a key older than the current one (an old message, a replayed bundle) is
 *   recorded but never replaces the current key: no rollback to a retired key;
 * - trust only changes through `setTrust` or a directory confirmation of an
 *   unverified current key, and every change is in the history.
 */
import type { PublicKeyBundle } from '../crypto';
import { toHex } from '../crypto/bytes';
import { decodeJson, encodeJson, Fields, toBase64 } from './codec';
import { VaultError } from './errors';

export const CONTACT_RECORD_VERSION = 1;
export const TRUST_STATES = ['unverified', 'directory-verified', 'verified'] as const;
export type TrustState = (typeof TRUST_STATES)[number];
export const KEY_SOURCES = ['manual', 'directory', 'message'] as const;
export type KeySource = (typeof KEY_SOURCES)[number];
/** Bounds so a flood of forged bundles for one address cannot grow a record without end. */
export const MAX_KEYS_PER_CONTACT = 32;
export const MAX_HISTORY = 256;

export interface ContactKey {
  /** Lower-case hex SHA-256 fingerprint (formatFingerprint for display). */
  readonly fingerprint: string;
  readonly bundle: Uint8Array;
  /** The bundle's own creation time, seconds since the epoch. */
  readonly keyCreated: number;
  /** Epoch milliseconds when this vault first saw the key. */
  readonly firstSeen: number;
  readonly source: KeySource;
  readonly trust: TrustState;
}

export type ContactEvent =
  | {
      readonly type: 'first-seen';
      readonly at: number;
      readonly fingerprint: string;
      readonly source: KeySource;
    }
  | {
      readonly type: 'key-changed';
      readonly at: number;
      readonly oldFingerprint: string;
      readonly newFingerprint: string;
      readonly source: KeySource;
    }
  | {
      readonly type: 'older-key-seen';
      readonly at: number;
      readonly fingerprint: string;
      readonly source: KeySource;
    }
  | {
      readonly type: 'trust-changed';
      readonly at: number;
      readonly fingerprint: string;
      readonly from: TrustState;
      readonly to: TrustState;
    }
  | { readonly type: 'change-acknowledged'; readonly at: number; readonly fingerprint: string };

export interface PendingChange {
  readonly oldFingerprint: string;
  readonly newFingerprint: string;
  readonly at: number;
}

export interface Contact {
  readonly address: string;
  readonly current: string;
  readonly keys: readonly ContactKey[];
  /** A key change the user has not acknowledged or verified yet. */
  readonly pendingChange?: PendingChange;
  /** Oldest first. */
  readonly history: readonly ContactEvent[];
}

export type ObserveResult =
  | {
      readonly changed: false;
      readonly status: 'new-contact' | 'same-key' | 'older-key';
      readonly contact: Contact;
    }
  | {
      readonly changed: true;
      readonly status: 'key-changed';
      readonly contact: Contact;
      readonly oldFingerprint: string;
      readonly newFingerprint: string;
    };

export interface Observation {
  readonly bundle: PublicKeyBundle;
  readonly source: KeySource;
  /** The caller checked this key against the directory's proof. */
  readonly directoryVerified?: boolean;
}

export function currentKey(contact: Contact): ContactKey {
  return contact.keys.find((k) => k.fingerprint === contact.current)!;
}

/** Accepts 32 bytes, or 64 hex digits in any case with optional spaces (as formatFingerprint shows them). */
export function normalizeFingerprint(fingerprint: Uint8Array | string): string {
  if (fingerprint instanceof Uint8Array && fingerprint.length === 32) return toHex(fingerprint);
  if (typeof fingerprint === 'string') {
    const hex = fingerprint.replace(/\s/g, '').toLowerCase();
    if (/^[0-9a-f]{64}$/.test(hex)) return hex;
  }
  throw new VaultError('invalid-input', 'fingerprint: expected 32 bytes or 64 hex digits');
}

/** Applies an observation; `dirty` says whether the record must be written. */
export function applyObservation(
  address: string,
  existing: Contact | undefined,
  obs: Observation,
  now: number,
): { result: ObserveResult; dirty: boolean } {
  const fingerprint = toHex(obs.bundle.fingerprint);
  const entry = (trust: TrustState): ContactKey => ({
    fingerprint,
    bundle: obs.bundle.bytes,
    keyCreated: obs.bundle.created,
    firstSeen: now,
    source: obs.source,
    trust,
  });
  if (!existing) {
    const contact: Contact = {
      address,
      current: fingerprint,
      keys: [entry(obs.directoryVerified ? 'directory-verified' : 'unverified')],
      history: [{ type: 'first-seen', at: now, fingerprint, source: obs.source }],
    };
    return { result: { changed: false, status: 'new-contact', contact }, dirty: true };
  }
  const known = existing.keys.find((k) => k.fingerprint === fingerprint);
  if (fingerprint === existing.current) {
    if (obs.directoryVerified && known?.trust === 'unverified') {
      const contact = setTrust(existing, fingerprint, 'directory-verified', now);
      return { result: { changed: false, status: 'same-key', contact }, dirty: true };
    }
    return { result: { changed: false, status: 'same-key', contact: existing }, dirty: false };
  }
  if (obs.bundle.created < currentKey(existing).keyCreated) {
    if (known) return { result: { changed: false, status: 'older-key', contact: existing }, dirty: false };
    const contact = trim({
      ...existing,
      keys: [...existing.keys, entry('unverified')],
      history: [...existing.history, { type: 'older-key-seen', at: now, fingerprint, source: obs.source }],
    });
    return { result: { changed: false, status: 'older-key', contact }, dirty: true };
  }
  const oldFingerprint = existing.current;
  const keys = known
    ? existing.keys.map((k) => (k.fingerprint === fingerprint ? { ...k, trust: 'unverified' as const } : k))
    : [...existing.keys, entry('unverified')];
  const contact = trim({
    ...existing,
    current: fingerprint,
    keys,
    pendingChange: { oldFingerprint, newFingerprint: fingerprint, at: now },
    history: [
      ...existing.history,
      { type: 'key-changed', at: now, oldFingerprint, newFingerprint: fingerprint, source: obs.source },
    ],
  });
  return {
    result: { changed: true, status: 'key-changed', contact, oldFingerprint, newFingerprint: fingerprint },
    dirty: true,
  };
}

/** Sets the trust of one known key. Verifying the new key of a pending change acknowledges it. */
export function setTrust(contact: Contact, fingerprint: string, trust: TrustState, now: number): Contact {
  const key = contact.keys.find((k) => k.fingerprint === fingerprint);
  if (!key) throw new VaultError('not-found', 'contact: no such key for this address');
  if (key.trust === trust) return contact;
  const { pendingChange, ...rest } = contact;
  const acknowledged = trust === 'verified' && pendingChange?.newFingerprint === fingerprint;
  return trim({
    ...rest,
    ...(pendingChange && !acknowledged ? { pendingChange } : {}),
    keys: contact.keys.map((k) => (k.fingerprint === fingerprint ? { ...k, trust } : k)),
    history: [
      ...contact.history,
      { type: 'trust-changed', at: now, fingerprint, from: key.trust, to: trust },
    ],
  });
}

export function acknowledgeChange(contact: Contact, now: number): Contact {
  const { pendingChange, ...rest } = contact;
  if (!pendingChange) return contact;
  return trim({
    ...rest,
    history: [
      ...contact.history,
      { type: 'change-acknowledged', at: now, fingerprint: pendingChange.newFingerprint },
    ],
  });
}

/** Drops the oldest history events and the oldest keys that are neither current nor verified. */
function trim(contact: Contact): Contact {
  let keys = contact.keys;
  while (keys.length > MAX_KEYS_PER_CONTACT) {
    const droppable = keys.filter((k) => k.fingerprint !== contact.current && k.trust !== 'verified');
    const victim = (
      droppable.length ? droppable : keys.filter((k) => k.fingerprint !== contact.current)
    ).reduce((a, b) => (b.firstSeen < a.firstSeen ? b : a));
    keys = keys.filter((k) => k !== victim);
  }
  const history = contact.history.slice(-MAX_HISTORY);
  return { ...contact, keys, history };
}

export function encodeContact(contact: Contact): Uint8Array {
  return encodeJson({
    address: contact.address,
    current: contact.current,
    ...(contact.pendingChange ? { pendingChange: contact.pendingChange } : {}),
    keys: contact.keys.map((k) => ({ ...k, bundle: toBase64(k.bundle) })),
    history: contact.history,
  });
}

export function decodeContact(bytes: Uint8Array): Contact {
  const f = new Fields(decodeJson(bytes, 'contact'), 'contact');
  const hex = (g: Fields, name: string) => {
    const v = g.string(name, 64);
    if (!/^[0-9a-f]{64}$/.test(v)) g.fail(`${name} is not a fingerprint`);
    return v;
  };
  const keys = f.array('keys', MAX_KEYS_PER_CONTACT).map((raw): ContactKey => {
    const k = new Fields(raw, 'contact key');
    return {
      fingerprint: hex(k, 'fingerprint'),
      bundle: k.base64('bundle'),
      keyCreated: k.int('keyCreated'),
      firstSeen: k.int('firstSeen'),
      source: k.oneOf('source', KEY_SOURCES),
      trust: k.oneOf('trust', TRUST_STATES),
    };
  });
  const history = f.array('history', MAX_HISTORY).map((raw): ContactEvent => {
    const e = new Fields(raw, 'contact event');
    const at = e.int('at');
    const type = e.oneOf('type', [
      'first-seen',
      'key-changed',
      'older-key-seen',
      'trust-changed',
      'change-acknowledged',
    ] as const);
    if (type === 'key-changed') {
      const [oldFingerprint, newFingerprint] = [hex(e, 'oldFingerprint'), hex(e, 'newFingerprint')];
      return { type, at, oldFingerprint, newFingerprint, source: e.oneOf('source', KEY_SOURCES) };
    }
    const fingerprint = hex(e, 'fingerprint');
    if (type === 'trust-changed') {
      return { type, at, fingerprint, from: e.oneOf('from', TRUST_STATES), to: e.oneOf('to', TRUST_STATES) };
    }
    if (type === 'change-acknowledged') return { type, at, fingerprint };
    return { type, at, fingerprint, source: e.oneOf('source', KEY_SOURCES) };
  });
  const contact: Contact = { address: f.string('address', 320), current: hex(f, 'current'), keys, history };
  if (!keys.some((k) => k.fingerprint === contact.current)) f.fail('current key is missing');
  if (!f.has('pendingChange')) return contact;
  const p = f.object('pendingChange');
  const pendingChange = {
    oldFingerprint: hex(p, 'oldFingerprint'),
    newFingerprint: hex(p, 'newFingerprint'),
    at: p.int('at'),
  };
  return { ...contact, pendingChange };
}
