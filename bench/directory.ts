/**
 * `npm run bench:directory` (issue #4): lookups per second and p50/p99 latency
 * of the key directory, with proofs, on SQLite and on PostgreSQL.
 *
 * For each backend: seeds N verified bindings through the directory's own
 * publish → encrypted mail → confirm path (buildApp in this process, as the
 * tests build it, on the storage the server will use), then starts the real
 * server (`node --import tsx server/main.ts`) as a separate process on that
 * storage, and runs autocannon on loopback against
 * `GET /v1/keys/{address}?known=N` for random seeded addresses, with a share of
 * misses, as the extension's directory client sends them (it always sends
 * `known`). A sample of answers is then verified with the extension's
 * directory client (src/directory-client) under the directory's tree-head key,
 * so what is measured is real, verifiable answers.
 *
 * Targets (issue #4) are checked here, never in tests: on SQLite at least
 * 3,000 lookups/s with p99 under 25 ms. Exits non-zero on a miss, an error,
 * an unexpected status, or an answer the client does not verify.
 *
 * Options: --quick (fewer addresses, shorter runs), --backend=sqlite|postgres,
 * --addresses=N, --connections=N, --duration=S, --redis (rate limits in Redis
 * at REDIS_URL / TEST_REDIS_URL, as several instances would share them).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../server/db/open';
import type { Identity } from '../src/crypto';
import { equalBytes } from '../src/crypto/bytes';
import { createDirectoryClient } from '../src/directory-client/client';
import { isDirectoryError } from '../src/directory-client/errors';
import { MemoryClientStore } from '../test/directory-client/fake-directory';
import { publishBody, testApp, tokenFromEncryptedMail } from '../test/server/app-helpers';
import { identityFor, POSTGRES_URL, REDIS_URL, uniqueName } from '../test/server/helpers';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const REDIS = args.includes('--redis');
function option(name: string, fallback: number): number {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer`);
  return n;
}
const ADDRESSES = option('addresses', QUICK ? 200 : 2000);
const CONNECTIONS = option('connections', 20);
const DURATION = option('duration', QUICK ? 5 : 15);
const WARMUP = QUICK ? 2 : 3;
const MISS_SHARE = 0.1;
const VERIFY_SAMPLE = QUICK ? 20 : 100;
const BACKENDS = (args.find((a) => a.startsWith('--backend='))?.split('=')[1] ?? 'sqlite,postgres').split(
  ',',
);

const TARGET = { rps: 3000, p99: 25 };

// autocannon ships no types: the part of its API used here.
interface AutocannonRequest {
  method?: string;
  path?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; p97_5: number; average: number; max: number };
  throughput: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}
interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, statusCode: number) => void): void;
}
type Autocannon = ((
  opts: Record<string, unknown>,
  cb: (err: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance) & {
  track: unknown;
};
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function cannon(
  opts: Record<string, unknown>,
): Promise<{ result: AutocannonResult; statuses: Map<number, number> }> {
  return new Promise((resolve, reject) => {
    const statuses = new Map<number, number>();
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve({ result, statuses })));
    instance.on('response', (_client, status) => statuses.set(status, (statuses.get(status) ?? 0) + 1));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Storage for one backend: what the server's environment says, and how to remove it. */
interface Storage {
  name: string;
  env: Record<string, string>;
  dataDir: string;
  databaseUrl?: string;
  cleanup(): Promise<void>;
}

