/**
 * Issue 5: the PRODUCTION build in real Chromium on the provider fixture pages
 * (test/fixtures/providers/{gmail,outlook,yahoo}), served over HTTPS on loopback
 * under the real host names: Chromium maps mail.google.com, outlook.live.com and
 * mail.yahoo.com to the test server (`--host-resolver-rules`) and accepts its
 * self-signed certificate (`--ignore-certificate-errors`), so the manifest's real
 * host matches are what injects the content script.
 *
 * For each provider: compose (Encrypt button, compose frame, recipients found on
 * the page with keys imported and verified, Encrypt and insert: the armored
 * message in the fixture's body editor and the placeholder subject) and read
 * (the fixture message's fake armored block is replaced, as served, by a real one
 * made in Node for this profile's key, in the fixture's own HTML line wrapping;
 * the reader frame shows its subject and body). Screenshots go to docs/screenshots.
 *
 * Chromium only: Firefox has no host-resolver switch.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Window } from 'happy-dom';
import type { Page } from 'puppeteer-core';
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
import { gmail } from '../../src/providers/gmail';
import { outlook } from '../../src/providers/outlook';
import type { ProviderSpec } from '../../src/providers/types';
import { yahoo } from '../../src/providers/yahoo';
import { extensionDir, type LaunchedBrowser, launchChromiumWith, ROOT } from './harness';
import { selfSignedCert } from './tls-cert';
import { onboardThroughPopup } from './vault-ui';
import {
  clickCenter,
  extensionFrame,
  extensionFrames,
  hostElement,
  type Identity,
  identityOf,
  importAndVerify,
  PLACEHOLDER_SUBJECT,
  sentinel,
  T,
  until,
} from './webmail-helpers';

const FIXTURES = join(ROOT, 'test/fixtures/providers');
const SCREENSHOTS = join(ROOT, 'docs/screenshots');
const PROVIDERS: { spec: ProviderSpec; host: string; dir: string }[] = [
  { spec: gmail, host: 'mail.google.com', dir: 'gmail' },
  { spec: outlook, host: 'outlook.live.com', dir: 'outlook' },
  { spec: yahoo, host: 'mail.yahoo.com', dir: 'yahoo' },
];
const ME = 'me@example.com';
const LONG = 240_000;

const ARMOR_RE =
  /-----BEGIN(?:&nbsp;|\s)CIPHERPOST(?:&nbsp;|\s)MESSAGE-----([\s\S]*?)-----END(?:&nbsp;|\s)CIPHERPOST(?:&nbsp;|\s)MESSAGE-----/;

/**
 * The fixture's armored block with its lines replaced by `real`'s, joined the way
 * the fixture joins them (`<br>`, `</div><div>`, newlines).
 */
function withArmor(html: string, real: string): string {
  const m = ARMOR_RE.exec(html);
  if (!m) throw new Error('the fixture has no armored block');
  const inner = m[1]!;
  const sep = /^([\s\S]*?)[A-Za-z0-9+/]{20,}/.exec(inner)?.[1] || '\n';
  const lines = real.split('\n').filter((l) => /^[A-Za-z0-9+/=]+$/.test(l));
  const begin = m[0].slice(0, m[0].indexOf('MESSAGE-----') + 'MESSAGE-----'.length);
  const end = m[0].slice(m[0].lastIndexOf('-----END'));
  return html.replace(m[0], `${begin}${sep}${lines.join(sep)}${sep}${end}`);
}

/** What a fixture page is, judged with the provider's own selectors (happy-dom). */
function inspect(
  spec: ProviderSpec,
  html: string,
): { compose: boolean; reader: boolean; recipients: string[]; from: string } {
  const window = new Window();
  window.document.write(html);
  const doc = window.document;
  const recipients: string[] = [];
  const c = spec.compose;
  if (c) {
    for (const field of [c.to, c.cc, c.bcc]) {
      if (!field) continue;
      for (const el of doc.querySelectorAll(field.selector)) {
        const raw =
          field.read === 'value'
            ? (el as unknown as HTMLTextAreaElement).value
            : field.read === 'text'
              ? (el.textContent ?? '')
              : (el.getAttribute(field.read.attribute) ?? '');
        recipients.push(...(raw.match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? []));
      }
    }
  }
  const r = spec.reader;
  const fromEl = r ? doc.querySelector(r.from.selector) : null;
  const fromRaw = fromEl
    ? ((r?.from.attribute ? fromEl.getAttribute(r.from.attribute) : fromEl.textContent) ?? '')
    : '';
  const result = {
    compose: !!c && !!doc.querySelector(c.root),
    reader: !!r && !!doc.querySelector(r.message) && ARMOR_RE.test(html),
    recipients: [...new Set(recipients.map((a) => a.toLowerCase()))],
    from: (/[^\s<>,;"]+@[^\s<>,;"]+/.exec(fromRaw)?.[0] ?? '').toLowerCase(),
  };
  window.close();
  return result;
}

