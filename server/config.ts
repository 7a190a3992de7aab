/**
 * The directory's configuration, from the environment (docs/directory.md
 * §Deployment). Parsing refuses what would be unsafe rather than guessing.
 */
import { resolve } from 'node:path';

export interface RateLimit {
  max: number;
  /** Milliseconds. */
  timeWindow: number;
}

export interface Config {
  host: string;
  port: number;
  /** Where links in mails point, without a trailing slash. */
  publicUrl: string;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** Prefix of the rate-limit keys in Redis (several directories may share one Redis). */
  redisNamespace: string;
  smtpUrl?: string;
  /** From: of directory mail, also the address the server's signing identity binds. */
  mailFrom: string;
  /** Extension origins allowed by CORS (exact, or a browser's wildcard). */
  corsOrigins: string[];
  /** 32-byte HMAC secret; when absent, one is created in the database and shared. */
  secret?: Uint8Array;
  trustProxy: boolean;
  /** Log client IPs (off by default: docs/directory.md §Privacy). */
  logClientIps: boolean;
  logLevel: string;
  bodyLimit: number;
  limits: {
    /** Per client, address and fingerprint lookups together. */
    lookup: RateLimit;
    /** Per client, requests that send mail (publish, email revocation). */
    mail: RateLimit;
    /** Per client, token confirmations and signed revocations. */
    confirm: RateLimit;
    /** Per address: one verification mail per this window. */
    perAddressMailWindow: number;
  };
  /** Periodic purge, milliseconds. */
  purgeInterval: number;
}

const CHROME_ORIGIN = /^chrome-extension:\/\/[a-p]{32}$/;
const FIREFOX_ORIGIN = /^moz-extension:\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ANY_CHROME = 'chrome-extension://*';
const ANY_FIREFOX = 'moz-extension://*';

/**
 * Extension origins only: exact `chrome-extension://<32 letters a–p>` and
 * `moz-extension://<uuid>`, or `chrome-extension://*` / `moz-extension://*` for
 * any extension of that browser (Firefox gives every installation its own
 * UUID, and an unpacked Chrome extension's ID depends on its path). Unset: both
 * wildcards — extensions yes, web pages never (docs/directory.md §Privacy).
 */
export function parseCorsOrigins(value: string | undefined): string[] {
  if (value === undefined || !value.trim()) return [ANY_CHROME, ANY_FIREFOX];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((origin) => {
      if (
        ![ANY_CHROME, ANY_FIREFOX].includes(origin) &&
        !CHROME_ORIGIN.test(origin) &&
        !FIREFOX_ORIGIN.test(origin)
      ) {
        throw new Error(`CORS_ORIGINS: not an extension origin: ${origin}`);
      }
      return origin;
    });
}

/** Whether CORS lets `origin` read answers, under the parsed list. */
export function corsAllows(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return false;
  if (allowed.includes(origin)) return true;
  return (
    (allowed.includes(ANY_CHROME) && CHROME_ORIGIN.test(origin)) ||
    (allowed.includes(ANY_FIREFOX) && FIREFOX_ORIGIN.test(origin))
  );
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}: expected a non-negative integer`);
  return n;
}

export const defaultLimits: Config['limits'] = {
  lookup: { max: 60, timeWindow: 60_000 },
  mail: { max: 5, timeWindow: 3600_000 },
  confirm: { max: 30, timeWindow: 60_000 },
  perAddressMailWindow: 3600_000,
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 8787);
  if (port > 65535) throw new Error('PORT: out of range');
  const host = env.HOST || '127.0.0.1';
  const publicUrl = (env.PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(
    /\/+$/,
    '',
  );
  const parsed = new URL(publicUrl);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new Error('PUBLIC_URL: http(s) only');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new Error('DATABASE_URL: postgres:// only');
  let secret: Uint8Array | undefined;
  if (env.SERVER_SECRET) {
    if (!/^[0-9a-fA-F]{64}$/.test(env.SERVER_SECRET)) throw new Error('SERVER_SECRET: 64 hex digits');
    secret = Uint8Array.from(Buffer.from(env.SERVER_SECRET, 'hex'));
  }
  return {
    host,
    port,
    publicUrl,
    dataDir: resolve(env.DATA_DIR || './data'),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    redisNamespace: env.REDIS_NAMESPACE || 'cipherpost-directory',
    ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
    mailFrom:
      env.MAIL_FROM ||
      `directory@${parsed.hostname.includes('.') ? parsed.hostname : 'cipherpost.localhost'}`,
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS),
    ...(secret ? { secret } : {}),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    logClientIps: env.LOG_CLIENT_IPS === '1' || env.LOG_CLIENT_IPS === 'true',
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimit: int(env, 'BODY_LIMIT', 16 * 1024),
    limits: {
      lookup: { max: int(env, 'RATE_LOOKUP_MAX', 60), timeWindow: int(env, 'RATE_LOOKUP_WINDOW_MS', 60_000) },
      mail: { max: int(env, 'RATE_MAIL_MAX', 5), timeWindow: int(env, 'RATE_MAIL_WINDOW_MS', 3600_000) },
      confirm: {
        max: int(env, 'RATE_CONFIRM_MAX', 30),
        timeWindow: int(env, 'RATE_CONFIRM_WINDOW_MS', 60_000),
      },
      perAddressMailWindow: int(env, 'MAIL_PER_ADDRESS_WINDOW_MS', 3600_000),
    },
    purgeInterval: int(env, 'PURGE_INTERVAL_MS', 3600_000),
  };
}
