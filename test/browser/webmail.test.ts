/**
 * A real webmail on loopback: Roundcube 1.6 (Debian 12 packages) with Postfix
 * and Dovecot, installed by scripts/webmail/setup.sh and started by
 * scripts/webmail/start.sh (docs/testing.md, "A real webmail").
 *
 * 1. Alice logs into Roundcube, composes a plain-text mail to Bob and sends it;
 *    Bob logs in, sees it in his list and opens it.
 * 2. Issue #4's "the verification mail arrives in the user's webmail": the real
 *    directory (in-process, as in directory.test.ts) mails through Postfix
 *    (`SMTP_URL=smtp://127.0.0.1:25`); a key for alice@example.test is published
 *    through the API (`POST /v1/keys`, a bundle from the crypto core), and the
 *    verification mail shows up in Alice's Roundcube inbox with an armored
 *    Cipherpost message in its body.
 *
 * The webmail must be set up (setup.sh needs root and apt). If it is not running,
 * `beforeAll` runs start.sh; if that fails, the test fails: it is never skipped.
 * The mailboxes persist between runs, so every run uses fresh subjects and only
 * looks at messages that arrived after it started (a higher IMAP uid).
 */
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/crypto';
import { startDirectory } from './directory-server';
import { extensionDir, type LaunchedBrowser, launch, ROOT } from './harness';

