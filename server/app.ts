/**
 * The key directory as a Fastify app (docs/directory.md), assembled in a fixed
 * order like fastify/demo:
 *
 *   1. storage, secrets, the log writer and the mailer (opened or injected)
 *   2. external plugins: helmet, CORS, rate limit
 *   3. app plugins: body parsers, the one error handler, graceful close, the one 404, the purge job
 *   4. routes: keys (publish, lookups), the transparency log (server/transparency),
 *      confirmation pages, revocation, health
 *
 * `main.ts` builds it from the environment; the tests build it with injected
 * storage, mailer and clock and call it through `inject()`.
 */
import { createHmac } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Redis } from 'ioredis';
import { fromHex, toHex } from '../src/crypto/bytes';
import { type Config, corsAllows } from './config';
import type { Db } from './db/db';
import { migrate } from './db/migrate';
import { openDatabase } from './db/open';
import { sqlLeafStore } from './log/leaf-store';
import { basicLogWriter, type LogWriter } from './log/log-writer';
import { errorHandler } from './plugins/error-handler';
import { formBody } from './plugins/form-body';
import { gracefulClose } from './plugins/graceful-close';
import { loggerOptions } from './plugins/logging';
import { purgeJob } from './plugins/purge-job';
import { MemoryRateStore, RedisRateStore } from './plugins/rate-stores';
import { DirectoryRepository } from './repositories/directory-repository';
import { confirmRoutes } from './routes/confirm';
import { healthRoutes } from './routes/health';
import { keyRoutes } from './routes/keys';
import { revokeRoutes } from './routes/revoke';
import { DirectoryService } from './services/directory-service';
import { NOT_FOUND_BODY } from './services/http-error';
import { logMailer, type Mailer, smtpMailer } from './services/mailer';
import { serverIdentity } from './services/server-identity';
import { createLog, type TransparencyLog } from './transparency/log';
import { transparencyRoutes } from './transparency/routes';
import { loadOrCreateLogSecretsIn } from './transparency/secrets';

export interface AppOptions {
  config: Config;
  /** Injected storage (tests); otherwise opened from the config and closed with the app. */
  db?: Db;
  mailer?: Mailer;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
  /** Where logs go (tests capture them); default stdout. */
  logStream?: NodeJS.WritableStream;
  /**
   * The transparency log (default: server/transparency `createLog`, secrets in
   * the database). `false` writes the same leaves without a tree or proofs.
   */
  transparency?: boolean;
  /** Run the purge at start and periodically (default true). */
  purge?: boolean;
}

export interface DirectoryApp extends FastifyInstance {
  directory: DirectoryService;
  repository: DirectoryRepository;
  /** Undefined when built with `transparency: false`. */
  transparencyLog: TransparencyLog | undefined;
}

/** A secret kept in one `settings` row (hex), created once by whichever instance starts first. */
function settingsRow(db: Db, name: string) {
  return {
    async read() {
      const row = await db.get<{ value: string }>('SELECT value FROM settings WHERE name = ?', [name]);
      return row ? fromHex(row.value) : undefined;
    },
    async insertIfAbsent(bytes: Uint8Array) {
      await db.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
        name,
        toHex(bytes),
      ]);
    },
  };
}

