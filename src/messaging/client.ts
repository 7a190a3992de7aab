/** Typed sending for content scripts and extension pages. */

import { browser } from 'wxt/browser';
import type { Message, ResponseOf } from './messages';
import { err, isResult, type Result } from './result';

/**
 * Sends a message to the background and resolves to its Result. Never rejects:
 * delivery failures and answers that are not Results become `unavailable`.
 */
export async function sendMessage<M extends Message>(
  message: M,
  send: (message: M) => Promise<unknown> = (m) => browser.runtime.sendMessage(m),
): Promise<Result<ResponseOf<M['type']>>> {
  let answer: unknown;
  try {
    answer = await send(message);
  } catch (error) {
    return err('unavailable', error instanceof Error ? error.message : 'message could not be delivered');
  }
  if (!isResult(answer)) return err('unavailable', 'no valid answer from the background');
  return answer as Result<ResponseOf<M['type']>>;
}
