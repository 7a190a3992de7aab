/**
 * A directory for client tests: the real transparency log (createLog over an
 * in-memory store) behind the documented HTTP API (docs/transparency.md),
 * served through an injected `fetch` or on loopback. Every answer passes
 * through `tamper`, so a test can make the directory lie in any way.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLog, LogRequestError, type TransparencyLog } from '../../server/transparency/log';
import { generateLogSecrets, type LogSecrets } from '../../server/transparency/secrets';
import { normalizeAddress } from '../../src/crypto/address';
import type { PublicKeyBundle } from '../../src/crypto/key-bundle';
import type { AddressPin, DirectoryClientStore, FetchLike } from '../../src/directory-client/client';
import { toBase64 } from '../../src/directory-client/wire';
import { MemoryLeafStore } from '../transparency/memory-leaf-store';

export interface Route {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}
export type Tamper = (
  route: Route,
  answer: { status: number; body: unknown },
) => { status: number; body: unknown };

export class FakeDirectory {
  readonly bindings = new Map<string, { bundle: Uint8Array; leafIndex: number }>();
  tamper: Tamper | undefined;
  /** Every request, for assertions. */
  readonly requests: Route[] = [];

  private constructor(
    readonly store: MemoryLeafStore,
    readonly log: TransparencyLog,
    readonly secrets: LogSecrets,
  ) {}

  static async create(secrets: LogSecrets = generateLogSecrets()): Promise<FakeDirectory> {
    const store = new MemoryLeafStore();
    return new FakeDirectory(store, await createLog(store, secrets), secrets);
  }

  /**
   * A fork: a second directory with the same key and the first `atSize`
   * leaves (and the bindings among them) of this one, free to diverge after.
   */
  async forkAt(atSize: number): Promise<FakeDirectory> {
    const store = new MemoryLeafStore();
    store.committed.push(...this.store.committed.slice(0, atSize));
    const fork = new FakeDirectory(store, await createLog(store, this.secrets), this.secrets);
    for (const [a, b] of this.bindings) if (b.leafIndex < atSize) fork.bindings.set(a, b);
    return fork;
  }

  get publicKey(): Uint8Array {
    return this.log.publicKey;
  }

  /** Logs and serves `bundle` for each of its addresses (the directory's publish, minus email confirmation). */
  async publish(bundle: PublicKeyBundle, addresses: readonly string[] = bundle.addresses): Promise<void> {
    const tx = this.store.transaction();
    const indices: [string, number][] = [];
    for (const address of addresses) {
      const leaf = await this.log.append(tx, { address, fingerprint: bundle.fingerprint, action: 'publish' });
      indices.push([normalizeAddress(address), leaf.index]);
    }
    tx.commit();
    await this.log.sync();
    for (const [a, leafIndex] of indices) this.bindings.set(a, { bundle: bundle.bytes, leafIndex });
  }

  async revoke(address: string, bundle: PublicKeyBundle): Promise<void> {
    const tx = this.store.transaction();
    await this.log.append(tx, { address, fingerprint: bundle.fingerprint, action: 'revoke' });
    tx.commit();
    await this.log.sync();
    this.bindings.delete(normalizeAddress(address));
  }

  /** Appends leaves of unrelated addresses, as other users' activity. */
  async noise(count: number, tag = 'noise'): Promise<void> {
    const tx = this.store.transaction();
    for (let i = 0; i < count; i++) {
      await this.log.append(tx, {
        address: `${tag}${i}@example.net`,
        fingerprint: new Uint8Array(32).fill(i),
        action: 'publish',
      });
    }
    tx.commit();
    await this.log.sync();
  }

  async handle(route: Route): Promise<{ status: number; body: unknown }> {
    this.requests.push(route);
    const answer = await this.answer(route).catch((e) => {
      if (e instanceof LogRequestError) return { status: e.status, body: { error: e.message } };
      throw e;
    });
    return this.tamper ? this.tamper(route, answer) : answer;
  }

  private async answer({ method, path, query, body }: Route): Promise<{ status: number; body: unknown }> {
    const num = (name: string) => Number(query.get(name) ?? '0');
    if (method === 'GET' && path === '/v1/log/head')
      return { status: 200, body: await this.log.headResponse() };
    if (method === 'GET' && path === '/v1/log/consistency') {
      return { status: 200, body: this.log.consistencyResponse(num('first'), num('second')) };
    }
    if (method === 'GET' && path === '/v1/log/inclusion') {
      return { status: 200, body: this.log.inclusionResponse(num('index'), num('size')) };
    }
    if (method === 'POST' && path === '/v1/log/history') {
      const { address, known } = body as { address: string; known: number };
      return { status: 200, body: await this.log.historyResponse(address, known) };
    }
    const m = /^\/v1\/keys\/([^/]+)$/.exec(path);
    if (method === 'GET' && m) {
      const binding = this.bindings.get(normalizeAddress(decodeURIComponent(m[1]!)));
      if (!binding) return { status: 404, body: { error: 'not found' } };
      return {
        status: 200,
        body: {
          bundle: toBase64(binding.bundle),
          transparency: await this.log.lookupTransparency(binding.leafIndex, num('known')),
        },
      };
    }
    return { status: 404, body: { error: 'no route' } };
  }

  /** An injected `fetch` that calls the directory directly. */
  readonly fetch: FetchLike = async (url, init) => {
    const u = new URL(url);
    const route: Route = {
      method: init?.method ?? 'GET',
      path: u.pathname,
      query: u.searchParams,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    const { status, body } = await this.handle(route);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };

  /** Serves the same API on a loopback port; returns the base URL and a closer. */
  async listen(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
    const server: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url ?? '/', 'http://localhost');
      const { status, body } = await this.handle({
        method: req.method ?? 'GET',
        path: u.pathname,
        query: u.searchParams,
        body: text ? JSON.parse(text) : undefined,
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
    };
  }
}

/** The client's store, in memory. */
export class MemoryClientStore implements DirectoryClientStore {
  head: Uint8Array | undefined;
  readonly pins = new Map<string, AddressPin>();
  async loadTreeHead() {
    return this.head;
  }
  async saveTreeHead(sth: Uint8Array) {
    this.head = sth.slice();
  }
  async loadAddress(address: string) {
    return this.pins.get(address);
  }
  async saveAddress(address: string, pin: AddressPin) {
    this.pins.set(address, pin);
  }
}
