/**
 * Every message Cipherpost's contexts exchange, as one discriminated union keyed by
 * `type` (named `domain:verb`). Each message kind declares which senders may send
 * it; the router (router.ts) enforces that before any handler runs.
 *
 * Invariant 1–2 (SECURITY.md): a content script may send only `system:ping`.
 * Nothing that touches keys, plaintext or settings is reachable from a webmail tab.
 */

import { int, oneOf, parseFields, str } from './schema';

/**
 * Who sent a message, as established by classifySender (sender.ts), never by the
 * message itself.
 * - `content-script`: our content script in the top frame of a webmail tab.
 * - `extension-page`: a top-level extension page (popup, options, an extension tab).
 * - `extension-frame`: an extension-origin iframe (compose, reader) inside a tab.
 */
export type SenderKind = 'content-script' | 'extension-page' | 'extension-frame';

const MAX_SECRET = 1024;
const MAX_ADDRESS = 320;
/** Armored messages and backups may carry attachments: up to 64 MiB of text. */
const MAX_BLOB = 64 * 1024 * 1024;
const MAX_KEY_TEXT = 64 * 1024;

export type VaultState = 'uninitialized' | 'locked' | 'unlocked';
export type TrustState = 'unverified' | 'directory-verified' | 'verified';
export type SecretKind = 'passphrase' | 'recovery-code';

export interface SecurityMarker {
  pattern: string;
  color: string;
  word: string;
}

export interface ContactView {
  address: string;
  fingerprint: string;
  trust: TrustState;
  /** The current key replaced an earlier one that the user had not yet acknowledged. */
  keyChanged: boolean;
  previousFingerprint?: string;
  history: { at: number; event: string; fingerprint?: string; previousFingerprint?: string }[];
}

/** Every request, with its payload. */
export type Message =
  | { type: 'system:ping' }
  | { type: 'ui:marker' }
  | { type: 'vault:status' }
  | { type: 'vault:create'; address: string; passphrase: string }
  | { type: 'vault:pending-recovery-code' }
  | { type: 'vault:confirm-recovery-code'; code: string }
  | { type: 'vault:unlock'; passphrase: string }
  | { type: 'vault:recover'; code: string; newPassphrase: string }
  | { type: 'vault:lock' }
  | { type: 'vault:change-passphrase'; current: string; next: string }
  | { type: 'vault:export-backup' }
  | { type: 'vault:import-backup'; data: string; secret: string; secretKind: SecretKind }
  | { type: 'identity:get' }
  | { type: 'contacts:list' }
  | { type: 'contacts:import'; text: string }
  | { type: 'contacts:verify'; address: string; fingerprint: string }
  | { type: 'contacts:delete'; address: string }
  | { type: 'settings:get' }
  | { type: 'settings:set'; autoLockMinutes?: number; directoryUrl?: string; directoryPublicKey?: string }
  | { type: 'directory:lookup'; address: string }
  | { type: 'directory:publish' }
  | { type: 'directory:check' }
  | { type: 'message:decrypt'; armored: string };

export type MessageType = Message['type'];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

export interface Settings {
  autoLockMinutes: number;
  directoryUrl: string;
  /** base64 of the directory's 32-byte Ed25519 tree-head key; '' until configured. */
  directoryPublicKey: string;
}

/** What the owner's self-monitoring last found (docs/transparency.md §Client checks). */
export interface DirectoryCheck {
  state: 'not-configured' | 'not-published' | 'published' | 'alarm' | 'error';
  /** Epoch milliseconds. */
  checkedAt: number;
  /** The key the directory serves for the owner's address now. */
  current?: string;
  /** Keys the log shows published for the address that the owner never published. */
  unexpected: string[];
  /** For `error`: the failed check (a `directory-*` code). */
  error?: string;
  /** `not-published` but a verification mail went out within the last hour: "check your inbox". */
  pending?: boolean;
}

export interface DecryptedView {
  subject: string;
  bodyType: 'text/plain' | 'text/html';
  body: string;
  date: number;
  sender: { address: string; fingerprint: string; trust: TrustState | 'unknown' };
  recipients: string[];
  addressedToYou: boolean;
  attachments: { name: string; mediaType: string; size: number; data: string }[];
}

