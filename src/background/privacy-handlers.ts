/**
 * Privacy messages (issue 6, docs/privacy.md). Placeholder until the remote-content
 * blocking lands: every privacy message is refused with a typed error.
 */
import { HandlerError } from '../messaging/result';
import type { Handlers } from '../messaging/router';

type PrivacyType =
  | 'privacy:scan'
  | 'privacy:get'
  | 'privacy:allow'
  | 'privacy:senders-list'
  | 'privacy:senders-remove';

export function privacyHandlers(): Pick<Handlers, PrivacyType> {
  const refuse = () => {
    throw new HandlerError('not-found', 'privacy protections are not available in this build');
  };
  return {
    'privacy:scan': refuse,
    'privacy:get': refuse,
    'privacy:allow': refuse,
    'privacy:senders-list': refuse,
    'privacy:senders-remove': refuse,
  };
}
