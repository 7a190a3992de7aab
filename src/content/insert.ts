/**
 * Writing into a webmail's compose fields (TabCommand `compose:insert`). The text
 * is ciphertext (or a short notice) from the background; it is still written as
 * text only (value, textContent, text nodes), never parsed as HTML.
 */
import type { BodyCandidate } from '../providers/types';
import { frameDocument, textOf } from './dom';

export interface BodyEditor {
  kind: BodyCandidate['kind'];
  /** The textarea, or the editable element (TinyMCE's body#tinymce, a contenteditable div). */
  element: HTMLElement;
}

/** The first body candidate present in `root`. */
export function findBodyEditor(root: ParentNode, candidates: readonly BodyCandidate[]): BodyEditor | null {
  for (const candidate of candidates) {
    if (candidate.kind === 'frame-body') {
      const frame = candidate.frame ? root.querySelector(candidate.frame) : null;
      const doc = frame ? frameDocument(frame) : null;
      const element = doc?.querySelector<HTMLElement>(candidate.selector);
      if (element) return { kind: 'frame-body', element };
      continue;
    }
    const element = root.querySelector<HTMLElement>(candidate.selector);
    if (element) return { kind: candidate.kind, element };
  }
  return null;
}

// The content script's own constructors (not the page's): Firefox's Xray wrappers
// would refuse content-script arrays passed to page constructors.
function fire(el: Element, ...types: string[]): void {
  for (const type of types) el.dispatchEvent(new Event(type, { bubbles: true }));
}

/** Sets a form field's value the way a user would (input and change events follow). */
export function setFieldValue(field: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  field.focus?.();
  field.value = value;
  fire(field, 'input', 'change');
}

/** Replaces an editable element's content with `text`, one `<div>` per line (`<br>` for empty lines). */
export function setEditableText(element: HTMLElement, text: string, wrap: 'div' | 'pre'): void {
  const doc = element.ownerDocument;
  element.replaceChildren();
  if (wrap === 'pre') {
    // TinyMCE keeps a <pre> as is; white-space: pre keeps the armor's lines.
    const pre = doc.createElement('pre');
    pre.textContent = text;
    element.append(pre);
  } else {
    for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
      const div = doc.createElement('div');
      if (line === '') div.append(doc.createElement('br'));
      else div.textContent = line;
      element.append(div);
    }
  }
  fire(element, 'input', 'change');
}

export function writeBody(editor: BodyEditor, text: string): void {
  if (editor.kind === 'textarea') setFieldValue(editor.element as HTMLTextAreaElement, text);
  else setEditableText(editor.element, text, editor.kind === 'frame-body' ? 'pre' : 'div');
}

export function readBody(editor: BodyEditor): string {
  if (editor.kind === 'textarea') return (editor.element as HTMLTextAreaElement).value;
  return textOf(editor.element);
}

/**
 * Puts a text file into a file input, as a drop or a file pick would, and fires
 * `change` (Roundcube uploads on the input's change event). DataTransfer is the
 * only way to build a FileList.
 */
export function attachFile(input: HTMLInputElement, name: string, text: string): boolean {
  if (typeof DataTransfer !== 'function') return false;
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, { type: 'application/octet-stream' }));
  input.files = transfer.files;
  if ((input.files?.length ?? 0) === 0) return false;
  // Roundcube's handler uploads and then empties the input: do not check it afterwards.
  fire(input, 'input', 'change');
  return true;
}
