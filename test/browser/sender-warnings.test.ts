/**
 * Issue 6, spoofed-sender warnings end to end: two raw mails through Postfix to
 * Bob, read in the real Roundcube with Cipherpost (the sender checks themselves
 * run on the whole corpus as unit tests, test/privacy).
 *
 * - Spoofed: the display name is another address (`"support@paypal.com"`), the
 *   real address is on a look-alike of paypal.com (`paypa1.com`), and Reply-To
 *   goes to a third domain. The banner (extension frame in a closed shadow root)
 *   is `danger`, lists those reasons, names the real domain, and its
 *   "Why am I seeing this?" section opens. Plain text, no remote content: the
 *   banner is there for the sender alone.
 * - Benign: a normal sender, plain text, no remote content: no
 *   `<cipherpost-banner>` at all, in the page or in the preview frame (opened as
 *   the first message of a fresh tab, as the spoofed one, so the content script
 *   has demonstrably scanned it).
 *
 * In Chromium and Firefox.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionDir, type LaunchedBrowser, launch } from './harness';
import { bannerFrame, bannerFrames, bannerState, countBannerHosts, rawTextMail } from './privacy-helpers';
import {
  ensureWebmail,
  hostElement,
  login,
  openRow,
  type Row,
  sendSmtp,
  sleep,
  USERS,
  waitForRow,
} from './webmail-helpers';

const LONG = 120_000;
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const timings: string[] = [];

afterAll(() => {
  if (timings.length) console.log(`sender-warnings.test.ts timings:\n  ${timings.join('\n  ')}`);
});

describe.each(['chromium', 'firefox'] as const)('%s: sender warnings in Roundcube', (name) => {
  let b: LaunchedBrowser;
  let bob: Page;
  const spoofSubject = `Your account is on hold ${run} ${name}`;
  const benignSubject = `Lunch on Friday? ${run} ${name}`;
  let spoofRow: Row;
  let benignRow: Row;
  /** How long the spoofed message's banner took to show (the benign wait is longer). */
  let bannerMs = 0;
  let mark = performance.now();
  const step = (what: string) => {
    const now = performance.now();
    timings.push(`${name} ${what}: ${((now - mark) / 1000).toFixed(2)} s`);
    mark = now;
  };

  beforeAll(async () => {
    mark = performance.now();
    await ensureWebmail();
    await sendSmtp({
      from: 'billing@paypa1.com',
      to: USERS.bob.address,
      raw: rawTextMail({
        from: '"support@paypal.com" <billing@paypa1.com>',
        to: USERS.bob.address,
        subject: spoofSubject,
        headers: ['Reply-To: <refunds@collector.example>'],
        text: 'We could not verify your last payment. Reply with your card number to restore access.',
      }),
    });
    await sendSmtp({
      from: 'carol@example.test',
      to: USERS.bob.address,
      raw: rawTextMail({
        from: '"Carol Example" <carol@example.test>',
        to: USERS.bob.address,
        subject: benignSubject,
        text: 'Hi Bob,\n\nLunch on Friday at noon?\n\nCarol',
      }),
    });
    b = await launch(name, extensionDir(name, 'e2e'));
    bob = await login(b, 'bob');
    spoofRow = await waitForRow(bob, (r) => r.subject === spoofSubject, 90_000);
    benignRow = await waitForRow(bob, (r) => r.subject === benignSubject, 90_000);
    step('mails sent, browser launched, Bob logged in');
  }, LONG);

  afterAll(async () => {
    await b?.close();
  });

  it(
    'spoofed sender: a danger banner with the reasons, in words, and a "Why am I seeing this?" that opens',
    async () => {
      await bob.bringToFront();
      const started = Date.now();
      const preview = await openRow(bob, spoofRow);
      const banner = await bannerFrame(b, bob, { timeoutMs: 30_000 });
      bannerMs = Date.now() - started;
      // The host is drawn and visible, in the page or in the preview frame.
      const inPreview = (await preview.$$('cipherpost-banner')).length > 0;
      const host = await hostElement(bob, 'cipherpost-banner', {
        timeoutMs: 10_000,
        ...(inPreview ? { inFrame: preview } : {}),
      });
      expect(await host.evaluate((h) => h.shadowRoot)).toBeNull();
      expect(await countBannerHosts(bob)).toBe(1);

      const state = await bannerState(banner);
      console.log(`${name} spoofed: ${JSON.stringify(state)}`);
      expect(state.severity).toBe('danger');
      // Exactly this mail's faults: the name is another address; paypa1.com is paypal.com
      // by UTS #39 skeleton (digit 1 / letter l); Reply-To elsewhere. Nothing about
      // SPF/DKIM/DMARC (no Authentication-Results), nor Return-Path (Postfix wrote the
      // envelope sender, billing@paypa1.com, the From's address).
      expect([...state.reasons].sort()).toEqual([
        'confusable-domain',
        'display-name-address',
        'reply-to-domain',
      ]);
      // Plain words that name the real domain and the one it imitates.
      expect(state.warningText).toContain('paypa1.com');
      expect(state.warningText).toMatch(/paypal\.com/);
      // No remote content in this mail; "Always for this sender" is not offered to a
      // sender that may be forged.
      expect(state.count ?? 0).toBe(0);
      expect(
        await banner.evaluate(
          () => (document.querySelector('#load-sender') as HTMLButtonElement | null)?.disabled ?? true,
        ),
      ).toBe(true);
      expect(await banner.text('#sender-refused')).toMatch(/not offered/);

      // "Why am I seeing this?": closed, then open with an explanation.
      expect(state.why.present).toBe(true);
      expect(state.why.summary).toBe('Why am I seeing this?');
      expect(state.why.open).toBe(false);
      await banner.click('details#why > summary');
      const opened = await bannerState(banner);
      expect(opened.why.open).toBe(true);
      expect(opened.why.text.length).toBeGreaterThan(state.why.summary.length + 40);
      const visible = await banner.evaluate(() => {
        const d = document.querySelector('details#why');
        const parts = [...(d?.children ?? [])].filter((c) => c.tagName !== 'SUMMARY');
        return parts.some((p) => (p as HTMLElement).getBoundingClientRect().height > 0);
      });
      expect(visible, 'the expanded explanation has a box').toBe(true);
      step(`spoofed: banner after ${bannerMs} ms, reasons ${state.reasons.join(', ')}`);
    },
    LONG,
  );

  it(
    'benign sender, plain text, no remote content: no banner at all',
    async () => {
      expect(bannerMs, 'the spoofed test ran first (the content script is working)').toBeGreaterThan(0);
      // The first message of a fresh tab, as the spoofed one was: the same content
      // script start, so a missing banner means "benign", not "never scanned".
      const tab = await login(b, 'bob');
      const row = await waitForRow(tab, (r) => r.uid === benignRow.uid, 30_000);
      const preview = await openRow(tab, row);
      expect(await preview.$eval('#messagebody', (e) => e.textContent ?? '')).toContain('Lunch on Friday');
      // Three times as long as the spoofed banner took, at least 3 s.
      await sleep(Math.max(3_000, 3 * bannerMs));
      expect(await countBannerHosts(tab)).toBe(0);
      expect((await bannerFrames(b, tab)).length).toBe(0);
      await tab.close();
      step('benign: no banner');
    },
    LONG,
  );
});
