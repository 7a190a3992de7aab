/**
 * DOM reading helpers shared by the providers' runtime and generic mode: which
 * documents to look in (the top one and the spec's same-origin frames), the text
 * of an element with its line breaks, and the smallest element that holds an
 * armored block.
 */
import { ARMOR_BEGIN, ARMOR_END } from '../crypto/armor';
import { normalizeForScan } from './armor-scan';
import { HOST_ATTRIBUTE } from './shadow';

/** The document of a same-origin iframe, or null (cross-origin, not loaded, gone). */
export function frameDocument(frame: Element): Document | null {
  if (frame.tagName !== 'IFRAME' && frame.tagName !== 'FRAME') return null;
  try {
    const doc = (frame as HTMLIFrameElement).contentDocument;
    return doc?.documentElement ? doc : null;
  } catch {
    return null;
  }
}

/** The top document and the documents of the same-origin frames the selectors name. */
export function documentsOf(top: Document, frames: readonly string[]): Document[] {
  const docs = [top];
  for (const selector of frames) {
    for (const frame of top.querySelectorAll(selector)) {
      const doc = frameDocument(frame);
      if (doc && !docs.includes(doc)) docs.push(doc);
    }
  }
  return docs;
}

export function queryAllIn(docs: readonly (Document | Element)[], selector: string): Element[] {
  const out: Element[] = [];
  for (const doc of docs) for (const el of doc.querySelectorAll(selector)) out.push(el);
  return out;
}

/** Elements that end a line in rendered text. */
const BLOCK = new Set([
  'ADDRESS',
  'ARTICLE',
  'ASIDE',
  'BLOCKQUOTE',
  'DD',
  'DIV',
  'DL',
  'DT',
  'FIELDSET',
  'FIGURE',
  'FOOTER',
  'FORM',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HEADER',
  'HR',
  'LI',
  'MAIN',
  'NAV',
  'OL',
  'P',
  'PRE',
  'SECTION',
  'TABLE',
  'TR',
  'UL',
]);
/** Never read: their text is not shown (or is the user's own input). */
const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'INPUT', 'SELECT', 'IFRAME']);

/**
 * The text of an element as lines: `<br>` and block elements end lines, whatever
 * the CSS says. textContent would glue `<div>` lines together; innerText needs
 * layout (and costs a reflow).
 */
export function textOf(root: Node): string {
  let out = '';
  const walk = (node: Node): void => {
    if (node.nodeType === 3) {
      out += (node as Text).data;
      return;
    }
    if (node.nodeType !== 1) return;
    const el = node as Element;
    if (SKIP.has(el.tagName) || isOurHost(el)) return;
    if (el.tagName === 'BR') {
      out += '\n';
      return;
    }
    const block = BLOCK.has(el.tagName);
    if (block && out.length > 0 && !out.endsWith('\n')) out += '\n';
    for (let child = el.firstChild; child; child = child.nextSibling) walk(child);
    if (block && !out.endsWith('\n')) out += '\n';
  };
  walk(root);
  return out;
}

/** Our own host elements (see shadow.ts): never scanned, never hidden. */
export function isOurHost(el: Element): boolean {
  return el.localName.startsWith('cipherpost-') || el.hasAttribute(HOST_ATTRIBUTE);
}

function holds(el: Element, needEnd: boolean): boolean {
  const text = normalizeForScan(textOf(el)).text;
  const begin = text.indexOf(ARMOR_BEGIN);
  if (begin < 0) return false;
  return !needEnd || text.indexOf(ARMOR_END, begin) > begin;
}

/**
 * The smallest element under `root` (or `root` itself) whose text holds the BEGIN
 * marker and, when `complete`, the END marker after it. Descends while exactly one
 * child element holds the block.
 */
export function smallestHolder(root: Element, complete: boolean): Element {
  let current = root;
  for (;;) {
    let next: Element | null = null;
    for (const child of current.children) {
      if (SKIP.has(child.tagName) || isOurHost(child)) continue;
      if (holds(child, complete)) {
        next = child;
        break;
      }
    }
    if (!next) return current;
    current = next;
  }
}

/** Inside a field the user edits (a textarea's text, a contenteditable editor)? */
export function isEditable(node: Node): boolean {
  const el = node.nodeType === 1 ? (node as Element) : node.parentElement;
  if (!el) return false;
  if (el.closest('textarea, input, [contenteditable=""], [contenteditable="true"]')) return true;
  return (el as HTMLElement).isContentEditable === true;
}
