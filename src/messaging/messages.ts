/**
 * Every message Cipherpost's contexts exchange, as one discriminated union keyed by
 * `type` (named `domain:verb`). Each message kind declares which senders may send
 * it; the router (router.ts) enforces that before any handler runs.
 *
 * Invariant 1–2 (SECURITY.md): a content script may send only `system:ping`.
 * Nothing that touches keys, plaintext or settings is reachable from a webmail tab.
 */

import { bool, custom, int, oneOf, parseFields, str, strs } from './schema';

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
  | { type: 'message:decrypt'; armored: string }
  // --- Webmail integration (issue 5, docs/webmail-integration.md) ---------------
  // From the content script: ciphertext and page facts only, never a key operation.
  | { type: 'reader:stage'; armored: string; from: string; source: 'body' | 'attachment' }
  | {
      type: 'compose:open';
      provider: ProviderId;
      window: 'frame' | 'standalone';
      to: string[];
      cc: string[];
      bcc: string[];
      canAttach: boolean;
    }
  | { type: 'providers:report'; provider: ProviderId; compose: ProbeState; reader: ProbeState }
  // Whether the reader asked for a reply in this tab: the compose that follows opens
  // by itself (the answer is one bit; the quote stays in the background).
  | { type: 'compose:seeded' }
  // From our compose and reader frames (and the standalone compose window).
  | { type: 'reader:open'; ticket: string }
  // The reader's "Always for this sender" (issue 6): keyed to the verified signer of the
  // ticket's message, resolved by the background, never to an address the frame names.
  | { type: 'reader:remote'; ticket: string; scope: 'sender' }
  | { type: 'compose:get'; ticket: string }
  | { type: 'compose:recipients'; addresses: string[] }
  | ({ type: 'compose:save-draft'; ticket: string } & ComposeDraft)
  | ({ type: 'compose:send'; ticket: string; send: boolean } & ComposeDraft)
  | { type: 'compose:cancel'; ticket: string }
  | { type: 'compose:reply'; ticket: string; mode: ReplyMode }
  | { type: 'frame:resize'; ticket: string; height: number }
  | { type: 'vault:open-unlock' }
  // From the popup and options.
  | { type: 'providers:status'; tabId: number }
  | { type: 'sites:list' }
  | { type: 'sites:enable'; origin: string; tabId?: number }
  | { type: 'sites:disable'; origin: string }
  // --- Privacy (issue 6, docs/privacy.md) ------------------------------------------
  // From the content script: what an opened message shows (sender facts, the remote
  // URLs it neutralised). The answer says whether to draw the banner frame.
  // `sheets`: those remote URLs that are style sheets (what they load is allowed with them).
  | { type: 'privacy:scan'; provider: ProviderId; facts: SenderFacts; remote: string[]; sheets?: string[] }
  // From the content script: a frame that showed a message whose remote content was
  // allowed is being left (Roundcube's preview loading the next one). The tab's allow
  // rules go before the next document can ask for the same URLs.
  | { type: 'privacy:leave' }
  // From our banner frame (ticket from privacy:scan); the reader frame uses reader:remote.
  | { type: 'privacy:get'; ticket: string }
  | { type: 'privacy:allow'; ticket: string; scope: 'once' | 'sender' }
  // From the options page: "Always for this sender" management.
  | { type: 'privacy:senders-list' }
  | { type: 'privacy:senders-remove'; address: string };

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

export type ProviderId = 'roundcube' | 'gmail' | 'outlook' | 'yahoo' | 'generic';
export const PROVIDER_IDS: readonly ProviderId[] = ['roundcube', 'gmail', 'outlook', 'yahoo', 'generic'];

/**
 * What a provider's selectors found on the page, for the popup:
 * `idle` nothing expected here; `ok` found; `missing` expected (for example the URL
 * says compose) but the selectors match nothing: the popup says so (issue 5).
 */
export type ProbeState = 'idle' | 'ok' | 'missing';
export type ReplyMode = 'reply' | 'reply-all' | 'forward';
/** A recipient's key status in the compose frame; `no-key` blocks encryption. */
export type KeyStatus = 'verified' | 'directory-verified' | 'unverified' | 'no-key';

