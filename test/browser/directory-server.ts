/**
 * The real key directory, in-process on a free loopback port, for browser
 * tests (test/browser/directory.test.ts, webmail.test.ts). Every request is
 * recorded, so tests can check what the extension sent (CORS, origins).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type DirectoryApp } from '../../server/app';
import { loadConfig } from '../../server/config';

/** A request the directory received: what CORS decisions depend on. */
export interface Seen {
  method: string;
  path: string;
  host: string | undefined;
  origin: string | undefined;
}

export interface Directory {
  app: DirectoryApp;
  /** Every request so far (recorded by an `onRequest` hook). */
  requests: Seen[];
  /** `http://127.0.0.1:<port>`, also its PUBLIC_URL (the links in the mails). */
  origin: string;
  /** Base64 of the tree-head key, as `npm start` prints it for the user. */
  treeHeadKey: string;
  close(): Promise<void>;
}

/** A free loopback port (PUBLIC_URL must name it before the app is built). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts the directory with a fresh SQLite data dir; `env` adds settings (SMTP_URL, MAIL_FROM, …). */
export async function startDirectory(env: Record<string, string>): Promise<Directory> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cipherpost-directory-e2e-'));
  // The probed port could be taken before we listen (the machine is shared): try again.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const app = await buildApp({
      config: loadConfig({
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: origin,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        ...env,
      }),
    });
    const requests: Seen[] = [];
    app.addHook('onRequest', async (req) => {
      requests.push({
        method: req.method,
        path: req.url.replace(/\?.*/, ''),
        host: req.headers.host,
        origin: req.headers.origin,
      });
    });
    try {
      await app.listen({ host: '127.0.0.1', port });
    } catch (error) {
      await app.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 3) continue;
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
    const log = app.transparencyLog;
    if (!log) throw new Error('the directory has no transparency log');
    return {
      app,
      requests,
      origin,
      treeHeadKey: Buffer.from(log.publicKey).toString('base64'),
      async close() {
        await app.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
}
