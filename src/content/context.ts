/**
 * A quiet stand-in for WXT's ContentScriptContext, put in its place for the
 * content-script build by an alias in wxt.config.ts (SECURITY.md §Known issues).
 *
 * WXT's own context (wxt/utils/content-script-context, 0.20) announces every
 * content script on the page's `document` with a CustomEvent named
 * `<extension id>:content:wxt:content-script-started`, so any page could tell that
 * Cipherpost is installed and forge that event to invalidate the context. Its
 * location watcher also dispatches `<id>:wxt:locationchange` on `window`.
 *
 * This one dispatches nothing the page can observe. A newer copy of the script in
 * the same frame (an update, or `scripting.executeScript` after "Use Cipherpost
 * on this site") finds the older one through a symbol on the isolated world's
 * global object, which the page cannot see, and stops it. An orphaned copy (the
 * extension was reloaded) notices that `browser.runtime.id` is gone.
 *
 * It keeps the public shape of WXT's class that WXT's entrypoint wrapper and our
 * entrypoint use (constructor(name, options), signal, isValid/isInvalid,
 * onInvalidated, abort, block, setTimeout, setInterval, requestAnimationFrame,
 * requestIdleCallback, addEventListener, notifyInvalidated).
 */
import { browser } from 'wxt/browser';

const CURRENT = Symbol.for('cipherpost.content-script');
const ORPHAN_CHECK_MS = 10_000;

type Registry = Record<string, { stop(): void } | undefined>;

export class ContentScriptContext {
  readonly id = Math.random().toString(36).slice(2);
  readonly abortController = new AbortController();

  constructor(
    readonly contentScriptName: string,
    readonly options?: unknown,
  ) {
    const global = globalThis as unknown as Record<symbol, Registry | undefined>;
    const registry: Registry = global[CURRENT] ?? {};
    global[CURRENT] = registry;
    registry[contentScriptName]?.stop();
    const entry = { stop: () => this.notifyInvalidated() };
    registry[contentScriptName] = entry;
    this.onInvalidated(() => {
      if (registry[contentScriptName] === entry) delete registry[contentScriptName];
    });
    this.setInterval(() => void this.isInvalid, ORPHAN_CHECK_MS);
  }

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  abort(reason?: unknown): void {
    this.abortController.abort(reason);
  }

  get isInvalid(): boolean {
    if (browser?.runtime?.id == null) this.notifyInvalidated();
    return this.signal.aborted;
  }

  get isValid(): boolean {
    return !this.isInvalid;
  }

  onInvalidated(cb: () => void): () => void {
    this.signal.addEventListener('abort', cb);
    return () => this.signal.removeEventListener('abort', cb);
  }

  block<T>(): Promise<T> {
    return new Promise(() => {});
  }

  setInterval(handler: () => void, timeout?: number): number {
    const id = setInterval(() => {
      if (!this.signal.aborted) handler();
    }, timeout) as unknown as number;
    this.onInvalidated(() => clearInterval(id));
    return id;
  }

  setTimeout(handler: () => void, timeout?: number): number {
    const id = setTimeout(() => {
      if (!this.signal.aborted) handler();
    }, timeout) as unknown as number;
    this.onInvalidated(() => clearTimeout(id));
    return id;
  }

  requestAnimationFrame(callback: FrameRequestCallback): number {
    const id = requestAnimationFrame((t) => {
      if (!this.signal.aborted) callback(t);
    });
    this.onInvalidated(() => cancelAnimationFrame(id));
    return id;
  }

  requestIdleCallback(callback: IdleRequestCallback, options?: IdleRequestOptions): number {
    const id = requestIdleCallback((d) => {
      if (!this.signal.aborted) callback(d);
    }, options);
    this.onInvalidated(() => cancelIdleCallback(id));
    return id;
  }

  /** Plain addEventListener bound to the context's lifetime. `wxt:` events are not supported (they leak). */
  addEventListener(
    target: EventTarget,
    type: string,
    handler: EventListenerOrEventListenerObject,
    options?: AddEventListenerOptions,
  ): void {
    if (type.startsWith('wxt:')) throw new Error(`${type}: WXT's page-visible events are not available`);
    target.addEventListener(type, handler, { ...options, signal: this.signal });
  }

  notifyInvalidated(): void {
    this.abort('Content script context invalidated');
  }
}