export interface AttachmentInput {
  name: string;
  mediaType: string;
  /** base64 */
  data: string;
}

/** What the compose frame holds: sent, or autosaved encrypted to the sender. */
export interface ComposeDraft {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  bodyType: 'text/plain' | 'text/html';
  body: string;
  attachments: AttachmentInput[];
}

export interface RecipientView {
  address: string;
  status: KeyStatus;
  /** Formatted fingerprint of the key that would be used. */
  fingerprint?: string;
  /** Why the status (e.g. found in the directory now, key changed), in a code the UI words. */
  note?: 'key-changed' | 'from-directory' | 'directory-error' | 'own';
}

export interface ComposeContext {
  ticket: string;
  provider: ProviderId;
  window: 'frame' | 'standalone';
  /** The sender's own address (the first identity's). */
  from: string;
  /** Prefilled: recipients from the webmail, a reply's quote, or a resumed draft. */
  draft: ComposeDraft;
  recipients: RecipientView[];
  /** The webmail accepts a file: big messages travel as one `.cipherpost` attachment. */
  canAttach: boolean;
  /** Epoch ms of the encrypted local draft this compose resumed, if any. */
  resumedDraftAt?: number;
  replyMode?: ReplyMode;
}

/** The signature verdict in words (issue 5): always from the signature, never from DOM text. */
export interface SignatureView {
  signer: string;
  fingerprint: string;
  trust: TrustState | 'unknown' | 'own';
  /** The From the webmail shows ('' when the content script could not read one). */
  displayedFrom: string;
  /** displayedFrom is set and is not the verified signer's address. */
  fromMismatch: boolean;
}

export interface ReaderView extends DecryptedView {
  signature: SignatureView;
  source: 'body' | 'attachment';
  /**
   * Remote images load at once (issue 6): the user always allows this signer, whose key
   * is trusted and who is the From the webmail shows (reader-handlers.ts remoteAllowed).
   */
  remoteAllowed: boolean;
}

/**
 * What the webmail shows about a message's sender (issue 6). `source: 'headers'` when
 * the raw headers were read (Roundcube's viewsource), `'dom'` when only the message
 * view's From could be read (then replyTo/sender/returnPath/authResults are empty).
 */
export interface SenderFacts {
  source: 'dom' | 'headers';
  /** The From's display name ('' if none) and address, as shown or as in the header. */
  fromName: string;
  fromAddress: string;
  replyTo: string[];
  /** The Sender header's address ('' if none). */
  sender: string;
  /** The Return-Path address ('' if none or `<>`). */
  returnPath: string;
  /** Raw Authentication-Results header values, newest first. */
  authResults: string[];
}

export type SenderReasonCode =
  | 'display-name-address'
  | 'confusable-domain'
  | 'idn-homograph'
  | 'lookalike-contact'
  | 'lookalike-popular'
  | 'reply-to-domain'
  | 'sender-differs'
  | 'return-path-differs'
  | 'spf-fail'
  | 'dkim-fail'
  | 'dmarc-fail'
  | 'signer-differs';

export interface SenderReason {
  code: SenderReasonCode;
  severity: 'warning' | 'danger';
  /** Facts the UI words: e.g. { shown: 'paypal.com', actual: 'paypa1.com', like: 'paypal.com' }. */
  detail: Record<string, string>;
}

/** `none`: benign, nothing is shown. Severity is the worst reason's. */
export interface SenderVerdict {
  severity: 'none' | 'warning' | 'danger';
  reasons: SenderReason[];
}

/** What the banner frame shows for one opened message (privacy:get). */
export interface PrivacyView {
  /** Remote items blocked in this message (neutralised URLs). */
  count: number;
  hosts: string[];
  /** The From address the decision is keyed to. */
  sender: string;
  verdict: SenderVerdict;
  /** What is loaded now: nothing, this time only, or always for this sender. */
  loaded: 'none' | 'once' | 'sender';
}

