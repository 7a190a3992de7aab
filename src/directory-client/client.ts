/**
 * The directory client: looks up an address's key bundle and accepts it only
 * when the directory has proven that the binding is in its append-only,
 * signed transparency log, and that the log is an extension of every log the
 * client saw before (docs/transparency.md §Client checks).
 *
 * On every lookup, in order:
 *   1. the bundle parses and its self-signature verifies (`parseKeyBundle`);
 *   2. it binds the requested address;
 *   3. the tree head is signed by the configured directory key, for this log;
 *   4. the leaf names this bundle's fingerprint as a publish, and its inclusion
 *      proof leads to the signed root (RFC 9162 §2.1.3.2);
 *   5. the new tree head extends the last one seen (RFC 9162 §2.1.4.2), which
 *      is then replaced: a smaller tree or another root at the same size is
 *      `forked`, a failed consistency proof `inconsistent`;
 *   6. the address's keyed hash is the one seen before, and its binding did not
 *      go back to an older leaf (`inconsistent`).
 * Only then `{bundle, verified: true}`. Any failure is a `DirectoryError`.
 *
 * Pure code over an injected `fetch` and store: no extension APIs.
 */
import { normalizeAddress } from '../crypto/address';
import { equalBytes } from '../crypto/bytes';
import { CryptoError } from '../crypto/errors';
import { bundleHasAddress, type PublicKeyBundle, parseKeyBundle } from '../crypto/key-bundle';
import { DirectoryError } from './errors';
import { decodeLeaf, type LogLeaf, type TreeHead, verifyTreeHead } from './log-format';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle';
import { expectObject, expectSize, fromBase64, hashListFromBase64 } from './wire';

/** What the client remembers between lookups (the extension keeps it in the keyring). */
export interface DirectoryClientStore {
  /** The last signed tree head this client verified (145 bytes), if any. */
  loadTreeHead(): Promise<Uint8Array | undefined>;
  saveTreeHead(sth: Uint8Array): Promise<void>;
  /** What the client last verified for a (normalised) address. */
  loadAddress(address: string): Promise<AddressPin | undefined>;
  saveAddress(address: string, pin: AddressPin): Promise<void>;
}

export interface AddressPin {
  /** The directory's keyed hash of the address, as seen in its leaves. */
  readonly addressHash: Uint8Array;
  /** The leaf of the newest binding verified for the address. */
  readonly leafIndex: number;
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface DirectoryClientOptions {
  /** The directory's base URL, e.g. `https://keys.example.org` (no trailing slash needed). */
  baseUrl: string;
  /** The directory's Ed25519 tree-head key (32 bytes), configured in the extension. */
  publicKey: Uint8Array;
  store: DirectoryClientStore;
  fetch?: FetchLike;
  /** Per request (default 15 s). */
  timeoutMs?: number;
}

export interface LookupResult {
  readonly bundle: PublicKeyBundle;
  /** Always true: an unverified answer is an error, never a result. */
  readonly verified: true;
  readonly leafIndex: number;
  readonly treeHead: TreeHead;
}

export interface MonitoredEntry {
  readonly leafIndex: number;
  readonly fingerprint: Uint8Array;
  readonly action: LogLeaf['action'];
  readonly timestamp: number;
}

export interface MonitorReport {
  readonly address: string;
  readonly treeHead: TreeHead;
  /** Every logged change of the address's binding, oldest first, each proven included. */
  readonly entries: readonly MonitoredEntry[];
  /** Publications of keys the owner never published: the alarm. */
  readonly unexpected: readonly MonitoredEntry[];
  /** Fingerprints the owner published that the log does not show as published. */
  readonly missing: readonly Uint8Array[];
  /** The fingerprint a lookup of the address returns now (undefined: not found). */
  readonly current: Uint8Array | undefined;
  /** True when the directory binds, or has bound, the address to a key the owner did not publish. */
  readonly alarm: boolean;
}

export interface DirectoryClient {
  lookup(address: string): Promise<LookupResult>;
  /**
   * Checks the log's history of the owner's own address against the
   * fingerprints they published, and cross-checks it with a lookup.
   */
  monitorOwnAddress(address: string, publishedFingerprints: readonly Uint8Array[]): Promise<MonitorReport>;
  /** Fetches, verifies and advances to the directory's latest tree head. */
  refreshTreeHead(): Promise<TreeHead>;
}

const MAX_RESPONSE_CHARS = 4 * 1024 * 1024;

export function createDirectoryClient(options: DirectoryClientOptions): DirectoryClient {
  const { publicKey, store } = options;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new CryptoError('invalid-input', 'directory client: publicKey must be 32 bytes');
  }
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = options.timeoutMs ?? 15_000;

