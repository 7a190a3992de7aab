/**
 * What the content runtime needs from the extension, injected so that the unit
 * tests run it on fixture pages with fakes (test/content).
 */
import type { Message, ResponseOf } from '../messaging/messages';
import type { Result } from '../messaging/result';

export interface ContentDeps {
  /** runtime.sendMessage through src/messaging/client.ts: never rejects. */
  send<M extends Message>(message: M): Promise<Result<ResponseOf<M['type']>>>;
  /** runtime.getURL */
  getURL(path: string): string;
  /** i18n.getMessage */
  message(key: string): string;
  /** A same-origin download as text (Roundcube attachments). */
  fetchText(url: string): Promise<string>;
  /** Coalesces work: runs `callback` once on the next frame or idle tick. */
  defer(callback: () => void): void;
  now(): number;
  /** Timers that the runtime clears itself on teardown. */
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

/** A command answer, as the background expects it from tabs.sendMessage. */
export type Answer = { ok: true; value: unknown } | { ok: false; code: string; message: string };

export const ok = (value: unknown): Answer => ({ ok: true, value });
export const fail = (code: string, message: string): Answer => ({ ok: false, code, message });
