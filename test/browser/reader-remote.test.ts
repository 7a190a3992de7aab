/**
 * Issue 6, the Cipherpost reader: remote content in a decrypted HTML body is blocked
 * and counted, "Load this time" loads that message's https images only, "Always for
 * this sender" is remembered for the verified signer, and a signer who is not the
 * From the webmail shows gets the danger banner and nothing loaded.
 *
 * The PRODUCTION build in real Chromium on the Gmail reader fixture, served over HTTPS
 * on loopback under its real host name, as in provider-fixtures.test.ts; the trackers
 * (`tracker.example`, `cdn.example`) are the same HTTPS server, which records every
 * request to them. Chromium only: Firefox has no host-resolver switch.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armor,
  armorPublicKey,
  createIdentity,
  dearmor,
  encryptMessage,
  formatFingerprint,
  parseKeyBundle,
} from '../../src/crypto';
import { extensionDir, type LaunchedBrowser, launchChromiumWith, ROOT } from './harness';
import { selfSignedCert } from './tls-cert';
import { onboardThroughPopup } from './vault-ui';
import {
  extensionFrames,
  type Identity,
  identityOf,
  importAndVerify,
  sleep,
  T,
  until,
} from './webmail-helpers';

const GMAIL = 'mail.google.com';
const TRACKERS = ['tracker.example', 'cdn.example'];
const ME = 'me@example.com';
const LONG = 240_000;
const FIXTURE = readFileSync(join(ROOT, 'test/fixtures/providers/gmail/message.html'), 'utf8');
const ARMOR_RE =
  /-----BEGIN(?:&nbsp;|\s)CIPHERPOST(?:&nbsp;|\s)MESSAGE-----([\s\S]*?)-----END(?:&nbsp;|\s)CIPHERPOST(?:&nbsp;|\s)MESSAGE-----/;
/** The fixture's From (Gmail's `span[email]`). */
const FROM = /<span[^>]*\semail="([^"]+)"/.exec(FIXTURE)?.[1]?.toLowerCase() ?? '';
const PIXEL = Buffer.from('R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==', 'base64');

/** The fixture's armored block replaced by `real`'s lines, joined the fixture's way. */
function withArmor(html: string, real: string): string {
  const m = ARMOR_RE.exec(html);
  if (!m) throw new Error('the fixture has no armored block');
  const sep = /^([\s\S]*?)[A-Za-z0-9+/]{20,}/.exec(m[1]!)?.[1] || '\n';
  const lines = real.split('\n').filter((l) => /^[A-Za-z0-9+/=]+$/.test(l));
  const begin = m[0].slice(0, m[0].indexOf('MESSAGE-----') + 'MESSAGE-----'.length);
  const end = m[0].slice(m[0].lastIndexOf('-----END'));
  return html.replace(m[0], `${begin}${sep}${lines.join(sep)}${sep}${end}`);
}

/** A newsletter body whose every remote item names message `m`. */
const newsletter = (m: string) =>
  `<p>News ${m}</p><img src="https://tracker.example/open.gif?m=${m}" width="1" height="1">` +
  `<img src="https://cdn.example/hero.jpg?m=${m}">` +
  `<div style="background:url(https://tracker.example/bg.gif?m=${m})">bg</div>` +
  `<link rel="prefetch" href="https://tracker.example/prefetch?m=${m}">` +
  `<style>@import "https://tracker.example/s.css?m=${m}";</style>`;
const IMAGES = (m: string) => [`tracker.example/open.gif?m=${m}`, `cdn.example/hero.jpg?m=${m}`];

let server: Server;
let b: LaunchedBrowser;
let me: Identity;
let sender: Awaited<ReturnType<typeof createIdentity>>['identity'];
const served = new Map<string, string>();
/** Every request the trackers got, as `host/path?query`. */
const hits: string[] = [];

