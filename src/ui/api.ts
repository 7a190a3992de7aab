/** How extension pages and frames talk to the background. */
import { sendMessage } from '../messaging/client';
import type { Message, ResponseOf } from '../messaging/messages';
import type { Result } from '../messaging/result';
import { t } from './i18n';

export function call<M extends Message>(message: M): Promise<Result<ResponseOf<M['type']>>> {
  return sendMessage(message);
}

/** The user-facing sentence for an error code, in the UI language. */
export function errorText(result: { code: string; message: string }): string {
  const key = `error_${result.code.replace(/-/g, '_')}`;
  const text = t(key);
  return text === key ? result.message : text;
}
