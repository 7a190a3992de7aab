// @vitest-environment happy-dom
/**
 * The quiet ContentScriptContext (src/content/context.ts) that replaces WXT's in
 * the content-script build (wxt.config.ts alias; SECURITY.md §Known issues).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const runtime = vi.hoisted(() => {
  const r = { id: 'abcdefghijklmnopabcdefghijklmnop' as string | undefined };
  (globalThis as { chrome?: unknown }).chrome = { runtime: r };
  return r;
});

const { ContentScriptContext } = await import('../../src/content/context');
const ROOT = join(import.meta.dirname, '../..');

afterEach(() => {
  runtime.id = 'abcdefghijklmnopabcdefghijklmnop';
  vi.restoreAllMocks();
});

describe('quiet content-script context', () => {
  it('the alias still hits: WXT 0.20 wrapper imports the module the config replaces', () => {
    const wrapper = readFileSync(
      join(ROOT, 'node_modules/wxt/dist/virtual/content-script-isolated-world-entrypoint.mjs'),
      'utf8',
    );
    expect(wrapper).toContain('from "wxt/utils/content-script-context"');
    expect(wrapper).toMatch(/new ContentScriptContext\(import\.meta\.env\.ENTRYPOINT, options\)/);
    const config = readFileSync(join(ROOT, 'wxt.config.ts'), 'utf8');
    expect(config).toContain('find: /^wxt\\/utils\\/content-script-context$/');
    expect(config).toContain("'./src/content/context.ts'");
  });

  it("has every public member of WXT's context that callers use", () => {
    // Read from the source: importing WXT's module needs WXT's build-time env.
    const source = readFileSync(join(ROOT, 'node_modules/wxt/dist/utils/content-script-context.mjs'), 'utf8');
    const internal = new Set([
      'constructor',
      'stopOldScripts',
      'verifyScriptStartedEvent',
      'listenForNewerScripts',
    ]);
    const wanted = [...source.matchAll(/^\t(?:get )?(\w+)\([^)]*\) \{$/gm)]
      .map((m) => m[1]!)
      .filter((n) => !internal.has(n));
    expect(wanted).toEqual(
      expect.arrayContaining(['signal', 'onInvalidated', 'setTimeout', 'addEventListener']),
    );
    const ours = new Set(Object.getOwnPropertyNames(ContentScriptContext.prototype));
    expect(wanted.filter((n) => !ours.has(n))).toEqual([]);
  });

  it('tells the page nothing: no events on document or window, no postMessage', () => {
    const onDocument = vi.spyOn(document, 'dispatchEvent');
    const onWindow = vi.spyOn(window, 'dispatchEvent');
    const posted = vi.spyOn(window, 'postMessage');
    const heard: string[] = [];
    const listen = (e: Event) => heard.push(e.type);
    document.addEventListener(`${runtime.id}:content:wxt:content-script-started`, listen);
    const ctx = new ContentScriptContext('content', { noScriptStartedPostMessage: true });
    expect(onDocument).not.toHaveBeenCalled();
    expect(onWindow).not.toHaveBeenCalled();
    expect(posted).not.toHaveBeenCalled();
    expect(heard).toEqual([]);
    expect(ctx.isValid).toBe(true);
    // A page forging WXT's event cannot invalidate it.
    document.dispatchEvent(
      new CustomEvent(`${runtime.id}:content:wxt:content-script-started`, {
        detail: { contentScriptName: 'content', messageId: 'forged' },
      }),
    );
    expect(ctx.isValid).toBe(true);
    ctx.notifyInvalidated();
  });

  it('a newer copy of the script stops the older one', () => {
    const older = new ContentScriptContext('content');
    const stopped = vi.fn();
    older.onInvalidated(stopped);
    const newer = new ContentScriptContext('content');
    expect(older.signal.aborted).toBe(true);
    expect(stopped).toHaveBeenCalledTimes(1);
    expect(newer.isValid).toBe(true);
    const other = new ContentScriptContext('another');
    expect(newer.isValid).toBe(true);
    newer.notifyInvalidated();
    other.notifyInvalidated();
  });

  it('an orphaned copy (extension reloaded: runtime.id gone) invalidates itself', () => {
    const ctx = new ContentScriptContext('content');
    const timer = vi.fn();
    ctx.setTimeout(timer, 0);
    runtime.id = undefined;
    expect(ctx.isInvalid).toBe(true);
    expect(ctx.signal.aborted).toBe(true);
  });

  it("refuses WXT's page-visible wxt: events", () => {
    const ctx = new ContentScriptContext('content');
    expect(() => ctx.addEventListener(window, 'wxt:locationchange', () => {})).toThrow(/not available/);
    const clicks = vi.fn();
    ctx.addEventListener(document, 'click', clicks);
    document.dispatchEvent(new Event('click'));
    ctx.notifyInvalidated();
    document.dispatchEvent(new Event('click'));
    expect(clicks).toHaveBeenCalledTimes(1);
  });
});
