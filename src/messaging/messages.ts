/**
 * Every message Cipherpost's contexts exchange, as one discriminated union keyed by
 * `type` (named `domain:verb`). Each message kind declares which senders may send
 * it; the router (router.ts) enforces that before any handler runs.
 */

/**
 * Who sent a message, as established by classifySender (sender.ts), never by the
 * message itself.
 * - `content-script`: our content script in the top frame of a webmail tab.
 * - `extension-page`: a top-level extension page (popup, options, an extension tab).
 * - `extension-frame`: an extension-origin iframe (compose, reader) inside a tab.
 */
export type SenderKind = 'content-script' | 'extension-page' | 'extension-frame';

/** `system:ping`: liveness check; answers harmless build facts. */
export interface PingMessage {
  type: 'system:ping';
}
export interface PingResponse {
  /** The extension's manifest version string. */
  version: string;
  /** The browser this build targets (`chrome` or `firefox`). */
  browser: string;
}

/** The union of all messages. Add new ones here, in ResponseMap and in MESSAGES. */
export type Message = PingMessage;
export type MessageType = Message['type'];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** The `value` of a successful answer, per message type. */
export interface ResponseMap {
  'system:ping': PingResponse;
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

function hasOnlyKeys(raw: Readonly<Record<string, unknown>>, keys: readonly string[]): boolean {
  return Object.keys(raw).every((k) => keys.includes(k));
}

export const MESSAGES: { readonly [T in MessageType]: MessageSpec<T> } = {
  'system:ping': {
    senders: ['content-script', 'extension-page'],
    parse: (raw) => (hasOnlyKeys(raw, ['type']) ? { type: 'system:ping' } : null),
  },
};

export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(MESSAGES, type);
}