interface Fixture {
  provider: (typeof PROVIDERS)[number];
  file: string;
  html: string;
  kind: ReturnType<typeof inspect>;
}

const fixtures: Fixture[] = PROVIDERS.flatMap((provider) =>
  readdirSync(join(FIXTURES, provider.dir))
    .filter((f) => f.endsWith('.html'))
    .map((file) => {
      const html = readFileSync(join(FIXTURES, provider.dir, file), 'utf8');
      return { provider, file, html, kind: inspect(provider.spec, html) };
    }),
);

type CryptoIdentity = Awaited<ReturnType<typeof createIdentity>>['identity'];
const nodeIdentities = new Map<string, CryptoIdentity>();
/** One Node-made identity per address, for this run. */
async function nodeIdentity(address: string): Promise<CryptoIdentity> {
  let id = nodeIdentities.get(address);
  if (!id) {
    id = (await createIdentity({ addresses: [address] })).identity;
    nodeIdentities.set(address, id);
  }
  return id;
}
const senderOf = (f: Fixture) => f.kind.from || 'alice@example.com';

/** Served pages, by host and path, for this run (readers get a real armor). */
const served = new Map<string, string>();

let server: Server;
let port = 0;
let b: LaunchedBrowser;
let me: Identity;
const timings: string[] = [];