/** Commands the background sends to the content script of a tab (tabs.sendMessage). */
export type TabCommand =
  | {
      type: 'compose:insert';
      ticket: string;
      /** The armored message for the body, or a short notice when it travels as an attachment. */
      body: string;
      subject: string;
      /** Armored text of the whole message as `<name>.cipherpost`, for big messages. */
      attachment?: { name: string; text: string };
      /** Press the webmail's Send after inserting. */
      send: boolean;
    }
  | { type: 'compose:close'; ticket: string }
  | { type: 'compose:start'; mode: ReplyMode }
  | { type: 'frame:resize'; ticket: string; height: number }
  /** The user chose to load the remote content of this message: restore the neutralised URLs. */
  | { type: 'privacy:restore'; ticket: string };

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
  'reader:stage': { ticket: string };
  'compose:open': { ticket: string };
  'providers:report': { recorded: true };
  'compose:seeded': { seeded: boolean };
  'reader:open': ReaderView;
  'reader:remote': { loaded: 'sender'; sender: string };
  'compose:get': ComposeContext;
  'compose:recipients': RecipientView[];
  'compose:save-draft': { savedAt: number };
  /**
   * `inserted`: the content script wrote it into the webmail. Otherwise (generic mode
   * with no field that had focus) `armored` is returned for the clipboard.
   */
  'compose:send': { delivery: 'inline' | 'attachment'; inserted: boolean; sent: boolean; armored?: string };
  'compose:cancel': { closed: true };
  'compose:reply': { started: true };
  'frame:resize': { resized: boolean };
  'vault:open-unlock': { opened: true };
  'providers:status': { provider: ProviderId; compose: ProbeState; reader: ProbeState; at: number } | null;
  'sites:list': string[];
  'sites:enable': { origin: string; injected: boolean };
  'sites:disable': { origin: string };
  'privacy:scan': { ticket: string; show: boolean; loaded: PrivacyView['loaded'] };
  'privacy:leave': { left: true };
  'privacy:get': PrivacyView;
  'privacy:allow': { loaded: PrivacyView['loaded'] };
  'privacy:senders-list': string[];
  'privacy:senders-remove': { removed: boolean };
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
const FRAMES: readonly SenderKind[] = ['extension-frame'];
const CONTENT: readonly SenderKind[] = ['content-script'];
const MAX_TICKET = 64;
const MAX_RECIPIENTS = 100;
const PROBE_STATES: readonly ProbeState[] = ['idle', 'ok', 'missing'];
const MAX_BODY = 16 * 1024 * 1024;
const MAX_ATTACHMENTS = 100;

function isAttachmentList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length <= MAX_ATTACHMENTS &&
    value.every((a: unknown) => {
      if (typeof a !== 'object' || a === null || Array.isArray(a)) return false;
      const r = a as Record<string, unknown>;
      return (
        Object.keys(r).length === 3 &&
        typeof r.name === 'string' &&
        r.name.length > 0 &&
        r.name.length <= 255 &&
        typeof r.mediaType === 'string' &&
        r.mediaType.length <= 255 &&
        typeof r.data === 'string' &&
        r.data.length <= MAX_BLOB
      );
    })
  );
}

const MAX_REMOTE_URLS = 500;
const MAX_HEADER = 8192;

function isSenderFacts(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  const keys = ['source', 'fromName', 'fromAddress', 'replyTo', 'sender', 'returnPath', 'authResults'];
  const text = (v: unknown, max: number) => typeof v === 'string' && v.length <= max;
  const list = (v: unknown, n: number, max: number) =>
    Array.isArray(v) && v.length <= n && v.every((x) => text(x, max));
  return (
    Object.keys(r).length === keys.length &&
    keys.every((k) => Object.hasOwn(r, k)) &&
    (r.source === 'dom' || r.source === 'headers') &&
    text(r.fromName, 1024) &&
    text(r.fromAddress, MAX_ADDRESS) &&
    list(r.replyTo, 20, MAX_ADDRESS) &&
    text(r.sender, MAX_ADDRESS) &&
    text(r.returnPath, MAX_ADDRESS) &&
    list(r.authResults, 20, MAX_HEADER)
  );
}

