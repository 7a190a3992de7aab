/**
 * The background's message router. Every request gets exactly one answer:
 *
 * 1. the sender is classified (sender.ts); an unknown sender gets `forbidden`,
 *    whatever it sent;
 * 2. a value that is not `{ type: string, ... }` gets `bad-request`;
 * 3. a type this build does not know gets `unknown-message`;
 * 4. a sender kind the message does not allow gets `forbidden`;
 * 5. fields that do not fit the message get `bad-request`;
 * 6. the handler's return value is answered `{ ok: true, value }`; a throw is
 *    answered `internal` (the error itself goes to `onError`, not to the sender).
 *
 * `createRouter` is pure (no browser API), so the whole policy is unit tested;
 * register.ts wires it to `browser.runtime.onMessage`.
 */

import { MESSAGES, type MessageOf, type MessageSpec, type MessageType, type ResponseOf } from './messages';
import { err, HandlerError, ok, type Result } from './result';
import {
  BUILD_CONTENT_HOSTS,
  classifySender,
  parseOrigin,
  type SenderLike,
  sameOrigin,
  type TrustedSender,
} from './sender';

export type Handler<T extends MessageType> = (
  message: MessageOf<T>,
  sender: TrustedSender,
) => ResponseOf<T> | Promise<ResponseOf<T>>;

export type Handlers = { readonly [T in MessageType]: Handler<T> };

/** Tests register only the handlers they exercise; a missing one answers `unknown-message`. */
export type SomeHandlers = Partial<Handlers>;

export interface RouterOptions {
  extensionId: string;
  extensionOrigin: string;
  handlers: SomeHandlers;
  /** The message table (who may send what); defaults to MESSAGES. Tests narrow it. */
  messages?: { readonly [T in MessageType]: MessageSpec<T> };
  /**
   * Content-script host patterns; defaults to this build's. A getter is asked per
   * web sender, so sites the user enables later are accepted without a restart
   * (docs/webmail-integration.md §Host permissions).
   */
  contentHosts?: readonly string[] | ContentHosts;
  /** Told about refused senders and handler failures (default: console.warn / console.error). */
  onRefused?: (reason: string, raw: unknown) => void;
  onError?: (error: unknown, type: MessageType) => void;
}

/** The current content-script host patterns: the build's plus the sites the user enabled. */
export type ContentHosts = () => Promise<readonly string[]> | readonly string[];

export type Router = (raw: unknown, sender: unknown) => Promise<Result<unknown>>;

export function createRouter(options: RouterOptions): Router {
  const messages = options.messages ?? MESSAGES;
  const hosts = options.contentHosts ?? BUILD_CONTENT_HOSTS;
  const contentHosts: ContentHosts = typeof hosts === 'function' ? hosts : () => hosts;
  /** A failing getter must not leave a message unanswered: the build's hosts still hold. */
  const hostsNow = async (): Promise<readonly string[]> => {
    try {
      return await contentHosts();
    } catch {
      onRefused('the enabled sites could not be read; build hosts only', null);
      return BUILD_CONTENT_HOSTS;
    }
  };
  const onRefused =
    options.onRefused ?? ((reason: string) => console.warn(`[cipherpost] refused message: ${reason}`));
  const onError =
    options.onError ??
    ((error: unknown, type: MessageType) => console.error(`[cipherpost] ${type} failed`, error));

  async function dispatch<T extends MessageType>(
    type: T,
    raw: Readonly<Record<string, unknown>>,
    sender: TrustedSender,
  ): Promise<Result<unknown>> {
    const spec = messages[type] as MessageSpec<T>;
    if (!spec.senders.includes(sender.kind)) {
      onRefused(`${sender.kind} may not send ${type}`, raw);
      return err('forbidden', `${type} is not allowed from this sender`);
    }
    const message = spec.parse(raw);
    if (message === null) return err('bad-request', `malformed ${type} message`);
    const handler = options.handlers[type] as Handler<T> | undefined;
    if (!handler) return err('unknown-message', 'unknown message type');
    try {
      return ok(await handler(message, sender));
    } catch (error) {
      // Domain errors (wrong passphrase, locked, corrupted…) carry a code meant for
      // the user; anything else stays in the background's console.
      if (error instanceof HandlerError) return err(error.code, error.message);
      onError(error, type);
      return err('internal', `${type} failed`);
    }
  }

  return async (raw, rawSender) => {
    // Only a web sender can depend on the host list; extension senders never wait for it.
    const patterns = isExtensionSender(rawSender, options.extensionOrigin) ? [] : await hostsNow();
    const classified = classifySender(rawSender, options.extensionId, options.extensionOrigin, patterns);
    if (!classified.ok) {
      onRefused(classified.reason, raw);
      return err('forbidden', 'sender not allowed');
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return err('bad-request', 'a message is an object with a string type');
    }
    const record = raw as Readonly<Record<string, unknown>>;
    const type = record.type;
    if (typeof type !== 'string') return err('bad-request', 'a message is an object with a string type');
    if (!Object.hasOwn(messages, type)) return err('unknown-message', 'unknown message type');
    return dispatch(type as MessageType, record, classified.sender);
  };
}

/**
 * A quick pre-check with the same origin rule classifySender applies (Chrome's
 * `origin`, else Firefox's `url`): classifySender still decides everything, this
 * only spares extension senders the host lookup.
 */
function isExtensionSender(rawSender: unknown, extensionOrigin: string): boolean {
  if (typeof rawSender !== 'object' || rawSender === null) return false;
  const s = rawSender as SenderLike;
  const origin = parseOrigin(typeof s.origin === 'string' ? s.origin : s.url);
  const own = parseOrigin(extensionOrigin);
  return origin !== null && own !== null && sameOrigin(origin, own);
}
