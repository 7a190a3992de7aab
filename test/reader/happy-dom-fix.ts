/**
 * happy-dom's `Node.prototype.nodeName` getter returns '' for every node (subclasses
 * override it), while the DOM standard's getter answers for any node. DOMPurify 3.5 reads
 * node names through `Node.prototype`'s getter (so a page cannot clobber them), so under
 * happy-dom it sees '' everywhere and keeps everything. This restores the standard
 * behaviour — dispatching to the node's own getter — so the tests run the real DOMPurify
 * as browsers do. sanitize.ts's self-check is what catches a DOM without this fix.
 *
 * (happy-dom's NodeIterator also skips the node after one DOMPurify removes; sanitize.ts
 * re-sanitizes its output until it is stable, which covers that too, and the corpus test
 * checks the stability.)
 */
export function fixNodeNameGetter(win: Window & typeof globalThis): void {
  const proto = win.Node.prototype;
  const own = Object.getOwnPropertyDescriptor(proto, 'nodeName');
  if (!own?.get) return;
  const base = own.get;
  Object.defineProperty(proto, 'nodeName', {
    configurable: true,
    get(this: Node) {
      for (let p = Object.getPrototypeOf(this); p && p !== proto; p = Object.getPrototypeOf(p)) {
        const d = Object.getOwnPropertyDescriptor(p, 'nodeName');
        if (d?.get) return d.get.call(this);
      }
      return base.call(this);
    },
  });
}

/**
 * happy-dom fetches stylesheets and scripts even in documents made by DOMParser (browsers
 * never do: such documents are inert), so a hostile corpus would make network requests.
 * Tests never touch the network: turn those loads off.
 */
export function disableHappyDomLoading(win: Window): void {
  const settings = (win as unknown as { happyDOM?: { settings: Record<string, unknown> } }).happyDOM
    ?.settings;
  if (!settings) throw new Error('not a happy-dom window');
  settings.disableJavaScriptFileLoading = true;
  settings.disableCSSFileLoading = true;
  settings.disableIframePageLoading = true;
  settings.handleDisabledFileLoadingAsSuccess = true;
}
