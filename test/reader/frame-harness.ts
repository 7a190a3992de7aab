/**
 * A stand-in background for rendering the frames under happy-dom: `call` answers from a
 * table per message type and records every request; `t` returns the key (and its
 * substitutions) so tests check which sentence was chosen, not its wording.
 */
import { vi } from 'vitest';
import type { Message } from '../../src/messaging/messages';
import type { Result } from '../../src/messaging/result';

export type Answer = Result<unknown> | ((m: Message) => Result<unknown> | Promise<Result<unknown>>);

export function fakeBackground() {
  const sent: Message[] = [];
  const answers = new Map<string, Answer>();
  answers.set('ui:marker', { ok: true, value: { pattern: 'dots', color: '#123456', word: 'otter' } });
  answers.set('frame:resize', { ok: true, value: { resized: true } });
  const call = vi.fn(async (m: Message) => {
    sent.push(m);
    const a = answers.get(m.type);
    if (!a) return { ok: false, code: 'unavailable', message: `no answer for ${m.type}` };
    return typeof a === 'function' ? a(m) : a;
  });
  return { sent, answers, call, of: (type: string) => sent.filter((m) => m.type === type) };
}

export function fakeT(key: string, subs?: string | string[]): string {
  return subs === undefined ? key : `${key}(${([] as string[]).concat(subs).join(',')})`;
}

export async function waitFor<T>(probe: () => T | null | undefined | false, timeoutMs = 3000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`waitFor: timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function typeInto(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}
