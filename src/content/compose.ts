/**
 * Compose in a known webmail (docs/webmail-integration.md §Composing): an Encrypt
 * button next to each compose window's toolbar; on click, `compose:open` with the
 * webmail's recipients, and the compose frame laid over the compose area; on
 * `compose:insert`, the ciphertext written into the webmail's editor and Send pressed.
 */
import { ARMOR_BEGIN } from '../crypto/armor';
import type { TabCommand } from '../messaging/messages';
import type { ComposeSpec, ProviderSpec, RecipientField } from '../providers/types';
import { type Answer, type ContentDeps, fail, ok } from './deps';
import { queryAllIn } from './dom';
import { attachFile, type BodyEditor, findBodyEditor, readBody, setFieldValue, writeBody } from './insert';
import { parseAddresses } from './recipients';
import { BUTTON_STYLE, createFrame, createHost, lockIcon, pin } from './shadow';

type Insert = Extract<TabCommand, { type: 'compose:insert' }>;

interface OpenCompose {
  root: Element;
  host: HTMLElement;
  dispose(): void;
}

/** Below this the overlay is a centered panel instead of covering the compose area. */
const MIN_WIDTH = 360;
const MIN_HEIGHT = 300;
const UPLOAD_TIMEOUT_MS = 60_000;

/** Every address in one recipient field of a compose root. */
export function readRecipients(root: Element, field: RecipientField | undefined): string[] {
  if (!field) return [];
  let elements = [...root.querySelectorAll(field.selector)];
  if (elements.length === 0) elements = [...root.ownerDocument.querySelectorAll(field.selector)];
  const out: string[] = [];
  for (const el of elements) {
    let text: string;
    if (field.read === 'value') text = (el as HTMLTextAreaElement).value ?? '';
    else if (field.read === 'text') text = el.textContent ?? '';
    else text = el.getAttribute(field.read.attribute) || el.textContent || '';
    for (const address of parseAddresses(text)) if (!out.includes(address)) out.push(address);
  }
  return out;
}

/** In the root, else in its document (Roundcube's upload form sits outside the compose). */
function find(root: Element, selector: string | undefined): Element | null {
  if (!selector) return null;
  return root.querySelector(selector) ?? root.ownerDocument.querySelector(selector);
}

export function findEditor(root: Element, spec: ComposeSpec): BodyEditor | null {
  return findBodyEditor(root, spec.body) ?? findBodyEditor(root.ownerDocument, spec.body);
}

/** The line that proves the text arrived: the BEGIN line, or a notice's first line. */
export function proofLine(body: string): string {
  if (body.includes(ARMOR_BEGIN)) return ARMOR_BEGIN;
  return (
    body
      .split(/\r?\n/)
      .find((line) => line.trim() !== '')
      ?.trim() ?? ''
  );
}

