/**
 * Helpers for the webmail-integration browser tests (issue 5): the loopback
 * Roundcube, a recording HTTP proxy in front of it, Cipherpost's extension
 * frames (compose.html, reader.html) inside a web page in Chromium and Firefox,
 * the closed-shadow-root host elements, key exchange between two profiles,
 * mail over SMTP, and Dovecot's Maildirs.
 *
 * Extension frames inside a web page (checked with puppeteer-core 24.43):
 * - Chromium: the frame is an out-of-process iframe; `page.frames()` lists it
 *   under its real `chrome-extension://<id>/reader.html#...` URL (with
 *   `use_dynamic_url` the id is the session's dynamic one, not the extension id),
 *   and `Frame#evaluate/click/type/waitForSelector` work in it.
 * - Firefox (WebDriver BiDi): `page.frames()` lists the frame too, but puppeteer
 *   hears no navigation events for it, so its `url()` stays `about:blank`.
 *   BiDi `browsingContext.getTree` (rooted at the page's context) gives the real
 *   `moz-extension://<uuid>/reader.html#...` URL with the child's context id,
 *   which is puppeteer's `Frame#_id`: that frame's `evaluate`, `click`, `type`
 *   and `waitForSelector` work (script.evaluate and input.performActions target
 *   the child context). Nested frames (Roundcube's preview iframe, then ours)
 *   come from the same tree.
 * Closed shadow roots hide the iframe element from the page, not the frame from
 * the browser's frame tree.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { ElementHandle, Frame, Page } from 'puppeteer-core';
import { firefoxBidi, type LaunchedBrowser, openExtensionPage, ROOT } from './harness';
import { fill, sendFromExtensionPage, text, waitForState } from './vault-ui';

export const WEBMAIL_PORT = 8080;
export const WEBMAIL = `http://127.0.0.1:${WEBMAIL_PORT}`;
export const USERS = {
  alice: {
    address: 'alice@example.test',
    password: 'alicepass',
    maildir: '/var/mail/cipherpost/alice/Maildir',
  },
  bob: { address: 'bob@example.test', password: 'bobpass', maildir: '/var/mail/cipherpost/bob/Maildir' },
} as const;
export type User = keyof typeof USERS;
export const PLACEHOLDER_SUBJECT = 'Encrypted message (Cipherpost)';
export const T = 60_000;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined/null/false. */
export async function until<V>(
  probe: () => Promise<V | undefined | null | false> | V | undefined | null | false,
  what: string,
  timeoutMs = T,
  everyMs = 100,
): Promise<V> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v as V;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`,
      );
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------
// The daemons.

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** IMAP, SMTP and HTTP answer, or start.sh brings them up, or this throws. */
export async function ensureWebmail(): Promise<void> {
  const up = async () => (await Promise.all([143, 25, WEBMAIL_PORT].map(answers))).every(Boolean);
  if (await up()) return;
  execFileSync('bash', [join(ROOT, 'scripts/webmail/start.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!(await up()))
    throw new Error('the webmail is not running, and scripts/webmail/start.sh did not start it');
}

// ---------------------------------------------------------------------------
// A recording proxy in front of Roundcube.

export interface Recorded {
  at: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RecordingProxy {
  /** `http://127.0.0.1:<port>`: log in through this origin (cookies are per host:port). */
  origin: string;
  port: number;
  requests: Recorded[];
  close(): Promise<void>;
}

/**
 * A plain HTTP proxy on a free loopback port that forwards everything to
 * Roundcube (127.0.0.1:8080) and records every request with its whole body.
 * Works the same in both browsers (BiDi's network events carry no bodies).
 * The Host header is passed on, so Roundcube's absolute URLs and redirects keep
 * pointing at the proxy.
 */