  // Tree-head checks and updates run one at a time, so two answers can never
  // each be checked against the same old head and then overwrite each other.
  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  async function request(path: string, init?: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        ...init,
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          accept: 'application/json',
          ...(init?.body ? { 'content-type': 'application/json' } : {}),
        },
      });
    } catch {
      throw new DirectoryError('unreachable', 'directory: no answer');
    }
    if (response.status === 404) throw new DirectoryError('not-found', 'directory: no key for this address');
    if (response.status === 429) throw new DirectoryError('rate-limited', 'directory: too many requests');
    if (response.status >= 500)
      throw new DirectoryError('unreachable', `directory: server error ${response.status}`);
    if (response.status !== 200)
      throw new DirectoryError('malformed', `directory: unexpected status ${response.status}`);
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw new DirectoryError('unreachable', 'directory: answer cut off');
    }
    if (text.length > MAX_RESPONSE_CHARS)
      throw new DirectoryError('malformed', 'directory: answer too large');
    try {
      return JSON.parse(text);
    } catch {
      throw new DirectoryError('malformed', 'directory: answer is not JSON');
    }
  }

  async function storedHead(): Promise<TreeHead | undefined> {
    const bytes = await store.loadTreeHead();
    // The store holds only heads we verified; checking again costs one signature verification.
    return bytes ? verifyTreeHead(bytes, publicKey) : undefined;
  }

  async function fetchConsistency(first: number, second: number): Promise<Uint8Array[]> {
    const body = expectObject(
      await request(`/v1/log/consistency?first=${first}&second=${second}`),
      'consistency',
      ['first', 'second', 'proof'],
    );
    if (expectSize(body.first, 'first') !== first || expectSize(body.second, 'second') !== second) {
      throw new DirectoryError('malformed', 'consistency: answer for other sizes');
    }
    return hashListFromBase64(body.proof, 'consistency proof');
  }

  /**
   * Step 5: accept `next` only if it extends the stored head; then store it.
   * `proof` is the consistency proof the answer carried, from tree size `from`.
   * Runs inside `exclusive`.
   */
  async function advanceTo(next: TreeHead, proof: Uint8Array[], from: number): Promise<void> {
    const current = await storedHead();
    if (!current) {
      await store.saveTreeHead(next.bytes);
      return;
    }
    const evidence = [current.bytes, next.bytes];
    if (next.treeSize < current.treeSize) {
      throw new DirectoryError(
        'forked',
        `directory: tree of ${next.treeSize} leaves after one of ${current.treeSize}`,
        evidence,
      );
    }
    if (next.treeSize === current.treeSize) {
      if (!equalBytes(next.rootHash, current.rootHash)) {
        throw new DirectoryError('forked', 'directory: two roots for one tree size', evidence);
      }
      return;
    }
    // Another lookup may have advanced the head since this request was sent.
    const consistency =
      from === current.treeSize ? proof : await fetchConsistency(current.treeSize, next.treeSize);
    if (!verifyConsistency(current.treeSize, next.treeSize, current.rootHash, next.rootHash, consistency)) {
      throw new DirectoryError(
        'inconsistent',
        `directory: tree of ${next.treeSize} leaves does not extend the one of ${current.treeSize}`,
        evidence,
      );
    }
    await store.saveTreeHead(next.bytes);
  }

  /** Step 6 for a verified leaf of `address`: same address hash as before, never an older binding. */
  async function checkPin(address: string, pin: AddressPin, requireNewer: boolean): Promise<void> {
    const previous = await store.loadAddress(address);
    if (!previous) return;
    if (!equalBytes(previous.addressHash, pin.addressHash)) {
      throw new DirectoryError('inconsistent', 'directory: the address’s log identity changed');
    }
    if (requireNewer && pin.leafIndex < previous.leafIndex) {
      throw new DirectoryError('inconsistent', 'directory: answered with an older binding than before');
    }
  }

  async function parseBundle(bytes: Uint8Array): Promise<PublicKeyBundle> {
    try {
      return await parseKeyBundle(bytes);
    } catch (e) {
      if (e instanceof CryptoError && e.code === 'unsupported-version') {
        throw new DirectoryError('malformed', `directory: ${e.message}`);
      }
      throw new DirectoryError(
        'bad-signature',
        'directory: the key bundle is invalid or its self-signature fails',
      );
    }
  }

  async function lookup(address: string): Promise<LookupResult> {
    const normalized = normalizeAddress(address);
    const known = (await storedHead())?.treeSize ?? 0;
    const body = expectObject(
      await request(`/v1/keys/${encodeURIComponent(normalized)}?known=${known}`),
      'lookup',
      ['bundle', 'transparency'],
    );
    const t = expectObject(body.transparency, 'transparency', [
      'leafIndex',
      'leaf',
      'sth',
      'inclusion',
      'consistency',
      'consistencyFrom',
    ]);
    // 1–2. The bundle itself.
    const bundle = await parseBundle(fromBase64(body.bundle, 'bundle'));
    if (!bundleHasAddress(bundle, normalized)) {
      throw new DirectoryError('wrong-address', 'directory: the key bundle does not bind this address');
    }
    // 3. The tree head.
    const head = await verifyTreeHead(fromBase64(t.sth, 'sth'), publicKey);
    // 4. The leaf and its inclusion.
    const leafIndex = expectSize(t.leafIndex, 'leafIndex');
    const leafBytes = fromBase64(t.leaf, 'leaf');
    const leaf = decodeLeaf(leafBytes);
    if (leaf.action !== 'publish' || !equalBytes(leaf.fingerprint, bundle.fingerprint)) {
      throw new DirectoryError('bad-proof', 'directory: the log entry is not the publication of this key');
    }
    const inclusion = hashListFromBase64(t.inclusion, 'inclusion proof');
    if (!verifyInclusion(leafHash(leafBytes), leafIndex, head.treeSize, inclusion, head.rootHash)) {
      throw new DirectoryError(
        'bad-proof',
        'directory: the inclusion proof does not lead to the signed root',
      );
    }
    const consistency = hashListFromBase64(t.consistency, 'consistency proof');
    const from = expectSize(t.consistencyFrom, 'consistencyFrom');
    const pin: AddressPin = { addressHash: leaf.addressHash, leafIndex };
    // 5–6, then remember. A fork is reported before what it hides.
    await exclusive(async () => {
      await advanceTo(head, consistency, from);
      await checkPin(normalized, pin, true);
      await store.saveAddress(normalized, pin);
    });
    return Object.freeze({ bundle, verified: true as const, leafIndex, treeHead: head });
  }

  async function refreshTreeHead(): Promise<TreeHead> {
    const body = expectObject(await request('/v1/log/head'), 'head', ['sth']);
    const head = await verifyTreeHead(fromBase64(body.sth, 'sth'), publicKey);
    await exclusive(() => advanceTo(head, [], -1));
    return head;
  }

  async function monitorOwnAddress(
    address: string,
    publishedFingerprints: readonly Uint8Array[],
  ): Promise<MonitorReport> {
    const normalized = normalizeAddress(address);
    const known = (await storedHead())?.treeSize ?? 0;
    const body = expectObject(
      await request('/v1/log/history', {
        method: 'POST',
        body: JSON.stringify({ address: normalized, known }),
      }),
      'history',
      ['addressHash', 'sth', 'entries', 'consistency', 'consistencyFrom'],
    );
    const addressHash = fromBase64(body.addressHash, 'addressHash');
    if (addressHash.length !== 32)
      throw new DirectoryError('malformed', 'history: addressHash is not 32 bytes');
    const head = await verifyTreeHead(fromBase64(body.sth, 'sth'), publicKey);
    if (!Array.isArray(body.entries))
      throw new DirectoryError('malformed', 'history: entries is not an array');
    const entries: MonitoredEntry[] = [];
    let lastIndex = -1;
    for (const [i, raw] of body.entries.entries()) {
      const e = expectObject(raw, `history entry ${i}`, ['leafIndex', 'leaf', 'inclusion']);
      const leafIndex = expectSize(e.leafIndex, 'leafIndex');
      if (leafIndex <= lastIndex) throw new DirectoryError('malformed', 'history: entries out of order');
      lastIndex = leafIndex;
      const leafBytes = fromBase64(e.leaf, 'leaf');
      const leaf = decodeLeaf(leafBytes);
      if (!equalBytes(leaf.addressHash, addressHash)) {
        throw new DirectoryError('bad-proof', 'history: an entry of another address');
      }
      const inclusion = hashListFromBase64(e.inclusion, 'inclusion proof');
      if (!verifyInclusion(leafHash(leafBytes), leafIndex, head.treeSize, inclusion, head.rootHash)) {
        throw new DirectoryError('bad-proof', `history: entry ${leafIndex} is not in the signed tree`);
      }
      entries.push(
        Object.freeze({
          leafIndex,
          fingerprint: leaf.fingerprint,
          action: leaf.action,
          timestamp: leaf.timestamp,
        }),
      );
    }
    const consistency = hashListFromBase64(body.consistency, 'consistency proof');
    const from = expectSize(body.consistencyFrom, 'consistencyFrom');
    await exclusive(async () => {
      await advanceTo(head, consistency, from);
      await checkPin(normalized, { addressHash, leafIndex: lastIndex }, false);
      const previous = await store.loadAddress(normalized);
      if (!previous) await store.saveAddress(normalized, { addressHash, leafIndex: Math.max(lastIndex, 0) });
    });

    const isPublished = (fp: Uint8Array) => publishedFingerprints.some((p) => equalBytes(p, fp));
    const unexpected = entries.filter((e) => e.action === 'publish' && !isPublished(e.fingerprint));
    const missing = publishedFingerprints.filter(
      (p) => !entries.some((e) => e.action === 'publish' && equalBytes(e.fingerprint, p)),
    );

    // Cross-check: what everyone (as far as we can see) gets for the address
    // must be one of the history's entries, under the same address hash.
    let current: Uint8Array | undefined;
    try {
      const found = await lookup(normalized);
      if (!entries.some((e) => e.leafIndex === found.leafIndex)) {
        throw new DirectoryError(
          'inconsistent',
          'directory: lookups answer with a leaf the history does not list',
        );
      }
      current = found.bundle.fingerprint;
    } catch (e) {
      if (!(e instanceof DirectoryError && e.code === 'not-found')) throw e;
    }
    const alarm = unexpected.length > 0 || (current !== undefined && !isPublished(current));
    return Object.freeze({
      address: normalized,
      treeHead: head,
      entries,
      unexpected,
      missing,
      current,
      alarm,
    });
  }

  return { lookup, monitorOwnAddress, refreshTreeHead };
}
