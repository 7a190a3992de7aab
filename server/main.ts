/**
 * Starts the key directory from the environment (docs/directory.md
 * §Deployment): `PORT` (8787), `HOST` (127.0.0.1), `DATA_DIR` (./data, the
 * SQLite file), `DATABASE_URL` (PostgreSQL instead), `REDIS_URL` (shared rate
 * limits), `SMTP_URL` (else the link is logged), `PUBLIC_URL`, `CORS_ORIGINS`.
 *
 * SIGTERM/SIGINT: stop accepting, finish the requests in flight, close the
 * database, exit 0. Another signal more than a second later exits at once.
 */
import { buildApp } from './app';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp({ config });
  let closingSince = 0;
  const shutdown = (signal: string) => {
    // Ctrl-C under `npm start` reaches us twice (the terminal's process group, and
    // start.mjs forwarding it): only a signal a second later means "now".
    if (closingSince) {
      if (Date.now() - closingSince > 1000) process.exit(1);
      return;
    }
    closingSince = Date.now();
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown took too long');
      process.exit(1);
    }, 10_000).unref();
    app.close().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      (err: Error) => {
        app.log.error({ err: { message: err.message } }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await app.listen({ host: config.host, port: config.port });
  if (!config.smtpUrl)
    app.log.warn('SMTP_URL is not set: confirmation links are logged, not mailed (development)');
  if (!process.env.CORS_ORIGINS)
    app.log.info('CORS_ORIGINS is not set: any extension origin may call, no web page');
  app.log.info(
    { storage: config.databaseUrl ? 'postgres' : 'sqlite', redis: Boolean(config.redisUrl) },
    `key directory listening on ${config.publicUrl}`,
  );
  // The extension checks every answer against this key, which the user pastes into
  // its settings: it must come from the operator, never from the directory's answers.
  const log = app.transparencyLog;
  const key = log ? Buffer.from(log.publicKey).toString('base64') : '(no transparency log configured)';
  console.log(
    `\nKey directory for Cipherpost: ${config.publicUrl}\n` +
      `Its tree-head key (Options → Settings → "Key directory's public key"):\n  ${key}\n`,
  );
}

main().catch((err: Error) => {
  console.error(`key directory failed to start: ${err.message}`);
  process.exit(1);
});