async function sqliteStorage(): Promise<Storage> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'cipherpost-bench-'));
  return {
    name: 'SQLite',
    env: { DATA_DIR: dataDir, DATABASE_URL: '' },
    dataDir,
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A uniquely named database in the `test` cluster, dropped afterwards. */
async function postgresStorage(): Promise<Storage> {
  const name = uniqueName('cpbench').toLowerCase();
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'cipherpost-bench-'));
  return {
    name: 'PostgreSQL',
    env: { DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
    dataDir,
    databaseUrl,
    async cleanup() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Publishes and confirms every identity through the directory's own routes
 * (inject), reading each token the way the extension does: by decrypting the
 * mail. Returns the tree-head public key the server will serve under.
 */
async function seed(storage: Storage, ids: Identity[]): Promise<Uint8Array> {
  const db = await openDatabase({ dataDir: storage.dataDir, databaseUrl: storage.databaseUrl });
  const t = await testApp(
    (c) => {
      c.limits.mail.max = 1e9;
      c.limits.confirm.max = 1e9;
    },
    { db: { db, cleanup: async () => {} } },
  );
  try {
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const res = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(id) });
        if (res.statusCode !== 202) throw new Error(`seed publish: ${res.statusCode} ${res.body}`);
        const address = id.bundle.addresses[0]!;
        const mail = t.mails.find((m) => m.to === address);
        if (!mail) throw new Error(`seed: no mail to ${address}`);
        t.mails.splice(t.mails.indexOf(mail), 1);
        const token = await tokenFromEncryptedMail(mail, id);
        const ok = await t.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } });
        if (ok.statusCode !== 200) throw new Error(`seed confirm: ${ok.statusCode} ${ok.body}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const size = (await t.app.transparencyLog!.treeHead()).treeSize;
    if (size !== ids.length) throw new Error(`seed: log has ${size} leaves, expected ${ids.length}`);
    return t.app.transparencyLog!.publicKey;
  } finally {
    await t.close();
    await db.close();
  }
}

async function startServer(
  storage: Storage,
  port: number,
): Promise<{ child: ChildProcess; stderr: string[] }> {
  const stderr: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...storage.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      REDIS_URL: REDIS ? REDIS_URL : '',
      REDIS_NAMESPACE: uniqueName('cpbench'),
      SMTP_URL: '',
      // The production default: one JSON line per request and answer, to /dev/null here.
      LOG_LEVEL: 'info',
      // Every connection comes from 127.0.0.1, one client to the limiter: raise its budget (the limiter still runs).
      RATE_LOOKUP_MAX: '1000000000',
      RATE_LOOKUP_WINDOW_MS: '60000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (c: Buffer) => stderr.push(String(c)));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr.join('')}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/v1/health`)).ok) return { child, stderr };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