/** The `value` of a successful answer, per message type. */
export interface ResponseMap {
  'system:ping': { version: string; browser: string };
  'ui:marker': SecurityMarker;
  'vault:status': { state: VaultState; retryAfterMs: number; addresses: string[]; recoveryPending: boolean };
  'vault:pending-recovery-code': { recoveryCode: string };
  'vault:create': { recoveryCode: string; fingerprint: string };
  'vault:confirm-recovery-code': { confirmed: true };
  'vault:unlock': { state: VaultState };
  'vault:recover': { state: VaultState };
  'vault:lock': { state: VaultState };
  'vault:change-passphrase': { changed: true };
  'vault:export-backup': { fileName: string; data: string };
  'vault:import-backup': { identities: number; contacts: number };
  'identity:get': {
    addresses: string[];
    fingerprint: string;
    created: number;
    expires: number;
    publicKey: string;
  };
  'contacts:list': ContactView[];
  'contacts:import': {
    addresses: string[];
    fingerprint: string;
    /** What the key did: made a new contact, was known already, is older than the current key (kept, not used), or replaced it. */
    status: 'new-contact' | 'same-key' | 'older-key' | 'key-changed';
    changed: boolean;
    previousFingerprint?: string;
  };
  'contacts:verify': { trust: TrustState };
  'contacts:delete': { deleted: true };
  'settings:get': Settings;
  'settings:set': Settings;
  'message:decrypt': DecryptedView;
  'directory:lookup': ContactView;
  'directory:publish': { status: 'pending' | 'already-verified'; fingerprint: string };
  'directory:check': DirectoryCheck;
}
export type ResponseOf<T extends MessageType> = ResponseMap[T];

export interface MessageSpec<T extends MessageType> {
  /** The sender kinds allowed to send this message. Anything else gets `forbidden`. */
  readonly senders: readonly SenderKind[];
  /**
   * Checks a raw object whose `type` is already known to be T. Returns the typed
   * message, or null (answered with `bad-request`). Unknown extra fields are refused.
   */
  parse(raw: Readonly<Record<string, unknown>>): MessageOf<T> | null;
}

const PAGES: readonly SenderKind[] = ['extension-page'];
const PAGES_AND_FRAMES: readonly SenderKind[] = ['extension-page', 'extension-frame'];

function spec<T extends MessageType>(
  senders: readonly SenderKind[],
  fields: Parameters<typeof parseFields>[1] = {},
): MessageSpec<T> {
  return { senders, parse: (raw) => parseFields<MessageOf<T>>(raw, fields) };
}

export const MESSAGES: { readonly [T in MessageType]: MessageSpec<T> } = {
  'system:ping': spec(['content-script', 'extension-page']),
  // The marker is the user's proof that a frame is ours: never to a content script.
  'ui:marker': spec(PAGES_AND_FRAMES),
  'vault:status': spec(PAGES_AND_FRAMES),
  'vault:create': spec(PAGES, { address: str(MAX_ADDRESS), passphrase: str(MAX_SECRET) }),
  // Shown until confirmed, so closing the popup mid-onboarding loses nothing.
  'vault:pending-recovery-code': spec(PAGES),
  'vault:confirm-recovery-code': spec(PAGES, { code: str(MAX_SECRET) }),
  'vault:unlock': spec(PAGES_AND_FRAMES, { passphrase: str(MAX_SECRET) }),
  'vault:recover': spec(PAGES, { code: str(MAX_SECRET), newPassphrase: str(MAX_SECRET) }),
  'vault:lock': spec(PAGES_AND_FRAMES),
  'vault:change-passphrase': spec(PAGES, { current: str(MAX_SECRET), next: str(MAX_SECRET) }),
  'vault:export-backup': spec(PAGES),
  'vault:import-backup': spec(PAGES, {
    data: str(MAX_BLOB),
    secret: str(MAX_SECRET),
    secretKind: oneOf(['passphrase', 'recovery-code']),
  }),
  'identity:get': spec(PAGES_AND_FRAMES),
  'contacts:list': spec(PAGES),
  'contacts:import': spec(PAGES, { text: str(MAX_KEY_TEXT) }),
  'contacts:verify': spec(PAGES, { address: str(MAX_ADDRESS), fingerprint: str(200) }),
  'contacts:delete': spec(PAGES, { address: str(MAX_ADDRESS) }),
  'settings:get': spec(PAGES),
  'settings:set': spec(PAGES, {
    autoLockMinutes: int(1, 24 * 60, true),
    directoryUrl: str(2048, true),
    directoryPublicKey: str(64, true),
  }),
  'directory:lookup': spec(PAGES, { address: str(MAX_ADDRESS) }),
  'directory:publish': spec(PAGES),
  'directory:check': spec(PAGES),
  'message:decrypt': spec(PAGES_AND_FRAMES, { armored: str(MAX_BLOB) }),
};

export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(MESSAGES, type);
}