beforeAll(async () => {
  if (!FROM) throw new Error('the Gmail fixture shows no From');
  server = createServer(selfSignedCert([GMAIL, ...TRACKERS]), (req, res) => {
    const host = (req.headers.host ?? '').split(':')[0] ?? '';
    if (TRACKERS.includes(host)) {
      hits.push(`${host}${req.url}`);
      res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' }).end(PIXEL);
      return;
    }
    const body = served.get(`${host}${new URL(req.url ?? '/', 'https://x').pathname}`);
    if (req.method !== 'GET' || body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const port = (server.address() as AddressInfo).port;
  const rules = [GMAIL, ...TRACKERS].map((h) => `MAP ${h} 127.0.0.1:${port}`).join(',');
  b = await launchChromiumWith(extensionDir('chromium', 'production'), [
    `--host-resolver-rules=${rules}`,
    '--ignore-certificate-errors',
  ]);
  await (await onboardThroughPopup(b, ME)).popup.close();
  me = await identityOf(b);
  sender = (await createIdentity({ addresses: [FROM] })).identity;
  await importAndVerify(b, {
    address: FROM,
    fingerprint: formatFingerprint(sender.bundle.fingerprint),
    publicKey: armorPublicKey(sender.bundle.bytes),
  });
}, LONG);

afterAll(async () => {
  await b?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
});

let pageNo = 0;
/** The fixture showing `shownFrom`, with message `m` from the sender, opened in the reader. */
async function read(m: string, shownFrom = FROM): Promise<{ page: Page; reader: Frame }> {
  const envelope = await encryptMessage(
    { subject: `Newsletter ${m}`, body: { type: 'text/html', text: newsletter(m) } },
    {
      sender,
      senderAddress: FROM,
      recipients: [{ address: ME, bundle: await parseKeyBundle(dearmor(me.publicKey, 'PUBLIC KEY')) }],
    },
  );
  const file = `message-${++pageNo}.html`;
  const html = withArmor(FIXTURE, armor(envelope)).split(FROM).join(shownFrom);
  served.set(`${GMAIL}/${file}`, html);
  const page = await b.newPage();
  await page.goto(`https://${GMAIL}/${file}`, { waitUntil: 'load', timeout: T });
  const reader = await until(async () => {
    for (const f of await extensionFrames(b, page, 'reader.html')) {
      const ready = await f.frame
        .evaluate(() => document.querySelector('#reader')?.getAttribute('data-state') === 'ready')
        .catch(() => false);
      if (ready) return f.frame;
    }
    return undefined;
  }, `the reader frame of message ${m}`);
  return { page, reader };
}

const attr = (reader: Frame, selector: string, name: string) =>
  reader.$eval(selector, (e, n) => e.getAttribute(n), name).catch(() => null);
const csp = async (reader: Frame) =>
  /content="([^"]*)"/.exec((await attr(reader, 'iframe#body-html', 'srcdoc')) ?? '')?.[1];
const of = (m: string) => hits.filter((h) => h.endsWith(`m=${m}`)).sort();

describe('chromium: remote content in the Cipherpost reader (production build, Gmail fixture)', () => {
  it(
    'blocks and counts it; "Load this time" loads that message’s https images, nothing else',
    async () => {
      const { page, reader } = await read('1');
      expect(await attr(reader, '#remote', 'data-count')).toBe('5');
      expect(await attr(reader, '#remote-content', 'data-loaded')).toBe('none');
      expect(await csp(reader)).toBe("default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'");
      await sleep(1500);
      expect(of('1')).toEqual([]);

      await reader.click('#load-once');
      await until(() => of('1').length >= 2, 'the images of message 1');
      await sleep(1500);
      expect(of('1')).toEqual(IMAGES('1').sort());
      expect(await csp(reader)).toBe(
        "default-src 'none'; img-src data: blob: https://tracker.example https://cdn.example; style-src 'unsafe-inline'",
      );
      expect(await attr(reader, '#remote-content', 'data-loaded')).toBe('once');
      await page.close();
    },
    LONG,
  );

  it(
    '"Always for this sender" is remembered for the verified signer: the next message loads at once',
    async () => {
      const first = await read('2');
      await sleep(1000);
      expect(of('2')).toEqual([]);
      await first.reader.click('#load-sender');
      await until(
        async () => (await attr(first.reader, '#remote-content', 'data-loaded')) === 'sender',
        'sender',
      );
      await until(() => of('2').length >= 2, 'the images of message 2');
      await first.page.close();

      const next = await read('3');
      expect(await attr(next.reader, '#remote-content', 'data-loaded')).toBe('sender');
      await until(() => of('3').length >= 2, 'the images of message 3, without a click');
      await sleep(1000);
      expect(of('3')).toEqual(IMAGES('3').sort());
      await next.page.close();
    },
    LONG,
  );

  it(
    'a From that is not the signer: the danger banner, and nothing loads even for an allowed signer',
    async () => {
      const { page, reader } = await read('4', 'ceo@example.org');
      expect(await attr(reader, '#from-mismatch', 'data-reason')).toBe('signer-differs');
      expect(await attr(reader, '#from-mismatch', 'data-severity')).toBe('danger');
      expect(await reader.$eval('#from-mismatch p', (e) => e.textContent)).toContain('ceo@example.org');
      expect(await reader.$('#from-mismatch details#why summary')).not.toBeNull();
      expect(await attr(reader, '#remote-content', 'data-loaded')).toBe('none');
      expect(await reader.$eval('#load-sender', (e) => (e as HTMLButtonElement).disabled)).toBe(true);
      await sleep(1500);
      expect(of('4')).toEqual([]);
      await page.close();
    },
    LONG,
  );
});
