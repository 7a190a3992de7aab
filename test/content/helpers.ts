/**
 * Test helpers for the content runtime: fixture pages written into same-origin
 * iframes (real Documents with their own window, as in a browser), fake deps
 * that record what the content script sends, and access to closed shadow roots
 * (recorded from attachShadow, since the page, and so the test, cannot reach them).
 */
import { vi } from 'vitest';
import type { ContentDeps } from '../../src/content/deps';
import type { Message } from '../../src/messaging/messages';
import { fixtureHtml } from '../providers/fixtures';

export const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

/** Writes HTML into a new same-origin iframe of the test document; returns its document. */
export function pageDocument(html: string): Document {
  const frame = document.createElement('iframe');
  document.body.append(frame);
  const doc = frame.contentDocument!;
  doc.open();
  doc.write(html);
  doc.close();
  return doc;
}

/** A fixture page as a live document; `frames` fills same-origin iframes (by selector) with other fixtures. */
/** Where each provider's fixture pages live, as a <base> (a written about:blank document has no URL). */
export const ORIGINS: Record<string, string> = {
  roundcube: 'http://127.0.0.1:8080/',
  gmail: 'https://mail.google.com/mail/u/0/',
  outlook: 'https://outlook.live.com/mail/0/',
  yahoo: 'https://mail.yahoo.com/d/folders/1',
  generic: 'https://forum.example.org/t/1',
};

function withBase(html: string, base: string): string {
  return html.replace(/<head>/i, `<head><base href="${base}">`);
}

export function fixturePage(provider: string, page: string): Document {
  // The captured pages' iframes point at Roundcube URLs: empty them, the tests fill them.
  const html = fixtureHtml(provider, page).replace(/(<iframe\b[^>]*?)\ssrc="[^"]*"/g, '$1');
  return pageDocument(withBase(html, ORIGINS[provider]!));
}

export function fillFrame(doc: Document, selector: string, html: string): Document {
  const frame = doc.querySelector(selector) as HTMLIFrameElement;
  const inner = frame.contentDocument!;
  inner.open();
  inner.write(withBase(html, doc.baseURI));
  inner.close();
  return inner;
}

/** Every closed shadow root created from now on, by host. */
export function recordShadowRoots(): Map<Element, ShadowRoot> {
  const roots = new Map<Element, ShadowRoot>();
  const original = Element.prototype.attachShadow;
  vi.spyOn(Element.prototype, 'attachShadow').mockImplementation(function (
    this: Element,
    init: ShadowRootInit,
  ) {
    const root = original.call(this, init);
    roots.set(this, root);
    return root;
  });
  return roots;
}

export interface FakeDeps extends ContentDeps {
  sent: Message[];
  fetched: string[];
  /** Runs the deferred passes (what one animation frame would run). */
  flush(): void;
  advance(ms: number): void;
  fail: Set<Message['type']>;
  /** What compose:seeded answers (a reply from the reader waits for this tab). */
  seeded: boolean;
}

export function fakeDeps(files: Record<string, string> = {}): FakeDeps {
  let clock = 1_000_000;
  let tickets = 0;
  const deferred: (() => void)[] = [];
  const timers = new Map<number, { at: number; cb: () => void }>();
  let timerId = 0;
  const deps: FakeDeps = {
    sent: [],
    fetched: [],
    fail: new Set(),
    seeded: false,
    send: (async (message: Message) => {
      deps.sent.push(message);
      if (deps.fail.has(message.type)) return { ok: false, code: 'internal', message: 'no' };
      if (message.type === 'reader:stage' || message.type === 'compose:open')
        return { ok: true, value: { ticket: `t${++tickets}` } };
      if (message.type === 'compose:seeded') return { ok: true, value: { seeded: deps.seeded } };
      return { ok: true, value: { recorded: true } };
    }) as ContentDeps['send'],
    getURL: (path) => `${EXTENSION}${path}`,
    message: (key) => `[${key}]`,
    fetchText: async (url) => {
      deps.fetched.push(url);
      const text = files[url];
      if (text === undefined) throw new Error('404');
      return text;
    },
    defer: (cb) => {
      deferred.push(cb);
    },
    now: () => clock,
    setTimeout: (cb, ms) => {
      const id = ++timerId;
      timers.set(id, { at: clock + ms, cb });
      // Short timers (polls, focus checks) run on the next real tick and move the
      // clock on; long ones (the 3 s "missing" grace) wait for advance().
      if (ms < 1000)
        setTimeout(() => {
          if (!timers.delete(id)) return;
          clock += ms;
          cb();
        }, 0);
      return id;
    },
    clearTimeout: (id) => {
      timers.delete(id);
    },
    flush: () => {
      while (deferred.length) deferred.shift()!();
    },
    advance: (ms) => {
      clock += ms;
      for (const [id, t] of [...timers]) {
        if (t.at <= clock) {
          timers.delete(id);
          t.cb();
        }
      }
    },
  };
  return deps;
}

/** Lets pending promise callbacks (sends, fetches) run. */
export async function settle(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
}
