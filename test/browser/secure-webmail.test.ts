/**
 * Issue 5: Cipherpost inside a real Roundcube (scripts/webmail), two profiles
 * (Alice and Bob, each their own browser, extension and identity), in Chromium
 * and in Firefox.
 *
 * - Alice composes in Cipherpost's compose frame over Roundcube's plain and HTML
 *   editors, with sentinels (unique random strings) in the subject, the body,
 *   an attachment's name and its content, a Unicode subject and body, rich text,
 *   and a 5 MB attachment (sent as `message.cipherpost`). Every request her
 *   browser makes to Roundcube goes through a recording proxy; a draft save is
 *   among them. No sentinel is in any request (raw, URL-decoded, multipart,
 *   base64/quoted-printable decoded), nor in the message files Dovecot wrote in
 *   Bob's Maildir and in Alice's (Sent, Drafts).
 * - Bob's reader frame shows the exact subject, body and attachment bytes
 *   (downloaded, SHA-256 compared) with a verified signature; Bob replies through
 *   the reader and Alice reads the reply with the quote.
 * - A copy with one base64 character flipped shows an error and no plaintext; a
 *   message encrypted to someone else says "not encrypted for you"; an armor
 *   mangled by reply quoting ("> ", rewrapped) still decrypts.
 *
 * Extension frames are driven as puppeteer Frames (webmail-helpers.ts,
 * `extensionFrame`; in Firefox found through the BiDi browsing-context tree).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armor, createIdentity, encryptMessage } from '../../src/crypto';
import {
  captureDownload,
  extensionDir,
  type LaunchedBrowser,
  launch,
  ROOT,
  removeTempFiles,
  writeTempFile,
} from './harness';
import { onboardThroughPopup } from './vault-ui';
import {
  addRecipient,
  base64Blocks,
  clickCenter,
  composeBody,
  type ExtensionFrame,
  ensureWebmail,
  extensionFrame,
  hostElement,
  type Identity,
  identityOf,
  importAndVerify,
  leaks,
  login,
  maildirSnapshot,
  maxUid,
  newMaildirFiles,
  openCompose,
  openRow,
  PLACEHOLDER_SUBJECT,
  type RecordingProxy,
  type Row,
  rawTextMail,
  saveDraft,
  sendSmtp,
  sentinel,
  setEditor,
  sha256,
  startRecordingProxy,
  T,
  USERS,
  until,
  waitForMaildirFile,
  waitForRow,
} from './webmail-helpers';

const LONG = 300_000;
const SCREENSHOTS = join(ROOT, 'docs/screenshots');

/** Every decoded form of a stored message a sentinel could hide in. */
function mailForms(raw: string): string[] {
  const utf8 = Buffer.from(raw, 'latin1').toString('utf8');
  const qp = utf8
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const forms = [raw, utf8, qp, Buffer.from(qp, 'latin1').toString('utf8')];
  for (const block of base64Blocks(raw)) {
    const bytes = Buffer.from(block, 'base64');
    forms.push(bytes.toString('latin1'), bytes.toString('utf8'));
  }
  // RFC 2047 encoded words (subject, attachment names).
  for (const m of raw.matchAll(/=\?utf-8\?([bq])\?([^?]*)\?=/gi)) {
    forms.push(
      m[1]!.toLowerCase() === 'b'
        ? Buffer.from(m[2]!, 'base64').toString('utf8')
        : Buffer.from(
            m[2]!
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
  }
  return forms;
}

function sentinelsIn(raw: string, sentinels: string[]): string[] {
  const forms = mailForms(raw);
  return sentinels.filter((s) => forms.some((f) => f.includes(s)));
}

/** The first armored block in a stored mail (after QP decoding), lines as they were. */
function armorOf(raw: string): string {
  const qp = raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const m = /-----BEGIN CIPHERPOST MESSAGE-----[\s\S]*?-----END CIPHERPOST MESSAGE-----/.exec(qp);
  if (!m) throw new Error('no armored block in the mail');
  return m[0].replace(/\r\n/g, '\n');
}

const timings: string[] = [];
afterAll(async () => {
  await removeTempFiles();
  if (timings.length) console.log(`secure-webmail.test.ts timings:\n  ${timings.join('\n  ')}`);
});

describe.each(['chromium', 'firefox'] as const)(
  '%s: Cipherpost in a real Roundcube, Alice and Bob',
  (name) => {
    let a: LaunchedBrowser;
    let b: LaunchedBrowser;
    let alice: Identity;
    let bob: Identity;
    let proxy: RecordingProxy;
    let alicePage: Page;
    let bobPage: Page;
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    /** Every sentinel planted so far: none may ever reach the network or the Maildirs. */
    const planted: string[] = [];
    let aliceMailBefore: Set<string>;
    let mark = performance.now();
    const step = (what: string) => {
      const now = performance.now();
      timings.push(`${name} ${what}: ${((now - mark) / 1000).toFixed(2)} s`);
      mark = now;
    };
    /** The raw stored copy of the first message (for the tamper and quoting tests). */
    let firstRaw = '';
    let firstSubject = '';
    let firstBody = '';
    let firstRow: Row | undefined;

    beforeAll(async () => {
      mark = performance.now();
      await ensureWebmail();
      a = await launch(name, extensionDir(name, 'e2e'));
      b = await launch(name, extensionDir(name, 'e2e'));
      step('two browsers launched');
      await (await onboardThroughPopup(a, USERS.alice.address)).popup.close();
      await (await onboardThroughPopup(b, USERS.bob.address)).popup.close();
      step('both onboarded');
      alice = await identityOf(a);
      bob = await identityOf(b);
      expect(alice.fingerprint).not.toBe(bob.fingerprint);
      await importAndVerify(b, alice);
      await importAndVerify(a, bob);
      step('keys exchanged and verified');
      proxy = await startRecordingProxy();
      aliceMailBefore = maildirSnapshot('alice');
      alicePage = await login(a, 'alice', proxy.origin);
      bobPage = await login(b, 'bob');
      step('both logged in (alice through the recording proxy)');
    }, LONG);

    afterAll(async () => {
      await a?.close();
      await b?.close();
      await proxy?.close();
    });

    /** Alice: Roundcube compose to Bob, then Cipherpost's Encrypt button; resolves to the compose frame. */
    async function startEncryptedCompose(editor: 'plain' | 'html'): Promise<ExtensionFrame> {
      await openCompose(alicePage);
      await addRecipient(alicePage, USERS.bob.address);
      await setEditor(alicePage, editor);
      const button = await hostElement(alicePage, 'cipherpost-encrypt');
      await clickCenter(alicePage, button);
      const compose = await extensionFrame(a, alicePage, 'compose.html');
      await compose.waitFor(`[data-recipient="${USERS.bob.address}"][data-status=verified]`);
      return compose;
    }

    /** Waits for Roundcube to leave the compose screen after Send, without an error. */
    async function waitSent(page: Page, timeoutMs = 120_000): Promise<void> {
      await until(
        async () => {
          const error = await page
            .$eval('#messagestack', (s) => s.querySelector('div.error')?.textContent ?? '')
            .catch(() => '');
          if (error) throw new Error(`Roundcube: ${error}`);
          return !page.url().includes('_action=compose') && (await page.$('#messagelist'));
        },
        'Roundcube to send and show the list',
        timeoutMs,
        250,
      ).catch(async (e) => {
        const stack = await page.$eval('#messagestack', (s) => s.textContent).catch(() => '?');
        throw new Error(`${(e as Error).message}; messagestack: ${stack}; url ${page.url()}`);
      });
    }

    /** Bob: the newest mail after `before`, opened; resolves to its reader frame in data-state ready|error. */
    async function bobOpens(
      before: number,
      match: (r: Row) => boolean = () => true,
    ): Promise<{ reader: ExtensionFrame; row: Row }> {
      await bobPage.bringToFront();
      const row = await waitForRow(bobPage, (r) => r.uid > before && match(r), 90_000);
      await openRow(bobPage, row);
      const reader = await extensionFrame(b, bobPage, 'reader.html');
      await reader.waitFor('[data-state=ready], [data-state=error], [data-state=locked]');
      return { reader, row };
    }

    it(
      'plain editor: Unicode subject and body, attachment with sentinels; nothing leaks; Bob reads it exactly, signed',
      async () => {
        const S = {
          subject: sentinel('SUBJ'),
          body: sentinel('BODY'),
          name: sentinel('NAME'),
          content: sentinel('DATA'),
        };
        planted.push(...Object.values(S));
        const subject = `Quarterly 日本語 Ünïcödé ✉ ${S.subject} (${run})`;
        const body = `Hello Bob — ça va? 👋\n\nLine two with ${S.body}\n  indented line\n→ arrows, Ελληνικά, עברית\nEnd.`;
        const attachName = `notes-${S.name}.txt`;
        const attachData = Buffer.from(`attachment line 1\n${S.content}\nünï ✓\n`, 'utf8');
        firstSubject = subject;
        firstBody = body;
        const bobBefore = await maxUid(bobPage);
        const bobFiles = maildirSnapshot('bob');
        const requestsBefore = proxy.requests.length;

        const compose = await startEncryptedCompose('plain');
        step('plain: compose frame open');
        if (name === 'chromium') {
          mkdirSync(SCREENSHOTS, { recursive: true });
        }
        await compose.fill('#subject', subject);
        await compose.type('#body', 'Hi. '); // real keystrokes too
        await compose.fill('#body', body);
        const file = await writeTempFile(attachName, attachData);
        const input = (await compose.waitFor('#attach')) as ElementHandle<HTMLInputElement>;
        await input.uploadFile(file);
        await until(
          () => compose.evaluate((n) => document.body.textContent?.includes(n) ?? false, attachName),
          'the attachment listed in the compose frame',
        );
        if (name === 'chromium')
          await alicePage.screenshot({ path: join(SCREENSHOTS, 'roundcube-compose.png') });
        // Roundcube's own draft save while the plaintext is in Cipherpost's frame.
        await saveDraft(alicePage);
        const drafts = proxy.requests
          .slice(requestsBefore)
          .filter((r) => /_draft=1|_action=send/.test(r.body.toString('latin1')) || r.url.includes('_draft'));
        expect(drafts.length).toBeGreaterThan(0);
        step('plain: typed, attached, draft saved');

        await compose.click('#encrypt-send');
        await waitSent(alicePage);
        step('plain: encrypted and sent by Roundcube');

        const stored = await waitForMaildirFile(
          'bob',
          bobFiles,
          (raw) => raw.includes('BEGIN CIPHERPOST MESSAGE') || raw.includes('message.cipherpost'),
        );
        firstRaw = stored.raw;
        expect(stored.raw).toContain(PLACEHOLDER_SUBJECT);
        expect(sentinelsIn(stored.raw, planted)).toEqual([]);
        expect(leaks(proxy.requests, planted)).toEqual([]);
        step('plain: no sentinel in the Maildir file nor in any request');

        const { reader, row } = await bobOpens(bobBefore);
        firstRow = row;
        expect(await reader.attr('[data-state]', 'data-state')).toBe('ready');
        expect(await reader.text('#subject')).toBe(subject);
        const shownBody = await reader.evaluate(() => document.querySelector('#body')?.textContent ?? '');
        expect(shownBody.replace(/\r\n/g, '\n')).toBe(body);
        expect(await reader.attr('#signature', 'data-trust')).toBe('verified');
        expect(await reader.attr('#signature', 'data-mismatch')).not.toBe('true');
        const download = await captureDownload(b, () => reader.click('[data-attachment-index="0"]'), {
          timeoutMs: 60_000,
        });
        expect(download.name).toBe(attachName);
        expect(sha256(download.data)).toBe(sha256(attachData));
        if (name === 'chromium')
          await bobPage.screenshot({ path: join(SCREENSHOTS, 'roundcube-reader.png') });
        step('plain: Bob reads subject, body, attachment (SHA-256), verified signature');
      },
      LONG,
    );

    it(
      'HTML editor: rich body and a 5 MB attachment (message.cipherpost); insert, draft with armor, Send; Bob reads it',
      async () => {
        const S = {
          subject: sentinel('HSUBJ'),
          body: sentinel('HBODY'),
          name: sentinel('HNAME'),
          content: sentinel('HDATA'),
        };
        planted.push(...Object.values(S));
        const subject = `Rich 🎉 Größe ${S.subject} (${run})`;
        const html = `<p>Dear <b>Bob</b>, <i>italic ${S.body}</i></p><ul><li>one ✓</li><li>two</li></ul>`;
        const attachName = `big-${S.name}.bin`;
        const attachData = Buffer.alloc(5 * 1024 * 1024);
        for (let i = 0; i < attachData.length; i++) attachData[i] = (i * 2654435761) >>> 24;
        attachData.write(S.content, 1000, 'utf8');
        attachData.write(S.content, attachData.length - 100, 'utf8');
        const bobBefore = await maxUid(bobPage);
        const bobFiles = maildirSnapshot('bob');
        const requestsBefore = proxy.requests.length;

        const compose = await startEncryptedCompose('html');
        step('html: compose frame open');
        await compose.fill('#subject', subject);
        await compose.click('#mode-rich');
        await compose.fill('#body-rich', html);
        const input = (await compose.waitFor('#attach')) as ElementHandle<HTMLInputElement>;
        await input.uploadFile(await writeTempFile(attachName, attachData));
        await until(
          () => compose.evaluate((n) => document.body.textContent?.includes(n) ?? false, attachName),
          'the attachment listed in the compose frame',
        );
        await compose.click('#encrypt-insert');
        // The content script fills Roundcube: the placeholder subject and a short notice
        // in the body, the armored message as the attachment message.cipherpost.
        await until(
          async () =>
            (await alicePage.$eval('#compose-subject', (s) => (s as HTMLInputElement).value)) ===
            PLACEHOLDER_SUBJECT,
          'the placeholder subject in Roundcube',
          120_000,
        );
        await until(
          () =>
            alicePage
              .$eval(
                '#compose-attachments, #attachment-list',
                (l) => l.textContent?.includes('message.cipherpost') ?? false,
              )
              .catch(() => false),
          'message.cipherpost uploaded to Roundcube',
          180_000,
          500,
        );
        const inRoundcube = await composeBody(alicePage);
        expect(inRoundcube.mode).toBe('html');
        await saveDraft(alicePage);
        step('html: inserted (5 MB as message.cipherpost), draft saved');
        expect(proxy.requests.slice(requestsBefore).some((r) => r.body.length > 5_000_000)).toBe(true);
        await alicePage.click('#compose-content button.btn.send');
        await waitSent(alicePage);
        step('html: sent');

        const stored = await waitForMaildirFile(
          'bob',
          bobFiles,
          (raw) => raw.includes('message.cipherpost'),
          120_000,
        );
        expect(stored.raw).toContain(PLACEHOLDER_SUBJECT);
        expect(sentinelsIn(stored.raw, planted)).toEqual([]);
        expect(leaks(proxy.requests, planted)).toEqual([]);
        step('html: no sentinel in the Maildir file nor in any request');

        const { reader } = await bobOpens(bobBefore);
        expect(await reader.attr('[data-state]', 'data-state')).toBe('ready');
        expect(await reader.text('#subject')).toBe(subject);
        const shown = await reader.evaluate(() => {
          const doc = (document.querySelector('iframe#body-html') as HTMLIFrameElement | null)
            ?.contentDocument;
          return { html: doc?.body?.innerHTML ?? '', text: doc?.body?.textContent ?? '' };
        });
        expect(shown.html).toMatch(/<(b|strong)>Bob<\/(b|strong)>/);
        expect(shown.html).toMatch(/<(i|em)>italic /);
        expect(shown.html).toContain('<li>one ✓</li>');
        expect(shown.text).toContain(S.body);
        expect(await reader.attr('#signature', 'data-trust')).toBe('verified');
        const download = await captureDownload(b, () => reader.click('[data-attachment-index="0"]'), {
          timeoutMs: 120_000,
        });
        expect(download.name).toBe(attachName);
        expect(download.data.length).toBe(attachData.length);
        expect(sha256(download.data)).toBe(sha256(attachData));
        step('html: Bob reads rich body and the 5 MB attachment (SHA-256)');
      },
      LONG,
    );

    it(
      'Bob replies from the reader (quote included), Alice reads the reply with the quote',
      async () => {
        const S = sentinel('REPLY');
        planted.push(S);
        const aliceBefore = await maxUid(alicePage);
        // Bob opens the first (plain) message from Alice again and presses Reply in the reader.
        expect(firstRow).toBeDefined();
        await bobPage.bringToFront();
        await openRow(bobPage, firstRow!);
        const reader = await extensionFrame(b, bobPage, 'reader.html');
        await reader.waitFor('[data-state=ready]');
        expect(await reader.text('#subject')).toBe(firstSubject);
        await reader.click('#reply');
        // Roundcube's own reply opens, and Cipherpost's compose over it, with the quote and Alice as recipient.
        await until(() => bobPage.url().includes('_action=compose'), "Roundcube's reply compose", T);
        // The secure compose opens by itself (compose:seeded): no second click.
        const compose = await extensionFrame(b, bobPage, 'compose.html');
        await compose.waitFor(`[data-recipient="${USERS.alice.address}"][data-status=verified]`);
        const quoted = await compose.evaluate(
          () => (document.querySelector('#body') as HTMLTextAreaElement | null)?.value ?? '',
        );
        expect(quoted).toContain('Line two with');
        const reply = `Thanks Alice! ${S}\n\n${quoted}`;
        await compose.fill('#body', reply);
        await compose.click('#encrypt-send');
        await waitSent(bobPage);
        step('reply: Bob replied through the reader');

        await alicePage.bringToFront();
        await alicePage.goto(`${alicePage.url().split('?')[0]}?_task=mail&_mbox=INBOX`, {
          waitUntil: 'load',
        });
        await alicePage.waitForSelector('#messagelist', { timeout: T });
        const row = await waitForRow(
          alicePage,
          (r) => r.uid > aliceBefore && r.from === USERS.bob.address,
          90_000,
        );
        await openRow(alicePage, row);
        const aliceReader = await extensionFrame(a, alicePage, 'reader.html');
        await aliceReader.waitFor('[data-state=ready]');
        const text = await aliceReader.evaluate(() => document.querySelector('#body')?.textContent ?? '');
        expect(text).toContain(`Thanks Alice! ${S}`);
        expect(text).toContain('Line two with');
        expect(await aliceReader.attr('#signature', 'data-trust')).toBe('verified');
        expect(leaks(proxy.requests, planted)).toEqual([]);
        step('reply: Alice reads it with the quote');
      },
      LONG,
    );

    it(
      'a copy with one base64 character flipped: error, no plaintext',
      async () => {
        const original = armorOf(firstRaw);
        const lines = original.split('\n');
        // A base64 line in the middle of the armor.
        const candidates = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^[A-Za-z0-9+/]{40,}$/.test(l));
        const { l, i } = candidates[Math.floor(candidates.length / 2)]!;
        const at = Math.floor(l.length / 2);
        const flipped = l.slice(0, at) + (l[at] === 'A' ? 'B' : 'A') + l.slice(at + 1);
        lines[i] = flipped;
        const subject = `tampered ${run}`;
        const before = await maxUid(bobPage);
        await sendSmtp({
          from: USERS.alice.address,
          to: USERS.bob.address,
          raw: rawTextMail({
            from: USERS.alice.address,
            to: USERS.bob.address,
            subject,
            text: lines.join('\n'),
          }),
        });
        const { reader } = await bobOpens(before, (r) => r.subject === subject);
        expect(await reader.attr('[data-state]', 'data-state')).toBe('error');
        const code = await reader.attr('#error', 'data-code');
        expect(code).toBeTruthy();
        expect(code).not.toBe('not-for-this-key');
        const all = await reader.evaluate(() => document.documentElement.textContent ?? '');
        expect(all).not.toContain('Line two with');
        expect(all).not.toContain(firstSubject);
        step(`tamper: error ${code}`);
      },
      LONG,
    );

    it(
      'a message encrypted for someone else: "not encrypted for you"',
      async () => {
        const carol = (await createIdentity({ addresses: ['carol@example.test'] })).identity;
        const dave = (await createIdentity({ addresses: ['dave@example.test'] })).identity;
        const envelope = await encryptMessage(
          { subject: `for dave ${run}`, body: { type: 'text/plain', text: 'not for Bob' } },
          {
            sender: carol,
            senderAddress: 'carol@example.test',
            recipients: [{ address: 'dave@example.test', bundle: dave.bundle }],
          },
        );
        const subject = `not for you ${run}`;
        const before = await maxUid(bobPage);
        await sendSmtp({
          from: 'carol@example.test',
          to: USERS.bob.address,
          raw: rawTextMail({
            from: 'carol@example.test',
            to: USERS.bob.address,
            subject,
            text: armor(envelope),
          }),
        });
        const { reader } = await bobOpens(before, (r) => r.subject === subject);
        expect(await reader.attr('[data-state]', 'data-state')).toBe('error');
        expect(await reader.attr('#error', 'data-code')).toBe('not-for-this-key');
        const all = await reader.evaluate(() => document.documentElement.textContent ?? '');
        expect(all).not.toContain('not for Bob');
        step('not-for-you');
      },
      LONG,
    );

    it(
      'an armor mangled by reply quoting ("> " prefixes, rewrapped at 60 columns) still decrypts',
      async () => {
        const original = armorOf(firstRaw);
        const lines = original.split('\n');
        const begin = lines.findIndex((x) => x.startsWith('-----BEGIN'));
        const end = lines.findIndex((x) => x.startsWith('-----END'));
        // Header lines (if any) up to the first blank line after BEGIN stay as they are.
        const blank = lines.indexOf('', begin);
        const headerEnd = blank > begin && blank < end ? blank : begin;
        const b64 = lines.slice(headerEnd + 1, end).join('');
        const rewrapped = b64.match(/.{1,60}/g) ?? [];
        const mangled = [...lines.slice(0, headerEnd + 1), ...rewrapped, lines[end]!]
          .map((x) => `> ${x}`)
          .join('\n');
        const subject = `Re: quoted ${run}`;
        const before = await maxUid(bobPage);
        await sendSmtp({
          from: USERS.alice.address,
          to: USERS.bob.address,
          raw: rawTextMail({
            from: USERS.alice.address,
            to: USERS.bob.address,
            subject,
            text: `On Monday Alice wrote:\n${mangled}\n`,
          }),
        });
        const { reader } = await bobOpens(before, (r) => r.subject === subject);
        expect(await reader.attr('[data-state]', 'data-state')).toBe('ready');
        expect(await reader.text('#subject')).toBe(firstSubject);
        const shownBody = await reader.evaluate(() => document.querySelector('#body')?.textContent ?? '');
        expect(shownBody.replace(/\r\n/g, '\n')).toBe(firstBody);
        step('quoted armor decrypts');
      },
      LONG,
    );

    it("nothing planted is in Alice's own new mail files (Sent, Drafts) in any decoded form", () => {
      const files = newMaildirFiles('alice', aliceMailBefore);
      // At least the Sent copies of the two messages and the reply from Bob.
      expect(files.length).toBeGreaterThanOrEqual(3);
      for (const f of files)
        expect({ file: f.path, found: sentinelsIn(readFileSync(f.path, 'latin1'), planted) }).toEqual({
          file: f.path,
          found: [],
        });
      expect(planted.length).toBeGreaterThanOrEqual(9);
    });
  },
);
