/**
 * Generic mode, for a site the user enabled that is no known webmail
 * (docs/webmail-integration.md): armored blocks anywhere in the page's text are
 * replaced by reader frames, and a large editable field that gets focus shows a
 * small lock button at its corner. The compose then opens in a standalone
 * extension window; on `compose:insert` the ciphertext goes into the field that
 * had the button, or, if it is gone, the background copies it to the clipboard.
 */

import { ARMOR_END } from '../crypto/armor';
import type { TabCommand } from '../messaging/messages';
import { hasArmorBegin, normalizeForScan } from './armor-scan';
import { proofLine } from './compose';
import { type Answer, type ContentDeps, fail, ok } from './deps';
import { isEditable, isOurHost, textOf } from './dom';
import { readBody, setEditableText, setFieldValue } from './insert';
import type { ReaderManager } from './reader';
import { BUTTON_STYLE, createHost, lockIcon, pin } from './shadow';

type Insert = Extract<TabCommand, { type: 'compose:insert' }>;
type Field = HTMLTextAreaElement | HTMLElement;

const MIN_FIELD_WIDTH = 200;
const MIN_FIELD_HEIGHT = 60;

/** The editable field an element belongs to: a textarea, or the outermost contenteditable. */
export function composeField(target: EventTarget | null): Field | null {
  if (!target || (target as Node).nodeType !== 1) return null;
  const el = target as HTMLElement;
  if (el.tagName === 'TEXTAREA') return el;
  if (!el.isContentEditable && !el.closest('[contenteditable="true"], [contenteditable=""]')) return null;
  let root: HTMLElement = el;
  while (
    root.parentElement?.isContentEditable ||
    root.parentElement?.closest('[contenteditable="true"], [contenteditable=""]')
  )
    root = root.parentElement as HTMLElement;
  return root;
}

/** Large enough to be a message body (not a search box). */
export function isLargeField(rect: { width: number; height: number }): boolean {
  return rect.width >= MIN_FIELD_WIDTH && rect.height >= MIN_FIELD_HEIGHT;
}

/** The elements that hold armored blocks in `root`'s text, outside editable fields and our hosts. */
export function findArmorRoots(root: Element): Element[] {
  const out: Element[] = [];
  if (!hasArmorBegin(root.textContent ?? '')) return out;
  const walker = root.ownerDocument.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node as Text;
    if (!hasArmorBegin(text.data)) continue;
    const parent = text.parentElement;
    if (!parent || isEditable(text) || parent.closest('script, style, noscript, template')) continue;
    if (hostAncestor(parent)) continue;
    // Up to the first ancestor whose text also holds the END (a truncated block: the parent).
    let holder: Element = parent;
    for (let el: Element | null = parent; el && el !== root.parentElement; el = el.parentElement) {
      if (normalizeForScan(textOf(el)).text.includes(ARMOR_END)) {
        holder = el;
        break;
      }
    }
    if (!out.includes(holder)) out.push(holder);
  }
  return out;
}

function hostAncestor(el: Element): boolean {
  for (let x: Element | null = el; x; x = x.parentElement) if (isOurHost(x)) return true;
  return false;
}

export function createGeneric(doc: Document, reader: ReaderManager, deps: ContentDeps, signal: AbortSignal) {
  let target: Field | null = null;
  let lock: { host: HTMLElement; field: Field } | null = null;

  function scan(): number {
    const body = doc.body;
    if (!body) return 0;
    const roots = findArmorRoots(body);
    for (const root of roots) void reader.stageBody(root, '');
    return roots.length;
  }

  function hideLock(): void {
    lock?.host.remove();
    lock = null;
  }

  function showLock(field: Field): void {
    if (lock?.field === field && lock.host.isConnected) return;
    hideLock();
    const rect = field.getBoundingClientRect();
    const { host, root } = createHost(doc, 'cipherpost-lock', {
      display: 'block',
      position: 'fixed',
      'z-index': '2147483646',
      left: `${Math.round(rect.right - 40)}px`,
      top: `${Math.round(rect.top + 4)}px`,
    });
    const button = doc.createElement('button');
    button.type = 'button';
    pin(button, { ...BUTTON_STYLE, padding: '0 8px', height: '28px', margin: '0' });
    button.title = deps.message('content_compose_generic');
    button.setAttribute('aria-label', deps.message('content_compose_generic'));
    button.append(lockIcon(doc));
    // Keep the focus in the field, so the button does not vanish under the click.
    button.addEventListener('mousedown', (e) => e.preventDefault(), { signal });
    button.addEventListener(
      'click',
      (event) => {
        if (!event.isTrusted) return;
        event.preventDefault();
        void openFor(field);
      },
      { signal },
    );
    root.append(button);
    doc.documentElement.append(host);
    lock = { host, field };
  }

  async function openFor(field: Field): Promise<string | null> {
    target = field;
    hideLock();
    const answer = await deps.send({
      type: 'compose:open',
      provider: 'generic',
      window: 'standalone',
      to: [],
      cc: [],
      bcc: [],
      canAttach: false,
    });
    return answer.ok ? answer.value.ticket : null;
  }

  doc.addEventListener(
    'focusin',
    (event) => {
      const field = composeField(event.composedPath?.()[0] ?? event.target);
      if (field && isLargeField(field.getBoundingClientRect())) showLock(field);
      else if (!(event.target instanceof Element && isOurHost(event.target))) hideLock();
    },
    { capture: true, signal },
  );
  doc.addEventListener(
    'focusout',
    (event) => {
      const next = (event as FocusEvent).relatedTarget;
      if (next instanceof Element && isOurHost(next)) return;
      deps.setTimeout(() => {
        if (lock && doc.activeElement !== lock.field && !lock.field.contains(doc.activeElement)) hideLock();
      }, 150);
    },
    { capture: true, signal },
  );

  /** compose:insert from the standalone window: into the remembered field, if it is still there. */
  function insert(cmd: Insert): Answer {
    const field = target;
    if (!field?.isConnected) return fail('not-delivered', 'no field to write into');
    if (field.tagName === 'TEXTAREA') setFieldValue(field as HTMLTextAreaElement, cmd.body);
    else setEditableText(field, cmd.body, 'div');
    const text =
      field.tagName === 'TEXTAREA'
        ? (field as HTMLTextAreaElement).value
        : readBody({ kind: 'contenteditable', element: field });
    if (!text.includes(proofLine(cmd.body))) return fail('not-delivered', 'the field did not keep the text');
    return ok({ inserted: true, sent: false });
  }

  return {
    scan,
    insert,
    openFor,
    stop: hideLock,
    target: () => target,
  };
}

export type GenericManager = ReturnType<typeof createGeneric>;