export async function buildApp(options: AppOptions): Promise<DirectoryApp> {
  const { config } = options;
  const now = options.now ?? Date.now;

  // 1. Storage, secrets, log, mail.
  const ownDb = !options.db;
  const db = options.db ?? (await openDatabase(config));
  let redis: Redis | undefined;
  let mailer: Mailer | undefined = options.mailer;
  try {
    await migrate(db);
    const secret = await DirectoryRepository.loadSecret(db, config.secret, () =>
      crypto.getRandomValues(new Uint8Array(32)),
    );
    const committed = sqlLeafStore(db);
    const transparencyLog =
      options.transparency === false
        ? undefined
        : await createLog(
            committed,
            await loadOrCreateLogSecretsIn(settingsRow(db, 'transparency-secrets')),
            {
              now,
            },
          );
    const logWriter: LogWriter = transparencyLog ?? basicLogWriter(secret, () => committed.size());
    const repository = new DirectoryRepository(db, secret, logWriter);

    const app = Fastify({
      logger: loggerOptions(config, options.logStream),
      bodyLimit: config.bodyLimit,
      trustProxy: config.trustProxy,
      return503OnClosing: true,
      forceCloseConnections: 'idle',
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
      routerOptions: { maxParamLength: 1024 },
    } satisfies FastifyServerOptions) as unknown as DirectoryApp;

    mailer ??= config.smtpUrl ? smtpMailer(config.smtpUrl) : logMailer(app.log);
    const identity = await serverIdentity(secret, config.mailFrom);
    const directory = new DirectoryService({
      repo: repository,
      mailer,
      identity,
      mailFrom: config.mailFrom,
      publicUrl: config.publicUrl,
      perAddressMailWindow: config.limits.perAddressMailWindow,
      now,
      // SMTP errors quote recipients: log the codes only.
      onMailError: (err) => {
        const e = err as Error & { code?: string; responseCode?: number };
        app.log.error({ err: { code: e.code, responseCode: e.responseCode } }, 'mail not sent');
      },
    });
    app.decorate('directory', directory);
    app.decorate('repository', repository);
    app.decorate('transparencyLog', transparencyLog);
    const closeMailer = mailer;
    app.addHook('onClose', async () => {
      await closeMailer.close();
      await redis?.quit().catch(() => undefined);
      if (ownDb) await db.close();
    });

    // 2. External plugins.
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          // Local development runs on http: do not upgrade the confirmation form's POST.
          upgradeInsecureRequests: null,
        },
      },
      strictTransportSecurity: config.publicUrl.startsWith('https:'),
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    });
    await app.register(cors, {
      origin: (origin, cb) => cb(null, corsAllows(origin, config.corsOrigins)),
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type'],
      maxAge: 600,
    });
    if (config.redisUrl) {
      redis = new Redis(config.redisUrl, {
        connectTimeout: 1000,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
      });
      redis.on('error', (err) => app.log.warn({ err: { message: err.message } }, 'redis error'));
    }
    const store = redis ? new RedisRateStore(redis, `${config.redisNamespace}-`) : new MemoryRateStore();
    await app.register(rateLimit, {
      global: false,
      // Our stores keep one key space per group (see rate-stores.ts); the class is how the plugin takes them.
      store: class {
        constructor() {
          // biome-ignore lint/correctness/noConstructorReturn: the plugin instantiates the class we pass
          return store;
        }
      } as never,
      // Fail open if Redis is down: the per-address mail limit lives in the database regardless.
      skipOnError: true,
      // The key is a keyed hash of the client's address (IPv6 by /64): no IP reaches Redis or memory.
      keyGenerator: (req) =>
        createHmac('sha256', secret)
          .update(`rate-limit ${normalizeIp(req.ip)}`)
          .digest('base64url')
          .slice(0, 22),
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `rate limit exceeded, retry in ${ctx.after}`,
      }),
    });

    // 3. App plugins.
    formBody(app);
    errorHandler(app);
    gracefulClose(app);
    app.setNotFoundHandler((_req, reply) => {
      reply.code(404).send(NOT_FOUND_BODY);
    });
    if (options.purge !== false) purgeJob(app, directory, config.purgeInterval);

    // 4. Routes.
    await app.register(keyRoutes, { directory, limits: config.limits, transparency: logWriter });
    if (transparencyLog)
      await app.register(transparencyRoutes, { log: transparencyLog, rateLimit: config.limits.lookup });
    await app.register(confirmRoutes, { directory, limits: config.limits });
    await app.register(revokeRoutes, { directory, limits: config.limits });
    await app.register(healthRoutes);
    return app;
  } catch (e) {
    await redis?.quit().catch(() => undefined);
    if (ownDb) await db.close().catch(() => undefined);
    throw e;
  }
}

/** IPv4-mapped IPv6 to IPv4; IPv6 to its /64, where one subscriber usually lives. */
export function normalizeIp(ip: string): string {
  if (ip.startsWith('::ffff:') && ip.includes('.')) return ip.slice(7);
  if (!ip.includes(':')) return ip;
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}
