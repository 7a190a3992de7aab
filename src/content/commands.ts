/**
 * TabCommands from the background (tabs.sendMessage): the content script obeys
 * only its own extension's background or pages, never a tab. In a content script,
 * runtime.onMessage also hears other content scripts of the same extension (their
 * sender has `tab`); anything from elsewhere is ignored without an answer.
 */
import type { TabCommand } from '../messaging/messages';
import type { Answer } from './deps';

interface SenderLike {
  id?: string;
  tab?: unknown;
}

export function isTrustedSender(sender: unknown, runtimeId: string): boolean {
  if (typeof sender !== 'object' || sender === null) return false;
  const s = sender as SenderLike;
  return typeof runtimeId === 'string' && runtimeId !== '' && s.id === runtimeId && s.tab === undefined;
}

const isStr = (v: unknown): v is string => typeof v === 'string';

/** Checks a command's fields; null when it is not a TabCommand. */
export function parseTabCommand(raw: unknown): TabCommand | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'compose:insert': {
      const a = m.attachment as Record<string, unknown> | undefined;
      if (!isStr(m.ticket) || !isStr(m.body) || !isStr(m.subject) || typeof m.send !== 'boolean') return null;
      if (a !== undefined && (typeof a !== 'object' || a === null || !isStr(a.name) || !isStr(a.text)))
        return null;
      return {
        type: 'compose:insert',
        ticket: m.ticket,
        body: m.body,
        subject: m.subject,
        send: m.send,
        ...(a ? { attachment: { name: a.name as string, text: a.text as string } } : {}),
      };
    }
    case 'compose:close':
      return isStr(m.ticket) ? { type: 'compose:close', ticket: m.ticket } : null;
    case 'compose:start':
      return m.mode === 'reply' || m.mode === 'reply-all' || m.mode === 'forward'
        ? { type: 'compose:start', mode: m.mode }
        : null;
    case 'frame:resize':
      return isStr(m.ticket) && typeof m.height === 'number' && Number.isFinite(m.height)
        ? { type: 'frame:resize', ticket: m.ticket, height: m.height }
        : null;
    case 'privacy:restore':
      return isStr(m.ticket) ? { type: 'privacy:restore', ticket: m.ticket } : null;
    default:
      return null;
  }
}

/**
 * The runtime.onMessage listener. Answers through sendResponse (and returns true),
 * which Chrome and Firefox both support; returns false, answering nothing, for
 * messages it ignores.
 */
export function createCommandListener(
  runtimeId: () => string | undefined,
  handle: (cmd: TabCommand) => Promise<Answer>,
) {
  return (message: unknown, sender: unknown, sendResponse: (answer: Answer) => void): boolean => {
    const id = runtimeId();
    if (!id || !isTrustedSender(sender, id)) return false;
    const cmd = parseTabCommand(message);
    if (!cmd) {
      sendResponse({ ok: false, code: 'bad-request', message: 'not a command this content script knows' });
      return false;
    }
    handle(cmd).then(sendResponse, () =>
      sendResponse({ ok: false, code: 'internal', message: 'command failed' }),
    );
    return true;
  };
}
