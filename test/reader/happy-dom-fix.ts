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

/**
 * happy-dom's NodeIterator lacks the DOM standard's "pre-removing steps": when DOMPurify
 * removes the node it is on, the walk goes astray and skips what follows (hoisted content,
 * the next forbidden element), so a body needs one sanitizer pass per skipped element
 * where browsers need one or two. This gives `createNodeIterator` the standard's
 * behaviour for `nextNode` (all DOMPurify uses): a reference node removed since it was
 * returned is replaced by the node that preceded it. Call before the first sanitize
 * (DOMPurify reads `document.createNodeIterator` when its instance is made).
 */
export function fixNodeIterator(win: Window & typeof globalThis): void {
  const following = (node: Node, root: Node): Node | null => {
    if (node.firstChild) return node.firstChild;
    for (let n: Node | null = node; n && n !== root; n = n.parentNode)
      if (n.nextSibling) return n.nextSibling;
    return null;
  };
  const preceding = (node: Node, root: Node): Node | null => {
    if (node === root) return null;
    let n = node.previousSibling;
    if (!n) return node.parentNode;
    while (n.lastChild) n = n.lastChild;
    return n;
  };
  const create = (root: Node, whatToShow = 0xffffffff) => {
    let ref: Node = root;
    let before = true;
    let prev: Node | null = null;
    const inRoot = (n: Node | null) => n !== null && (n === root || root.contains(n));
    return {
      root,
      whatToShow,
      filter: null,
      nextNode(): Node | null {
        let node: Node | null = ref;
        if (!inRoot(node)) {
          if (!inRoot(prev)) return null;
          node = prev;
          before = false;
        }
        for (;;) {
          if (before) before = false;
          else node = following(node as Node, root);
          if (!node) return null;
          if ((whatToShow >> (node.nodeType - 1)) & 1) {
            ref = node;
            prev = preceding(node, root);
            return node;
          }
        }
      },
      previousNode: () => {
        throw new Error('fixNodeIterator: previousNode is not implemented');
      },
      detach() {},
    };
  };
  // The document's own prototype chain: happy-dom's window classes are subclasses of it.
  let proto: object | null = Object.getPrototypeOf(win.document);
  while (proto && !Object.hasOwn(proto, 'createNodeIterator')) proto = Object.getPrototypeOf(proto);
  if (!proto) throw new Error('fixNodeIterator: no createNodeIterator');
  Object.defineProperty(proto, 'createNodeIterator', {
    configurable: true,
    writable: true,
    value(this: Document, root: Node, whatToShow?: number) {
      return create(root, whatToShow);
    },
  });
}