export async function startRecordingProxy(targetPort = WEBMAIL_PORT): Promise<RecordingProxy> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        at: Date.now(),
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
      });
      const headers = { ...req.headers };
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
      const upstream = httpRequest(
        { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function decodeQuotedPrintable(s: string): string {
  return s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * Blocks of consecutive base64 lines (each ≥ 16 chars), joined: MIME base64
 * parts, armor bodies. Line by line (a regex over a 9 MB run overflows V8's stack).
 */
export function base64Blocks(text: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length) out.push(current.join(''));
    current = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t.length >= 16 && /^[A-Za-z0-9+/]+={0,2}$/.test(t)) {
      current.push(t);
      if (t.endsWith('=')) flush();
    } else {
      flush();
      // A single long run inside other text (e.g. a form field value).
      for (const m of t.matchAll(/[A-Za-z0-9+/]{16,1024}={0,2}/g)) out.push(m[0]);
    }
  }
  flush();
  return out;
}

/** Base64 blocks decoded as UTF-8. */
function base64Runs(s: string): string[] {
  return base64Blocks(s).map((b) => Buffer.from(b, 'base64').toString('utf8'));
}

/**
 * Every form of a request body a sentinel could hide in: the raw bytes (as
 * UTF-8 and Latin-1), the URL-decoded form fields, each multipart part (raw,
 * and decoded if it declares base64 or quoted-printable), quoted-printable and
 * base64 runs of the whole body.
 */
export function bodyForms(r: Recorded): string[] {
  const raw = r.body.toString('utf8');
  const forms = [r.url, decodeURIComponentSafe(r.url), raw, r.body.toString('latin1')];
  const type = String(r.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded') || /^[\w%.+-]+=/.test(raw)) {
    for (const [k, v] of new URLSearchParams(raw)) forms.push(`${k}=${v}`);
  }
  const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2];
  if (boundary) {
    for (const part of raw.split(`--${boundary}`)) {
      const split = part.indexOf('\r\n\r\n');
      if (split < 0) continue;
      const head = part.slice(0, split);
      const content = part.slice(split + 4);
      forms.push(head, content);
      if (/content-transfer-encoding:\s*base64/i.test(head)) forms.push(...base64Runs(content));
      if (/content-transfer-encoding:\s*quoted-printable/i.test(head))
        forms.push(decodeQuotedPrintable(content));
    }
  }
  if (r.body.length < 2_000_000) forms.push(decodeQuotedPrintable(raw), ...base64Runs(raw));
  return forms;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Which of `sentinels` occur in any form of any recorded request: `[]` when none. */
export function leaks(requests: Recorded[], sentinels: string[]): { sentinel: string; request: string }[] {
  const found: { sentinel: string; request: string }[] = [];
  for (const r of requests) {
    const forms = bodyForms(r);
    for (const s of sentinels) {
      if (forms.some((f) => f.includes(s))) found.push({ sentinel: s, request: `${r.method} ${r.url}` });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------
// Extension frames inside a web page.

export interface ExtensionFrame {
  frame: Frame;
  /** The frame's real URL (Firefox: from the BiDi tree, since `frame.url()` is stale). */
  url: string;
  evaluate<R>(fn: () => R): Promise<Awaited<R>>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<Awaited<R>>;
  click(selector: string): Promise<void>;
  /** Types as keystrokes (focus + keyboard). */
  type(selector: string, value: string): Promise<void>;
  /** Sets a field's value at once and fires `input` (long texts). */
  fill(selector: string, value: string): Promise<void>;
  waitFor(selector: string, timeoutMs?: number): Promise<ElementHandle<Element>>;
  /** The trimmed textContent of `selector`, once present. */
  text(selector: string): Promise<string>;
  /** `getAttribute(name)` of `selector` (null if absent). */
  attr(selector: string, name: string): Promise<string | null>;
}

interface TreeNode {
  context: string;
  url: string;
  children?: TreeNode[] | null;
}

/** `<scheme>-extension://<host>/<file>` (any host: Chromium's dynamic URLs) followed by `#`, `?` or the end. */
function isExtensionFile(url: string, file: string): boolean {
  const m = /^(chrome|moz)-extension:\/\/[^/]+\/([^?#]*)/.exec(url);
  return m?.[2] === file.replace(/^\//, '');
}

/** Every extension frame showing `file` in `page`, in document order, with its real URL. */
export async function extensionFrames(
  b: LaunchedBrowser,
  page: Page,
  file: string,
): Promise<{ frame: Frame; url: string }[]> {
  if (b.name === 'chromium') {
    return page
      .frames()
      .filter((f) => isExtensionFile(f.url(), file) && !f.detached)
      .map((frame) => ({ frame, url: frame.url() }));
  }
  const root = (page.mainFrame() as unknown as { _id: string })._id;
  const tree = (await firefoxBidi(b).send('browsingContext.getTree', { root })).result as {
    contexts: TreeNode[];
  };
  const found: { id: string; url: string }[] = [];
  const walk = (n: TreeNode) => {
    if (isExtensionFile(n.url, file)) found.push({ id: n.context, url: n.url });
    for (const c of n.children ?? []) walk(c);
  };
  for (const c of tree.contexts) walk(c);
  const frames = page.frames();
  const out: { frame: Frame; url: string }[] = [];
  for (const { id, url } of found) {
    const frame = frames.find((f) => (f as unknown as { _id: string })._id === id);
    if (frame) out.push({ frame, url });
  }
  return out;
}

/**
 * Waits until the element's box (page coordinates) stays the same for three
 * polls 100 ms apart: our frames resize themselves (`frame:resize`) just after
 * they render, and a click computed before a resize lands elsewhere.
 */
export async function stableBox(handle: ElementHandle<Element>, timeoutMs = 10_000): Promise<void> {
  let last = '';
  let same = 0;
  const deadline = Date.now() + timeoutMs;
  while (same < 3 && Date.now() < deadline) {
    const box = JSON.stringify(await handle.boundingBox());
    same = box === last && box !== 'null' ? same + 1 : 0;
    last = box;
    await sleep(100);
  }
}

function wrap(frame: Frame, url: string): ExtensionFrame {
  const waitFor = async (selector: string, timeoutMs = T) => {
    const handle = await frame.waitForSelector(selector, { timeout: timeoutMs });
    if (!handle) throw new Error(`${selector} not found`);
    return handle as ElementHandle<Element>;
  };
  return {
    frame,
    url,
    evaluate: ((fn: (a?: unknown) => unknown, arg?: unknown) =>
      frame.evaluate(fn, arg)) as ExtensionFrame['evaluate'],
    click: async (selector) => {
      const handle = await waitFor(selector);
      await stableBox(handle);
      await frame.click(selector);
    },
    type: async (selector, value) => {
      await waitFor(selector);
      await frame.type(selector, value);
    },
    fill: async (selector, value) => {
      await waitFor(selector);
      await frame.$eval(
        selector,
        (e, v) => {
          if ((e as HTMLElement).isContentEditable) (e as HTMLElement).innerHTML = v;
          else (e as HTMLInputElement).value = v;
          e.dispatchEvent(new Event('input', { bubbles: true }));
          e.dispatchEvent(new Event('change', { bubbles: true }));
        },
        value,
      );
    },
    waitFor,
    text: async (selector) => {
      await waitFor(selector);
      return frame.$eval(selector, (e) => (e.textContent ?? '').trim());
    },
    attr: async (selector, name) => {
      await waitFor(selector);
      return frame.$eval(selector, (e, n) => e.getAttribute(n), name);
    },
  };
}

/**
 * Waits for an extension frame showing `file` ('reader.html', 'compose.html')
 * inside `page` (at any depth) whose document has loaded, and returns it.
 * `pick` chooses among several (default: the last one, the newest in document
 * order); `exclude` skips frames seen before (e.g. an earlier reader).
 */
export async function extensionFrame(
  b: LaunchedBrowser,
  page: Page,
  file: string,
  {
    timeoutMs = T,
    exclude = [],
    pick = (all) => all.at(-1),
  }: {
    timeoutMs?: number;
    exclude?: Frame[];
    pick?: (all: { frame: Frame; url: string }[]) => { frame: Frame; url: string } | undefined;
  } = {},
): Promise<ExtensionFrame> {
  const found = await until(
    async () => {
      const all = (await extensionFrames(b, page, file)).filter((f) => !exclude.includes(f.frame));
      const chosen = pick(all);
      if (!chosen) return undefined;
      const ready = await chosen.frame
        .evaluate(() => document.readyState === 'complete' && location.protocol.endsWith('-extension:'))
        .catch(() => false);
      return ready ? chosen : undefined;
    },
    `an extension frame showing ${file}`,
    timeoutMs,
    150,
  );
  return wrap(found.frame, found.url);
}

/**
 * The host element `<tag>` (closed shadow root) in `page` or in a same-origin
 * child frame (`frameSelector`, e.g. Roundcube's `#messagecontframe`), waited
 * for until visible with a size.
 */
export async function hostElement(
  page: Page,
  tag: string,
  { timeoutMs = T, inFrame }: { timeoutMs?: number; inFrame?: Frame } = {},
): Promise<ElementHandle<Element>> {
  const where = inFrame ?? page.mainFrame();
  return until(
    async () => {
      // The tag, or the span that stands for it on a page that defined the tag (src/content/shadow.ts).
      for (const h of await where.$$(`${tag}, span[data-cipherpost-host="${tag}"]`)) {
        const box = await h.boundingBox();
        if (box && box.width > 0 && box.height > 0) return h as ElementHandle<Element>;
      }
      return undefined;
    },
    `a visible <${tag}>`,
    timeoutMs,
  );
}

/** Clicks the center of an element's box with the real mouse (its shadow root is closed). */
export async function clickCenter(page: Page, handle: ElementHandle<Element>): Promise<void> {
  await handle.scrollIntoView().catch(() => {});
  await stableBox(handle);
  const box = await handle.boundingBox();
  if (!box) throw new Error('the element has no box');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

// ---------------------------------------------------------------------------
// Roundcube (elastic skin; selectors from ../shared/docs/webmail.md, checked in webmail.test.ts).

const dialogLogs = new WeakMap<Page, string[]>();

/**
 * Accepts every dialog `page` shows (Roundcube's confirm() when switching the
 * editor, beforeunload when leaving a compose) and records `type: message`.
 */
export function acceptDialogs(page: Page): string[] {
  const seen = dialogLogs.get(page);
  if (seen) return seen;
  const log: string[] = [];
  dialogLogs.set(page, log);
  page.on('dialog', (d) => {
    log.push(`${d.type()}: ${d.message()}`);
    d.accept().catch(() => {});
  });
  return log;
}

/** Logs `user` in on `origin` (Roundcube itself or the recording proxy), in a new tab of `b`. */
export async function login(b: LaunchedBrowser, user: User, origin = WEBMAIL): Promise<Page> {
  const page = await b.newPage();
  acceptDialogs(page);
  await page.setViewport({ width: 1400, height: 1000 });
  await page.bringToFront();
  await page.goto(`${origin}/?_task=mail&_mbox=INBOX`, { waitUntil: 'load', timeout: T });
  if (await page.$('#rcmloginuser')) {
    await page.type('#rcmloginuser', USERS[user].address);
    await page.type('#rcmloginpwd', USERS[user].password);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load', timeout: T }),
      page.click('#rcmloginsubmit'),
    ]);
  }
  await page.waitForSelector('#messagelist', { timeout: T });
  return page;
}

type ListRow = HTMLElement & { uid?: string | number };

export interface Row {
  uid: number;
  id: string;
  subject: string;
  from: string;
}

export async function listRows(page: Page): Promise<Row[]> {
  return page.$$eval('#messagelist tbody tr.message', (trs) =>
    trs.map((tr) => ({
      uid: Number((tr as ListRow).uid),
      id: tr.id,
      subject: tr.querySelector('td.subject span.subject a span')?.textContent?.trim() ?? '',
      from: tr.querySelector('span.rcmContactAddress[title]')?.getAttribute('title') ?? '',
    })),
  );
}

/** The highest IMAP uid in the list now (0 if empty). */
export async function maxUid(page: Page): Promise<number> {
  return Math.max(0, ...(await listRows(page)).map((r) => r.uid).filter(Number.isFinite));
}

/** Polls the list (reloading it by AJAX: `checkmail` misses mail here) until `match` finds a row. */
export async function waitForRow(page: Page, match: (r: Row) => boolean, timeoutMs = T): Promise<Row> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await listRows(page).catch(() => [] as Row[]);
    const found = rows.find(match);
    if (found) return found;
    if (Date.now() >= deadline)
      throw new Error(`no matching row within ${timeoutMs} ms: ${JSON.stringify(rows.slice(0, 8))}`);
    await page.evaluate(() =>
      (window as unknown as { rcmail: { refresh_list(): void } }).rcmail.refresh_list(),
    );
    await sleep(1_000);
  }
}

/** Clicks the row; resolves to the preview frame (`iframe#messagecontframe`) once its body is there. */
export async function openRow(page: Page, row: Row): Promise<Frame> {
  await page.click(`tr[id="${row.id}"] td.subject`);
  const frame = await until(
    () =>
      page.frames().find((f) => f.url().includes('_action=preview') && f.url().includes(`_uid=${row.uid}`)),
    `the preview of uid ${row.uid}`,
  );
  await frame.waitForSelector('#messagebody', { timeout: T });
  return frame;
}

/** Opens Roundcube's compose screen (a fresh one, leaving any compose without asking). */
export async function openCompose(page: Page): Promise<void> {
  await page.bringToFront();
  const origin = new URL(page.url()).origin;
  await page.goto(`${origin}/?_task=mail&_action=compose`, { waitUntil: 'load', timeout: T });
  await page.waitForSelector('#compose_to .recipient-input input', { timeout: T });
}

/** Types recipients into Roundcube's To field (token input). */
export async function addRecipient(page: Page, address: string): Promise<void> {
  await page.type('#compose_to .recipient-input input', `${address}, `);
  await until(
    async () => (await page.$eval('textarea#_to', (t) => (t as HTMLTextAreaElement).value)).includes(address),
    `${address} in #_to`,
  );
}

/**
 * Switches Roundcube's editor with `#editor-selector` ('html' or 'plain'),
 * accepting the confirm() it shows when switching HTML to plain text with
 * content; resolves once the editor is there.
 */
export async function setEditor(page: Page, mode: 'html' | 'plain'): Promise<void> {
  acceptDialogs(page);
  const current = await page.$eval('#editor-selector', (sel) => (sel as HTMLSelectElement).value);
  if (current === mode) return;
  await page.select('#editor-selector', mode);
  if (mode === 'html') await page.waitForSelector('#composebody_ifr', { visible: true, timeout: T });
  else await page.waitForSelector('textarea#composebody', { visible: true, timeout: T });
}

/** The Roundcube compose body's text: the plain textarea or TinyMCE's document. */
export async function composeBody(
  page: Page,
): Promise<{ mode: 'plain' | 'html'; text: string; html: string }> {
  const ifr = await page.$('#composebody_ifr');
  const visible = ifr ? await ifr.isVisible() : false;
  if (ifr && visible) {
    const frame = await ifr.contentFrame();
    if (!frame) throw new Error('no TinyMCE frame');
    const got = await frame.evaluate(() => ({
      text: document.body.textContent ?? '',
      html: document.body.innerHTML,
    }));
    return { mode: 'html', ...got };
  }
  const value = await page.$eval('textarea#composebody', (t) => (t as HTMLTextAreaElement).value);
  return { mode: 'plain', text: value, html: value };
}

/** Presses Roundcube's toolbar "Save" (save draft) and waits for its confirmation. */
export async function saveDraft(page: Page): Promise<void> {
  await page.evaluate(() =>
    (window as unknown as { rcmail: { command(c: string): void } }).rcmail.command('savedraft'),
  );
  await until(
    () => page.$('#messagestack div.confirmation'),
    "Roundcube's 'Message saved to Drafts' confirmation",
  );
}

// ---------------------------------------------------------------------------
// Keys: export from one profile, import and verify in another.

export interface Identity {
  address: string;
  fingerprint: string;
  publicKey: string;
}

/** `identity:get` from an extension page of `b`. */
export async function identityOf(b: LaunchedBrowser): Promise<Identity> {
  const page = await openExtensionPage(b, '/options.html');
  try {
    const answer = await sendFromExtensionPage<
      | { ok: true; value: { addresses: string[]; fingerprint: string; publicKey: string } }
      | { ok: false; code: string }
    >(page, { type: 'identity:get' });
    if (!answer.ok) throw new Error(`identity:get: ${answer.code}`);
    return {
      address: answer.value.addresses[0]!,
      fingerprint: answer.value.fingerprint,
      publicKey: answer.value.publicKey,
    };
  } finally {
    await page.close();
  }
}

/**
 * Imports `who`'s armored public key in `b`'s options page (Contacts), checks
 * the fingerprint shown is the one `who`'s own extension reports, and marks it
 * verified (as a user does after comparing fingerprints).
 */
export async function importAndVerify(b: LaunchedBrowser, who: Identity): Promise<void> {
  const options = await openExtensionPage(b, '/options.html');
  try {
    await options.bringToFront();
    await waitForState(options, 'unlocked');
    await options.click('[data-testid=tab-contacts]');
    await options.waitForSelector('[data-testid=contacts-tab]', { timeout: T });
    await fill(options, '[data-testid=contact-key-text]', who.publicKey);
    await options.click('[data-testid=contact-import]');
    const contact = `[data-testid=contact][data-address="${who.address}"]`;
    await options.waitForSelector(`${contact} [data-testid=trust]`, { timeout: T });
    const shown = (await text(options, `${contact} [data-testid=fingerprint]`)).trim();
    if (shown !== who.fingerprint) throw new Error(`fingerprint shown ${shown}, expected ${who.fingerprint}`);
    await options.click(`${contact} [data-testid=verify]`);
    await options.click(`${contact} [data-testid=confirm-verified]`);
    await options.waitForSelector(`${contact} [data-testid=trust][data-trust=verified]`, { timeout: T });
  } finally {
    await options.close();
  }
}

// ---------------------------------------------------------------------------
// Mail on the side: SMTP and the Maildir.

/** Sends a raw RFC 5322 message (or fields) through Postfix on 127.0.0.1:25. */
export async function sendSmtp(message: {
  from: string;
  to: string;
  subject?: string;
  text?: string;
  raw?: string;
}): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: 25,
    secure: false,
    ignoreTLS: true,
  });
  try {
    if (message.raw !== undefined) {
      await transport.sendMail({ envelope: { from: message.from, to: [message.to] }, raw: message.raw });
    } else {
      await transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
    }
  } finally {
    transport.close();
  }
}

export interface MaildirFile {
  path: string;
  mtimeMs: number;
}

/** Every message file in `user`'s Maildir (all folders: new/ and cur/). */
export function maildirFiles(user: User): MaildirFile[] {
  const root = USERS[user].maildir;
  const out: MaildirFile[] = [];
  const scan = (dir: string) => {
    for (const sub of ['new', 'cur']) {
      const d = join(dir, sub);
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d)) {
        const path = join(d, f);
        out.push({ path, mtimeMs: statSync(path).mtimeMs });
      }
    }
  };
  if (!existsSync(root)) return out;
  scan(root);
  for (const e of readdirSync(root)) if (e.startsWith('.')) scan(join(root, e));
  return out;
}

