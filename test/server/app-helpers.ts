/** Builds a directory app for `inject()` tests: SQLite in a temp dir, mail kept in memory, logs captured. */
import { Writable } from 'node:stream';
import { type AppOptions, buildApp, type DirectoryApp } from '../../server/app';
import { type Config, loadConfig } from '../../server/config';
import { type Mail, memoryMailer } from '../../server/services/mailer';
import { dearmor, decryptMessage, type Identity } from '../../src/crypto';
import { sqliteTestDb, type TestDb } from './helpers';

export const PUBLIC_URL = 'https://keys.example.test';
export const CHROME_ORIGIN = `chrome-extension://${'abcdefghijklmnop'.repeat(2)}`;
export const FIREFOX_ORIGIN = 'moz-extension://0f8c8f5e-6f3a-4b8e-9d6a-1c2b3d4e5f60';

export interface TestApp {
  app: DirectoryApp;
  mails: Mail[];
  logs: string[];
  clock: { now: number };
  config: Config;
  close(): Promise<void>;
}

export async function testApp(
  edit: (c: Config) => void = () => {},
  extra: Omit<Partial<AppOptions>, 'db'> & { db?: TestDb } = {},
): Promise<TestApp> {
  const { db: given, ...rest } = extra;
  const t = given ?? (await sqliteTestDb());
  const mailer = memoryMailer();
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const config = loadConfig({
    PUBLIC_URL,
    CORS_ORIGINS: `${CHROME_ORIGIN},${FIREFOX_ORIGIN}`,
    LOG_LEVEL: 'info',
  });
  edit(config);
  const clock = { now: Date.now() };
  const app = await buildApp({
    config,
    db: t.db,
    mailer,
    now: () => clock.now,
    logStream,
    purge: false,
    ...rest,
  });
  await app.ready();
  return {
    app,
    mails: mailer.sent,
    logs,
    clock,
    config,
    async close() {
      await app.close();
      await t.cleanup();
    },
  };
}

/** The token in a verification mail, read the way the extension reads it: decrypt with the identity. */
export async function tokenFromEncryptedMail(mail: Mail, identity: Identity): Promise<string> {
  const message = await decryptMessage(dearmor(mail.text), { identities: [identity] });
  const match = /^Cipherpost-Directory-Token: ([A-Za-z0-9_-]{43})$/m.exec(message.body.text);
  if (!match) throw new Error('no token in the mail');
  return match[1]!;
}

export function tokenFromPlainMail(mail: Mail): string {
  const match = /^Cipherpost-Directory-Token: ([A-Za-z0-9_-]{43})$/m.exec(mail.text);
  if (!match) throw new Error('no token in the mail');
  return match[1]!;
}

export function publishBody(identity: Identity, address = identity.bundle.addresses[0]!) {
  return { address, bundle: Buffer.from(identity.bundle.bytes).toString('base64') };
}
