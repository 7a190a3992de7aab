/**
 * The transparency routes through Fastify's inject(): schemas for requests and
 * answers, errors as 400s, and the directory client reading them end to end.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createLog, type TransparencyLog } from '../../server/transparency/log';
import { transparencyRoutes } from '../../server/transparency/routes';
import { generateLogSecrets } from '../../server/transparency/secrets';
import { openIdentity } from '../../src/crypto';
import { equalBytes } from '../../src/crypto/bytes';
import { sha256 } from '../../src/crypto/hash';
import { createDirectoryClient, type FetchLike } from '../../src/directory-client/client';
import { verifyTreeHead } from '../../src/directory-client/log-format';
import { fromBase64, toBase64 } from '../../src/directory-client/wire';
import { MemoryClientStore } from '../directory-client/fake-directory';
import { MemoryLeafStore } from './memory-leaf-store';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setup() {
  const store = new MemoryLeafStore();
  const log = await createLog(store, generateLogSecrets(), { syncIntervalMs: 0 });
  const alice = await openIdentity(sha256(new TextEncoder().encode('routes alice')), {
    addresses: ['alice@example.org'],
    created: 1_767_225_600,
  });
  const add = async (address: string, fingerprint: Uint8Array) => {
    const tx = store.transaction();
    const leaf = await log.append(tx, { address, fingerprint, action: 'publish' });
    tx.commit();
    return leaf.index;
  };
  for (let i = 0; i < 5; i++) await add(`n${i}@example.net`, new Uint8Array(32).fill(i));
  const aliceIndex = await add('alice@example.org', alice.bundle.fingerprint);
  // Not synced on purpose: the routes must sync.
  app = Fastify();
  await app.register(transparencyRoutes, { log });
  // A stand-in for the core's lookup route.
  app.get<{ Params: { address: string }; Querystring: { known?: string } }>(
    '/v1/keys/:address',
    async (req) => ({
      bundle: toBase64(alice.bundle.bytes),
      transparency: await log.lookupTransparency(aliceIndex, Number(req.query.known ?? 0)),
    }),
  );
  await app.ready();
  const fetch: FetchLike = async (url, init) => {
    const u = new URL(url);
    const res = await app!.inject({
      method: (init?.method ?? 'GET') as 'GET' | 'POST',
      url: u.pathname + u.search,
      payload: init?.body as string | undefined,
      headers: init?.body ? { 'content-type': 'application/json' } : {},
    });
    return new Response(res.body, { status: res.statusCode });
  };
  return { log: log as TransparencyLog, alice, fetch, app, add };
}

describe('transparency routes', () => {
  it('serve the head, proofs and history in the documented shapes', async () => {
    const { log, app } = await setup();
    const head = await app.inject({ method: 'GET', url: '/v1/log/head' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['cache-control']).toBe('no-store');
    const sth = await verifyTreeHead(fromBase64(head.json().sth, 'sth'), log.publicKey);
    expect(sth.treeSize).toBe(6);
    const inc = await app.inject({ method: 'GET', url: '/v1/log/inclusion?index=2&size=6' });
    expect(Object.keys(inc.json()).sort()).toEqual(['index', 'leaf', 'proof', 'treeSize']);
    const con = await app.inject({ method: 'GET', url: '/v1/log/consistency?first=3&second=6' });
    expect(con.json().proof.length).toBeGreaterThan(0);
    const hist = await app.inject({
      method: 'POST',
      url: '/v1/log/history',
      payload: { address: 'alice@example.org', known: 0 },
    });
    expect(hist.json().entries.map((e: { leafIndex: number }) => e.leafIndex)).toEqual([5]);
  });

  it('refuses bad requests with 400s', async () => {
    const { app } = await setup();
    for (const url of [
      '/v1/log/inclusion?index=6&size=6',
      '/v1/log/inclusion?index=0&size=7',
      '/v1/log/inclusion?index=-1&size=6',
      '/v1/log/inclusion?index=0',
      '/v1/log/consistency?first=7&second=6',
      '/v1/log/consistency?first=1&second=99',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(Object.keys(res.json())).toEqual(['error']);
    }
    for (const payload of [
      { address: 'not an address', known: 0 },
      { address: 'a@b.c' },
      { address: 'a@b.c', known: -1 },
    ]) {
      const res = await app.inject({ method: 'POST', url: '/v1/log/history', payload });
      expect(res.statusCode).toBe(400);
    }
  });

  it('the directory client verifies lookups, heads and monitoring through them', async () => {
    const { log, alice, fetch, add } = await setup();
    const client = createDirectoryClient({
      baseUrl: 'https://keys.example.org',
      publicKey: log.publicKey,
      store: new MemoryClientStore(),
      fetch,
    });
    expect((await client.refreshTreeHead()).treeSize).toBe(6);
    await add('bob@example.org', new Uint8Array(32).fill(0xbb));
    const found = await client.lookup('alice@example.org');
    expect(found.treeHead.treeSize).toBe(7);
    const report = await client.monitorOwnAddress('alice@example.org', [alice.bundle.fingerprint]);
    expect(report.alarm).toBe(false);
    expect(equalBytes(report.current!, alice.bundle.fingerprint)).toBe(true);
  });
});