export function createCompose(provider: ProviderSpec, deps: ContentDeps, signal: AbortSignal) {
  const spec = provider.compose;
  const buttons = new WeakMap<Element, HTMLElement>();
  const drawn = new Set<HTMLElement>();
  const open = new Map<string, OpenCompose>();
  const opening = new WeakSet<Element>();
  const asked = new WeakSet<Element>();

  function drawButton(root: Element, c: ComposeSpec): void {
    const existing = buttons.get(root);
    if (existing?.isConnected) return;
    const doc = root.ownerDocument;
    const { host, root: shadow } = createHost(doc, 'cipherpost-encrypt', {
      display: 'inline-block',
      'vertical-align': 'middle',
      position: 'relative',
      'z-index': '2147483000',
    });
    const button = doc.createElement('button');
    button.type = 'button';
    pin(button, BUTTON_STYLE);
    button.title = deps.message('content_encrypt_title');
    const label = doc.createElement('span');
    label.textContent = deps.message('content_encrypt');
    button.append(lockIcon(doc), label);
    button.addEventListener(
      'click',
      (event) => {
        // Only the user's own click: a page cannot reach into the closed root,
        // and a synthetic click on the host does not land on this button anyway.
        if (!event.isTrusted) return;
        event.preventDefault();
        event.stopPropagation();
        void openFor(root);
      },
      { signal },
    );
    shadow.append(button);
    const anchor = find(root, c.toolbar);
    if (!anchor) root.prepend(host);
    else if (c.toolbarPlacement === 'inside') anchor.append(host);
    else if (c.toolbarPlacement === 'before') anchor.before(host);
    else anchor.after(host);
    buttons.set(root, host);
    drawn.add(host);
  }

  /** Finds compose roots, draws missing buttons, drops overlays of closed composes. Returns the count. */
  function scan(docs: readonly Document[]): number {
    if (!spec) return 0;
    const roots = queryAllIn(docs, spec.root);
    for (const root of roots) drawButton(root, spec);
    if (roots.length === 1 && !asked.has(roots[0]!)) {
      asked.add(roots[0]!);
      void openIfSeeded(roots[0]!);
    }
    for (const [ticket, o] of open) if (!o.root.isConnected) close(ticket);
    for (const host of drawn) if (!host.isConnected) drawn.delete(host);
    return roots.length;
  }

  /**
   * A compose that appears right after Reply/Forward in our reader opens the secure
   * compose by itself: the background holds the quote for this tab (compose:seeded).
   * Asked once per compose root, only when there is exactly one (no guessing which).
   */
  async function openIfSeeded(root: Element): Promise<void> {
    const answer = await deps.send({ type: 'compose:seeded' });
    if (answer.ok && answer.value.seeded && !signal.aborted && root.isConnected) await openFor(root);
  }

  /** Sends compose:open for a compose root and lays the compose frame over it. */
  async function openFor(root: Element): Promise<string | null> {
    if (!spec || opening.has(root)) return null;
    for (const o of open.values()) if (o.root === root) return null;
    opening.add(root);
    try {
      const answer = await deps.send({
        type: 'compose:open',
        provider: provider.id,
        window: 'frame',
        to: readRecipients(root, spec.to),
        cc: readRecipients(root, spec.cc),
        bcc: readRecipients(root, spec.bcc),
        canAttach: Boolean(spec.fileInput && find(root, spec.fileInput)),
      });
      if (!answer.ok || signal.aborted || !root.isConnected) return null;
      overlay(root, answer.value.ticket);
      return answer.value.ticket;
    } finally {
      opening.delete(root);
    }
  }

  function overlay(root: Element, ticket: string): void {
    const doc = root.ownerDocument;
    const view = doc.defaultView;
    const { host, root: shadow } = createHost(doc, 'cipherpost-compose', {
      display: 'block',
      position: 'fixed',
      'z-index': '2147483646',
      background: '#ffffff',
      'box-shadow': '0 4px 24px rgba(0,0,0,.25)',
      'border-radius': '6px',
      overflow: 'hidden',
    });
    const frame = createFrame(
      doc,
      `${deps.getURL('/compose.html')}#${ticket}`,
      deps.message('content_compose_title'),
      {
        width: '100%',
        height: '100%',
      },
    );
    shadow.append(frame);
    // In <html>, not inside the webmail's containers (transforms, overflow, z-index).
    doc.documentElement.append(host);
    const place = () => {
      const rect = root.getBoundingClientRect();
      const vw = view?.innerWidth ?? 1024;
      const vh = view?.innerHeight ?? 768;
      let box = { left: rect.left, top: rect.top, width: rect.width, height: rect.height };
      // Keep it on screen; a small or hidden compose gets a centered panel.
      const top = Math.max(0, box.top);
      box = { ...box, top, height: Math.min(box.height - (top - box.top), vh - top) };
      if (box.width < MIN_WIDTH || box.height < MIN_HEIGHT) {
        const width = Math.min(760, vw - 16);
        const height = Math.min(640, vh - 16);
        box = { left: (vw - width) / 2, top: (vh - height) / 2, width, height };
      }
      pin(host, {
        left: `${Math.round(box.left)}px`,
        top: `${Math.round(box.top)}px`,
        width: `${Math.round(box.width)}px`,
        height: `${Math.round(box.height)}px`,
      });
    };
    let queued = false;
    const queue = () => {
      if (queued) return;
      queued = true;
      deps.defer(() => {
        queued = false;
        place();
      });
    };
    const local = new AbortController();
    const both = { signal: local.signal, capture: true, passive: true } as const;
    signal.addEventListener('abort', () => local.abort(), { signal: local.signal });
    view?.addEventListener('resize', queue, both);
    view?.addEventListener('scroll', queue, both);
    const ResizeObserverCtor = view?.ResizeObserver ?? globalThis.ResizeObserver;
    const resizes = ResizeObserverCtor ? new ResizeObserverCtor(queue) : null;
    resizes?.observe(root);
    place();
    open.set(ticket, {
      root,
      host,
      dispose() {
        local.abort();
        resizes?.disconnect();
        host.remove();
      },
    });
  }

  function close(ticket: string): boolean {
    const o = open.get(ticket);
    if (!o) return false;
    o.dispose();
    open.delete(ticket);
    return true;
  }

  /** Waits until the document shows one more uploaded attachment than `before`. */
  async function uploaded(doc: Document, selector: string, before: number): Promise<boolean> {
    const until = deps.now() + UPLOAD_TIMEOUT_MS;
    while (deps.now() < until && !signal.aborted) {
      if (doc.querySelectorAll(selector).length > before) return true;
      await new Promise<void>((resolve) => deps.setTimeout(resolve, 250));
    }
    return false;
  }

  async function insert(cmd: Insert): Promise<Answer> {
    const o = open.get(cmd.ticket);
    if (!spec || !o?.root.isConnected) return fail('not-delivered', 'this compose window is gone');
    const root = o.root;
    const editor = findEditor(root, spec);
    if (!editor) return fail('not-delivered', "the webmail's editor was not found");
    writeBody(editor, cmd.body);
    const subject = find(root, spec.subject) as HTMLInputElement | null;
    if (subject) setFieldValue(subject, cmd.subject);
    if (cmd.attachment) {
      const input = find(root, spec.fileInput) as HTMLInputElement | null;
      if (!input) return fail('too-large-inline', 'this webmail has no file input here');
      const doc = root.ownerDocument;
      const before = spec.attachmentDone ? doc.querySelectorAll(spec.attachmentDone).length : 0;
      if (!attachFile(input, cmd.attachment.name, cmd.attachment.text))
        return fail('not-delivered', 'the webmail did not take the attachment');
      if (spec.attachmentDone && !(await uploaded(doc, spec.attachmentDone, before)))
        return fail('not-delivered', 'the attachment did not finish uploading');
    }
    const proof = proofLine(cmd.body);
    if (!readBody(editor).includes(proof))
      return fail('not-delivered', "the webmail's editor did not keep the text");
    close(cmd.ticket);
    let sent = false;
    if (cmd.send) {
      const send = find(root, spec.send) as HTMLElement | null;
      if (send) {
        send.click();
        sent = true;
      }
    }
    return ok({ inserted: true, sent });
  }

  function stop(): void {
    for (const ticket of [...open.keys()]) close(ticket);
    for (const host of drawn) host.remove();
    drawn.clear();
  }

  return { scan, openFor, insert, close, stop, openTickets: () => [...open.keys()] };
}

export type ComposeManager = ReturnType<typeof createCompose>;