const DRAFT_FIELDS = {
  to: strs(MAX_RECIPIENTS, MAX_ADDRESS),
  cc: strs(MAX_RECIPIENTS, MAX_ADDRESS),
  bcc: strs(MAX_RECIPIENTS, MAX_ADDRESS),
  subject: str(4096),
  bodyType: oneOf(['text/plain', 'text/html']),
  body: str(MAX_BODY),
  attachments: custom(isAttachmentList),
} as const;
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
  // Content scripts hand over ciphertext and what the page shows; they get a ticket
  // that only an extension frame in the same tab can redeem (docs/webmail-integration.md).
  'reader:stage': spec(CONTENT, {
    armored: str(MAX_BLOB),
    from: str(MAX_ADDRESS),
    source: oneOf(['body', 'attachment']),
  }),
  'compose:open': spec(CONTENT, {
    provider: oneOf(PROVIDER_IDS),
    window: oneOf(['frame', 'standalone']),
    to: strs(MAX_RECIPIENTS, MAX_ADDRESS),
    cc: strs(MAX_RECIPIENTS, MAX_ADDRESS),
    bcc: strs(MAX_RECIPIENTS, MAX_ADDRESS),
    canAttach: bool(),
  }),
  'providers:report': spec(CONTENT, {
    provider: oneOf(PROVIDER_IDS),
    compose: oneOf(PROBE_STATES),
    reader: oneOf(PROBE_STATES),
  }),
  'compose:seeded': spec(CONTENT),
  'reader:open': spec(PAGES_AND_FRAMES, { ticket: str(MAX_TICKET) }),
  // Only the reader frame: it holds the reader ticket of the message shown.
  'reader:remote': spec(FRAMES, { ticket: str(MAX_TICKET), scope: oneOf(['sender']) }),
  'compose:get': spec(PAGES_AND_FRAMES, { ticket: str(MAX_TICKET) }),
  'compose:recipients': spec(PAGES_AND_FRAMES, { addresses: strs(MAX_RECIPIENTS, MAX_ADDRESS) }),
  'compose:save-draft': spec(PAGES_AND_FRAMES, { ticket: str(MAX_TICKET), ...DRAFT_FIELDS }),
  'compose:send': spec(PAGES_AND_FRAMES, { ticket: str(MAX_TICKET), send: bool(), ...DRAFT_FIELDS }),
  'compose:cancel': spec(PAGES_AND_FRAMES, { ticket: str(MAX_TICKET) }),
  'compose:reply': spec(PAGES_AND_FRAMES, {
    ticket: str(MAX_TICKET),
    mode: oneOf(['reply', 'reply-all', 'forward']),
  }),
  'frame:resize': spec(FRAMES, { ticket: str(MAX_TICKET), height: int(0, 100_000) }),
  'vault:open-unlock': spec(PAGES_AND_FRAMES),
  'providers:status': spec(PAGES, { tabId: int(0, Number.MAX_SAFE_INTEGER) }),
  'sites:list': spec(PAGES),
  'sites:enable': spec(PAGES, { origin: str(2048), tabId: int(0, Number.MAX_SAFE_INTEGER, true) }),
  'sites:disable': spec(PAGES, { origin: str(2048) }),
  'privacy:scan': spec(CONTENT, {
    provider: oneOf(PROVIDER_IDS),
    facts: custom(isSenderFacts),
    remote: strs(MAX_REMOTE_URLS, 4096),
    sheets: strs(MAX_REMOTE_URLS, 4096, true),
  }),
  'privacy:leave': spec(CONTENT),
  'privacy:get': spec(PAGES_AND_FRAMES, { ticket: str(MAX_TICKET) }),
  'privacy:allow': spec(PAGES_AND_FRAMES, { ticket: str(MAX_TICKET), scope: oneOf(['once', 'sender']) }),
  'privacy:senders-list': spec(PAGES),
  'privacy:senders-remove': spec(PAGES, { address: str(MAX_ADDRESS) }),
};

export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(MESSAGES, type);
}