const WEBMAIL = 'http://127.0.0.1:8080';
const USERS = {
  alice: { address: 'alice@example.test', password: 'alicepass' },
  bob: { address: 'bob@example.test', password: 'bobpass' },
} as const;
const TIMEOUT = { timeout: 30_000 };

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
async function ensureWebmail(): Promise<void> {
  const up = async () => (await Promise.all([143, 25, 8080].map(answers))).every(Boolean);
  if (await up()) return;
  execFileSync('bash', [join(ROOT, 'scripts/webmail/start.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!(await up()))
    throw new Error('the webmail is not running, and scripts/webmail/start.sh did not start it');
}

// ---------------------------------------------------------------------------
// Roundcube (elastic skin; selectors from ../shared/docs/webmail.md, checked here).

interface Session {
  context: BrowserContext;
  page: Page;
}

/** A fresh browser context (its own cookies), logged in as `user`, on the mail list. */
async function login(b: LaunchedBrowser, user: keyof typeof USERS): Promise<Session> {
  const context = await b.browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  await page.goto(`${WEBMAIL}/`, { waitUntil: 'load' });
  await page.waitForSelector('#rcmloginuser', TIMEOUT);
  await page.type('#rcmloginuser', USERS[user].address);
  await page.type('#rcmloginpwd', USERS[user].password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#rcmloginsubmit')]);
  await page.waitForSelector('#messagelist', TIMEOUT);
  expect(await page.$('#rcmloginuser')).toBeNull();
  return { context, page };
}

/**
 * Roundcube 1.6 encodes the uid in the row's id (`rcmrow` + an HTML-safe base64),
 * and its list widget keeps the plain uid on the row element as `uid`.
 */
type ListRow = HTMLElement & { uid?: string | number };

/** The uids of the rows in the message list now. */
async function rowUids(page: Page): Promise<number[]> {
  return page.$$eval('#messagelist tbody tr.message', (rows) =>
    rows.map((r) => Number((r as ListRow).uid)).filter((n) => Number.isFinite(n)),
  );
}

interface Row {
  uid: number;
  /** The row element's id. */
  id: string;
  subject: string;
  from: string;
}

/** Polls the list (reloading it by AJAX) until `match` finds a row. */
async function waitForRow(page: Page, match: (r: Row) => boolean, timeoutMs = 30_000): Promise<Row> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await page.$$eval('#messagelist tbody tr.message', (trs) =>
      trs.map((tr) => ({
        uid: Number((tr as ListRow).uid),
        id: tr.id,
        subject: tr.querySelector('td.subject span.subject a span')?.textContent?.trim() ?? '',
        from: tr.querySelector('span.rcmContactAddress[title]')?.getAttribute('title') ?? '',
      })),
    );
    const found = rows.find(match);
    if (found) return found;
    if (Date.now() >= deadline)
      throw new Error(`no matching row within ${timeoutMs} ms: ${JSON.stringify(rows)}`);
    // `checkmail` alone missed new mail here (Dovecot gives \Recent to one IMAP
    // session only); reloading the list always shows it.
    await page.evaluate(() => {
      (window as unknown as { rcmail: { refresh_list(): void } }).rcmail.refresh_list();
    });
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

interface Opened {
  subject: string;
  from: string;
  body: string;
}

/** One click on the row: the preview loads in iframe#messagecontframe. */
async function openRow(page: Page, { uid, id }: Row): Promise<Opened> {
  await page.click(`tr[id="${id}"] td.subject`);
  let frame: Frame | undefined;
  const deadline = Date.now() + 30_000;
  for (;;) {
    frame = page.frames().find((f) => f.url().includes('_action=preview') && f.url().includes(`_uid=${uid}`));
    if (frame) break;
    if (Date.now() >= deadline) throw new Error(`no preview of ${uid}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await frame.waitForSelector('#messagebody', TIMEOUT);
  return frame.evaluate(() => ({
    subject: document.querySelector('#message-header h2.subject')?.textContent?.trim() ?? '',
    from: document.querySelector('td.header.from a.rcmContactAddress')?.getAttribute('title') ?? '',
    body: document.querySelector('#messagebody')?.textContent ?? '',
  }));
}

// ---------------------------------------------------------------------------
// The directory, in-process, mailing through Postfix.

// ---------------------------------------------------------------------------

const timings: string[] = [];
afterAll(() => {
  if (timings.length) console.log(`webmail.test.ts timings:\n  ${timings.join('\n  ')}`);
});

describe.each(['chromium', 'firefox'] as const)('%s: a real Roundcube webmail on loopback', (name) => {
  let b: LaunchedBrowser;
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  let mark = performance.now();
  const step = (what: string) => {
    const now = performance.now();
    timings.push(`${name} ${what}: ${((now - mark) / 1000).toFixed(2)} s`);
    mark = now;
  };

  beforeAll(async () => {
    mark = performance.now();
    await ensureWebmail();
    step('webmail answering');
    b = await launch(name, extensionDir(name, 'e2e'));
    step('browser launched');
  });

  afterAll(async () => {
    await b?.close();
  });

  it('Alice sends a plain-text mail to Bob; Bob sees it in his list and opens it', async () => {
    const subject = `Hello Bob (${name} ${run})`;
    const text = `Plain text from Alice, run ${run}.`;

    const alice = await login(b, 'alice');
    step('alice logged in');
    const { page } = alice;
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#taskmenu a.compose')]);
    expect(page.url()).toContain('_action=compose');
    await page.waitForSelector('#compose_to .recipient-input input', TIMEOUT);
    await page.type('#compose_to .recipient-input input', `${USERS.bob.address}, `);
    await page.type('#compose-subject', subject);
    await page.waitForSelector('textarea#composebody', { visible: true, timeout: 30_000 });
    await page.type('textarea#composebody', text);
    expect(await page.$eval('textarea#_to', (t) => (t as HTMLTextAreaElement).value)).toContain(
      USERS.bob.address,
    );
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load', timeout: 30_000 }),
      page.click('#compose-content button.btn.send'),
    ]);
    expect(page.url()).not.toContain('_action=compose');
    expect(await page.$('#messagestack div.error')).toBeNull();
    await alice.context.close();
    step('alice composed and sent');

    const bob = await login(b, 'bob');
    const row = await waitForRow(bob.page, (r) => r.subject === subject);
    expect(row.from).toBe(USERS.alice.address);
    step('bob sees it in the list');
    const opened = await openRow(bob.page, row);
    // h2.subject also holds a hidden 'Subject:' label and an 'Open in new window' link.
    expect(opened.subject).toContain(subject);
    expect(opened.from).toBe(USERS.alice.address);
    expect(opened.body).toContain(text);
    await bob.context.close();
    step('bob opened it');
  });

  it("issue #4: the directory's verification mail arrives in Alice's Roundcube inbox", async () => {
    const alice = await login(b, 'alice');
    const before = Math.max(0, ...(await rowUids(alice.page)));
    const dir = await startDirectory({
      SMTP_URL: 'smtp://127.0.0.1:25',
      MAIL_FROM: 'directory@keys.example.test',
    });
    try {
      const identity = (await createIdentity({ addresses: [USERS.alice.address] })).identity;
      const res = await fetch(`${dir.origin}/v1/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          address: USERS.alice.address,
          bundle: Buffer.from(identity.bundle.bytes).toString('base64'),
        }),
      });
      expect(res.status).toBe(202);
      step('published through the API (mail to Postfix)');

      const row = await waitForRow(
        alice.page,
        (r) => r.uid > before && r.subject === 'Cipherpost directory: confirm your key',
      );
      expect(row.from).toBe('directory@keys.example.test');
      step('verification mail in the list');
      const opened = await openRow(alice.page, row);
      expect(opened.subject).toContain('Cipherpost directory: confirm your key');
      expect(opened.body).toContain('-----BEGIN CIPHERPOST MESSAGE-----');
      expect(opened.body).toContain('-----END CIPHERPOST MESSAGE-----');
      expect(opened.body).not.toMatch(/token=|Cipherpost-Directory-Token/);
      step('verification mail opened');
    } finally {
      await alice.context.close();
      await dir.close();
    }
  });
});