beforeAll(async () => {
  const t0 = performance.now();
  server = createServer(selfSignedCert(PROVIDERS.map((p) => p.host)), (req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const body = served.get(`${host}${path}`);
    if (req.method !== 'GET' || body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  port = (server.address() as AddressInfo).port;
  const rules = PROVIDERS.map((p) => `MAP ${p.host} 127.0.0.1:${port}`).join(',');
  b = await launchChromiumWith(extensionDir('chromium', 'production'), [
    `--host-resolver-rules=${rules}`,
    '--ignore-certificate-errors',
  ]);
  await (await onboardThroughPopup(b, ME)).popup.close();
  me = await identityOf(b);
  // Every recipient the compose fixtures show, and every reader fixture's sender, gets a
  // key (made in Node), imported and verified.
  const recipients = new Set([
    ...fixtures.flatMap((f) => (f.kind.compose ? f.kind.recipients : [])),
    ...fixtures.flatMap((f) => (f.kind.reader ? [senderOf(f)] : [])),
  ]);
  for (const address of recipients) {
    const id = await nodeIdentity(address);
    await importAndVerify(b, {
      address,
      fingerprint: formatFingerprint(id.bundle.fingerprint),
      publicKey: armorPublicKey(id.bundle.bytes),
    });
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  timings.push(
    `setup (TLS cert, server, launch, onboarding, ${recipients.size} keys): ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}, LONG);

afterAll(async () => {
  await b?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  if (timings.length) console.log(`provider-fixtures.test.ts timings:\n  ${timings.join('\n  ')}`);
});

async function open(host: string, file: string, html: string): Promise<Page> {
  served.set(`${host}/${file}`, html);
  const page = await b.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.bringToFront();
  await page.goto(`https://${host}/${file}`, { waitUntil: 'load', timeout: T });
  expect(page.url()).toBe(`https://${host}/${file}`);
  return page;
}

describe('chromium: the production build on the provider fixtures (real host names over HTTPS)', () => {
  it('every provider has a compose and a reader fixture', () => {
    for (const p of PROVIDERS) {
      const mine = fixtures.filter((f) => f.provider === p);
      expect({ provider: p.dir, compose: mine.some((f) => f.kind.compose) }).toEqual({
        provider: p.dir,
        compose: true,
      });
      expect({ provider: p.dir, reader: mine.some((f) => f.kind.reader) }).toEqual({
        provider: p.dir,
        reader: true,
      });
      expect(mine.find((f) => f.kind.compose)!.kind.recipients.length).toBeGreaterThan(0);
    }
  });

  for (const fixture of fixtures.filter((f) => f.kind.compose)) {
    const { provider, file } = fixture;
    it(
      `${provider.dir}/${file}: Encrypt button, compose frame, Encrypt and insert puts the armor in the body and the placeholder subject`,
      async () => {
        const t0 = performance.now();
        const page = await open(provider.host, file, fixture.html);
        const button = await hostElement(page, 'cipherpost-encrypt');
        await clickCenter(page, button);
        const compose = await extensionFrame(b, page, 'compose.html');
        for (const address of fixture.kind.recipients) {
          await compose.waitFor(`[data-recipient="${address}"][data-status=verified]`);
        }
        const secret = sentinel('FIX');
        await compose.fill('#subject', `Fixture ${provider.dir} ${secret}`);
        await compose.fill('#body', `Body for ${provider.dir}: ${secret}`);
        await page.screenshot({ path: join(SCREENSHOTS, `${provider.dir}-compose.png`) });
        await compose.click('#encrypt-insert');
        const spec = provider.spec.compose!;
        const bodySelector = spec.body.map((c) => c.selector).join(', ');
        const result = await until(async () => {
          const got = await page.evaluate(
            (subjectSel, bodySel) => ({
              subject: (document.querySelector(subjectSel) as HTMLInputElement | null)?.value ?? '',
              // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a user would copy it (<br>/<div> lines become newlines).
              body: (document.querySelector(bodySel) as HTMLElement | null)?.innerText ?? '',
            }),
            spec.subject,
            bodySelector,
          );
          return got.body.includes('-----END CIPHERPOST MESSAGE-----') ? got : undefined;
        }, 'the armored message in the fixture body editor');
        expect(result.subject).toBe(PLACEHOLDER_SUBJECT);
        expect(result.body).toContain('-----BEGIN CIPHERPOST MESSAGE-----');
        expect(result.body).not.toContain(secret);
        // The page's whole DOM has no plaintext either.
        expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toContain(secret);
        // The overlay goes once inserted.
        await until(
          async () => (await extensionFrames(b, page, 'compose.html')).length === 0,
          'the compose overlay to close',
        );
        timings.push(`${provider.dir}/${file} compose: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        await page.close();
      },
      LONG,
    );
  }

  for (const fixture of fixtures.filter((f) => f.kind.reader)) {
    const { provider, file } = fixture;
    it(
      `${provider.dir}/${file}: the fixture message's armored block (real, for this profile) opens in the reader frame`,
      async () => {
        const t0 = performance.now();
        const from = senderOf(fixture);
        const sender = await nodeIdentity(from);
        const subject = `Fixture reader ${provider.dir} ${sentinel('R')}`;
        const text = `Hello from ${from} on ${provider.dir}.\nSecond line ✓`;
        const envelope = await encryptMessage(
          { subject, body: { type: 'text/plain', text } },
          {
            sender,
            senderAddress: from,
            recipients: [{ address: ME, bundle: await parseKeyBundle(dearmor(me.publicKey, 'PUBLIC KEY')) }],
          },
        );
        const page = await open(provider.host, file, withArmor(fixture.html, armor(envelope)));
        const states = async () => {
          const out: { frame: import('puppeteer-core').Frame; state: string; code: string }[] = [];
          for (const f of await extensionFrames(b, page, 'reader.html')) {
            const got = await f.frame
              .evaluate(() => ({
                state: document.querySelector('[data-state]')?.getAttribute('data-state') ?? '',
                code: document.querySelector('#error')?.getAttribute('data-code') ?? '',
              }))
              .catch(() => ({ state: 'unreachable', code: '' }));
            out.push({ frame: f.frame, ...got });
          }
          return out;
        };
        // Wait until every reader frame has settled (ready or error); then one must be ready.
        const settled = await until(async () => {
          const all = await states();
          return all.length > 0 && all.every((s) => s.state === 'ready' || s.state === 'error')
            ? all
            : undefined;
        }, 'the reader frames to settle').catch(async (e) => {
          throw new Error(
            `${(e as Error).message}: ${JSON.stringify((await states()).map(({ state, code }) => ({ state, code })))}`,
          );
        });
        expect(settled.map(({ state, code }) => ({ state, code }))).toContainEqual({
          state: 'ready',
          code: '',
        });
        const reader = settled.find((s) => s.state === 'ready')!.frame;
        expect(await reader.$eval('#subject', (e) => e.textContent?.trim())).toBe(subject);
        expect((await reader.$eval('#body', (e) => e.textContent ?? '')).replace(/\r\n/g, '\n')).toBe(text);
        // The sender's key was imported and verified in Contacts.
        expect(await reader.$eval('#signature', (e) => e.getAttribute('data-trust'))).toBe('verified');
        // The armored block is hidden; the page never sees the plaintext.
        expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toContain('Second line ✓');
        await page.screenshot({ path: join(SCREENSHOTS, `${provider.dir}-reader.png`) });
        timings.push(`${provider.dir}/${file} reader: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        await page.close();
      },
      LONG,
    );
  }
});
