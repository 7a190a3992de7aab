/**
 * The verification mail over real SMTP: the app sends through nodemailer
 * (`SMTP_URL`) to an SMTP server running in this test (smtp-server). The
 * test reads the raw message as a mail client would, decrypts the token with
 * the recipient's identity, confirms with a POST, and looks the key up.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type DirectoryApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { dearmor, decryptMessage, type Identity } from '../../src/crypto';
import { PUBLIC_URL, publishBody } from './app-helpers';
import { identityFor, sqliteTestDb, type TestDb, toBase64 } from './helpers';

interface Received {
  from: string | undefined;
  to: string[];
  raw: string;
}

describe('verification mail over SMTP', () => {
  let smtp: SMTPServer;
  let received: Received[];
  let waiters: (() => void)[];
  let app: DirectoryApp;
  let db: TestDb;
  let erin: Identity;

  beforeAll(async () => {
    received = [];
    waiters = [];
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          for (const w of waiters.splice(0)) w();
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    db = await sqliteTestDb();
    app = await buildApp({
      config: loadConfig({ PUBLIC_URL, SMTP_URL: `smtp://127.0.0.1:${port}`, LOG_LEVEL: 'silent' }),
      db: db.db,
      purge: false,
    });
    erin = await identityFor('erin@example.test');
  });

  afterAll(async () => {
    await app?.close();
    await db?.cleanup();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('delivers the encrypted token; decrypting and POSTing it publishes the key', async () => {
    const delivered = new Promise<void>((resolve) => waiters.push(resolve));
    const res = await app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(erin) });
    expect(res.statusCode).toBe(202);
    await delivered;
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail.to).toEqual(['erin@example.test']);
    expect(mail.from).toBe('directory@keys.example.test');
    const [head, ...rest] = mail.raw.split(/\r?\n\r?\n/);
    expect(head).toMatch(/^Subject: Cipherpost directory: confirm your key$/m);
    expect(head).toMatch(/^To: erin@example\.test$/m);
    let body = rest.join('\n\n');
    if (/^Content-Transfer-Encoding: base64$/im.test(head!))
      body = Buffer.from(body, 'base64').toString('utf8');
    // Nothing in the raw mail gives the token away.
    expect(mail.raw).not.toMatch(/token=|Cipherpost-Directory-Token/);

    const message = await decryptMessage(dearmor(body), { identities: [erin] });
    expect(message.sender.address).toBe('directory@keys.example.test');
    const token = /^Cipherpost-Directory-Token: (\S+)$/m.exec(message.body.text)![1]!;
    expect(message.body.text).toContain(`${PUBLIC_URL}/verify?token=${token}`);

    const before = await app.inject({ method: 'GET', url: '/v1/keys/erin@example.test' });
    expect(before.statusCode).toBe(404);
    const confirm = await app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } });
    expect(confirm.statusCode).toBe(200);
    const found = await app.inject({ method: 'GET', url: '/v1/keys/erin@example.test' });
    expect(found.statusCode).toBe(200);
    expect(found.json().bundle).toBe(toBase64(erin.bundle.bytes));
  });

  it('a mail that cannot be sent is a 502, and does not use up the hour', async () => {
    const logs: string[] = [];
    const closed = await buildApp({
      config: loadConfig({ PUBLIC_URL, SMTP_URL: 'smtp://127.0.0.1:1', LOG_LEVEL: 'info' }),
      db: db.db,
      purge: false,
      logStream: new Writable({
        write(chunk, _enc, cb) {
          logs.push(String(chunk));
          cb();
        },
      }),
    });
    try {
      const frank = await identityFor('frank@example.test');
      const res = await closed.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(frank) });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toEqual({ error: 'mail could not be sent' });
      expect(logs.join('')).toContain('"msg":"mail not sent"');
      expect(logs.join('')).not.toContain('frank');
      const retry = await app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(frank) });
      expect(retry.statusCode).toBe(202);
    } finally {
      await closed.close();
    }
  });
});