async function stopServer(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

interface Measured {
  backend: string;
  rps: number;
  total: number;
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
  bytesPerSecond: number;
  ok: number;
  notFound: number;
  other: number;
  errors: number;
  verified: number;
  verifyFailures: string[];
  seedSeconds: number;
}

async function runBackend(make: () => Promise<Storage>, ids: Identity[]): Promise<Measured> {
  const storage = await make();
  let child: ChildProcess | undefined;
  try {
    const seedStart = performance.now();
    const publicKey = await seed(storage, ids);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    console.log(`${storage.name}: seeded ${ids.length} verified bindings in ${seedSeconds.toFixed(1)} s`);

    const port = await freePort();
    const server = await startServer(storage, port);
    child = server.child;
    const base = `http://127.0.0.1:${port}`;
    const addresses = ids.map((id) => id.bundle.addresses[0]!);
    const size = ids.length;
    const path = () => {
      const known = Math.floor(Math.random() * (size + 1));
      const address =
        Math.random() < MISS_SHARE
          ? `nobody${Math.floor(Math.random() * 1e9)}@bench.example`
          : addresses[Math.floor(Math.random() * addresses.length)]!;
      return `/v1/keys/${encodeURIComponent(address)}?known=${known}`;
    };
    const load = (duration: number) =>
      cannon({
        url: base,
        connections: CONNECTIONS,
        duration,
        requests: [{ method: 'GET', setupRequest: (req: AutocannonRequest) => ({ ...req, path: path() }) }],
      });

    await load(WARMUP); // JIT, pools, page cache
    const { result, statuses } = await load(DURATION);

    // A sample of answers, verified by the extension's directory client under the tree-head key.
    const client = createDirectoryClient({ baseUrl: base, publicKey, store: new MemoryClientStore() });
    const verifyFailures: string[] = [];
    let verified = 0;
    for (let i = 0; i < VERIFY_SAMPLE; i++) {
      const id = ids[Math.floor(Math.random() * ids.length)]!;
      try {
        const r = await client.lookup(id.bundle.addresses[0]!);
        if (!equalBytes(r.bundle.fingerprint, id.bundle.fingerprint)) throw new Error('wrong key');
        if (r.treeHead.treeSize !== size) throw new Error(`tree size ${r.treeHead.treeSize}`);
        verified++;
      } catch (e) {
        verifyFailures.push(`${id.bundle.addresses[0]}: ${(e as Error).message}`);
      }
    }
    for (let i = 0; i < VERIFY_SAMPLE / 10; i++) {
      try {
        await client.lookup(`nobody${i}@bench.example`);
        verifyFailures.push(`nobody${i}@bench.example: found`);
      } catch (e) {
        if (isDirectoryError(e) && e.code === 'not-found') verified++;
        else verifyFailures.push(`nobody${i}@bench.example: ${(e as Error).message}`);
      }
    }

    const code = await stopServer(child);
    child = undefined;
    if (code !== 0)
      verifyFailures.push(`server exited with ${code}: ${server.stderr.join('').slice(0, 500)}`);
    const ok = statuses.get(200) ?? 0;
    const notFound = statuses.get(404) ?? 0;
    return {
      backend: storage.name + (REDIS ? ' + Redis limits' : ''),
      rps: result.requests.average,
      total: result.requests.total,
      p50: result.latency.p50,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
      bytesPerSecond: result.throughput.average,
      ok,
      notFound,
      other: [...statuses].filter(([s]) => s !== 200 && s !== 404).reduce((n, [, c]) => n + c, 0),
      errors: result.errors + result.timeouts,
      verified,
      verifyFailures,
      seedSeconds,
    };
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await storage.cleanup();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  console.log(`# Cipherpost directory benchmark — ${new Date().toISOString()}`);
  console.log(
    `node ${process.version}, ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    `${ADDRESSES} verified bindings; autocannon: ${CONNECTIONS} connections, ${DURATION} s (after ${WARMUP} s ` +
      `warm-up), ${MISS_SHARE * 100}% misses, every request with ?known=random tree size\n`,
  );

  // One set of identities for both backends (key generation is not what is measured).
  const ids: Identity[] = [];
  for (let i = 0; i < ADDRESSES; i += 50)
    ids.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, ADDRESSES - i) }, (_, j) =>
          identityFor(`user${String(i + j).padStart(6, '0')}@bench.example`),
        ),
      )),
    );

  const results: Measured[] = [];
  for (const backend of BACKENDS) {
    if (backend === 'sqlite') results.push(await runBackend(sqliteStorage, ids));
    else if (backend === 'postgres') results.push(await runBackend(postgresStorage, ids));
    else throw new Error(`--backend: sqlite or postgres, not ${backend}`);
  }

  console.log(
    '\n| backend | lookups/s | p50 | p97.5 | p99 | max | 200 | 404 | other | errors | verified by the client |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results)
    console.log(
      `| ${r.backend} | ${fmt(r.rps)} | ${r.p50} ms | ${r.p97_5} ms | ${r.p99} ms | ${r.max} ms | ${fmt(r.ok)} | ` +
        `${fmt(r.notFound)} | ${r.other} | ${r.errors} | ${r.verified}/${r.verified + r.verifyFailures.length} |`,
    );
  console.log('');
  for (const r of results)
    console.log(
      `${r.backend}: ${fmt(r.total)} lookups, ${(r.bytesPerSecond / 2 ** 20).toFixed(1)} MiB/s of answers, ` +
        `${((r.notFound / Math.max(1, r.ok + r.notFound)) * 100).toFixed(1)}% misses; ` +
        `seeding took ${r.seedSeconds.toFixed(1)} s`,
    );

  let failed = false;
  for (const r of results) {
    for (const f of r.verifyFailures.slice(0, 10)) console.log(`VERIFY FAILED ${r.backend}: ${f}`);
    if (r.verifyFailures.length || r.other || r.errors) {
      console.log(`${r.backend}: FAILED (errors, unexpected statuses or unverified answers)`);
      failed = true;
    }
  }
  const sqlite = results.find((r) => r.backend.startsWith('SQLite'));
  if (sqlite) {
    const rpsMet = sqlite.rps >= TARGET.rps;
    const p99Met = sqlite.p99 < TARGET.p99;
    console.log(
      `\nTarget: SQLite ≥ ${fmt(TARGET.rps)} lookups/s: ${rpsMet ? 'MET' : 'MISSED'} (${fmt(sqlite.rps)})`,
    );
    console.log(`Target: SQLite p99 < ${TARGET.p99} ms: ${p99Met ? 'MET' : 'MISSED'} (${sqlite.p99} ms)`);
    if (!rpsMet || !p99Met) failed = true;
  }
  if (failed) process.exit(1);
}

main().catch((e: Error) => {
  console.error(e);
  process.exit(1);
});