/** Waits for a message file in `user`'s Maildir that was not in `before` and whose text satisfies `match`. */
export async function waitForMaildirFile(
  user: User,
  before: Set<string>,
  match: (raw: string) => boolean,
  timeoutMs = T,
): Promise<{ path: string; raw: string }> {
  return until(
    () => {
      for (const f of maildirFiles(user)) {
        // A message moves from new/ to cur/ when read: compare by the unique base name.
        const base = f.path.split('/').pop()!.split(':')[0]!;
        if (before.has(base)) continue;
        const raw = readFileSync(f.path, 'latin1');
        if (match(raw)) return { path: f.path, raw };
      }
      return undefined;
    },
    `a new message in ${user}'s Maildir`,
    timeoutMs,
    250,
  );
}

/** `user`'s Maildir files that were not in `before` (a maildirSnapshot). */
export function newMaildirFiles(user: User, before: Set<string>): MaildirFile[] {
  return maildirFiles(user).filter((f) => !before.has(f.path.split('/').pop()!.split(':')[0]!));
}

/** The unique base names of `user`'s Maildir files now (for waitForMaildirFile). */
export function maildirSnapshot(user: User): Set<string> {
  return new Set(maildirFiles(user).map((f) => f.path.split('/').pop()!.split(':')[0]!));
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A fresh random token for sentinels: `tag` + 20 random base-36 chars. */
export function sentinel(tag: string): string {
  let s = '';
  while (s.length < 20) s += Math.random().toString(36).slice(2);
  return `${tag}${s.slice(0, 20)}`;
}

// ---------------------------------------------------------------------------
// Raw mails for SMTP (bad-message and privacy tests).

interface RawMail {
  from: string;
  to: string;
  subject: string;
  /** Extra header lines, as written. */
  headers?: string[];
}

/** A raw RFC 5322 mail: the common headers, then the body's own. */
function rawMail(o: RawMail, bodyHeaders: string[], body: string): string {
  const id = `<${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@example.test>`;
  return [
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Subject: ${o.subject}`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    ...(o.headers ?? []),
    'MIME-Version: 1.0',
    ...bodyHeaders,
    '',
    body,
    '',
  ].join('\r\n');
}

/** A raw mail with a text/html body (base64, lines of 76). */
export function rawHtmlMail(o: RawMail & { html: string }): string {
  const body = Buffer.from(o.html, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return rawMail(o, ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64'], body);
}

/** A raw mail with a text/plain body (8bit, CRLF lines). */
export function rawTextMail(o: RawMail & { text: string }): string {
  return rawMail(
    o,
    ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'],
    o.text.replace(/\r?\n/g, '\r\n'),
  );
}
