/**
 * The key-transparency log of the directory: an append-only list of leaves
 * (docs/transparency.md §Log leaf) in the caller's database, mirrored in an
 * in-memory `MerkleTree` so tree heads and proofs never rescan the log.
 *
 * Life cycle, as the server core wires it:
 *
 *   const secrets = await loadOrCreateLogSecrets(dataDir);   // or …In(db)
 *   const log = await createLog(store, secrets);            // loads every leaf once
 *   // publish/revoke, inside the caller's transaction:
 *   const leaf = await log.append(txStore, { address, fingerprint, action: 'publish' });
 *   //   … store leaf.index with the binding, commit …
 *   await log.sync();                                       // after the commit
 *   // routes:
 *   await log.headResponse(); log.lookupTransparency(leafIndex, known); …
 *
 * Leaves committed by other processes (several server processes on one
 * database) show up within `syncIntervalMs`: answers sync first when the last
 * sync is older than that (one `size()` query when nothing changed).
 */
import { equalBytes } from '../../src/crypto/bytes';
import {
  decodeLeaf,
  decodeTreeHead,
  encodeLeaf,
  LEAF_LENGTH,
  type LogAction,
  type TreeHead,
} from '../../src/directory-client/log-format';
import { leafHash } from '../../src/directory-client/merkle';
import type {
  ConsistencyResponse,
  HistoryResponse,
  InclusionResponse,
  LookupTransparency,
  TreeHeadResponse,
} from '../../src/directory-client/wire';
import { toBase64 } from '../../src/directory-client/wire';
import { FixedColumn, MerkleTree } from './merkle-tree';
import { addressHashOf, type LogSecrets, openLogSigner } from './secrets';

/** One leaf as the store keeps it. `index` is dense: 0, 1, 2, … in commit order. */
export interface StoredLeaf {
  readonly index: number;
  /** The 74-byte canonical leaf: this is what is hashed, and what `leaves()` must return. */
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  /** Also inside `bytes`; separate so the store can index it for `indicesForAddress`. */
  readonly addressHash: Uint8Array;
  readonly fingerprint: Uint8Array;
  readonly action: LogAction;
  readonly timestamp: number;
}

/**
 * What the log needs from the database (implemented by the server core for
 * SQLite and PostgreSQL). Only committed leaves may be visible to `size`,
 * `leaves` and `indicesForAddress` of the store given to `createLog`.
 */
export interface LeafStore {
  /** The number of committed leaves. */
  size(): Promise<number>;
  /** The leaf bytes of indices [from, to), in order. */
  leaves(from: number, to: number): Promise<Uint8Array[]>;
  /**
   * Appends `leaf` at `leaf.index`, which is the store's current size, inside
   * the caller's transaction. Must fail (e.g. primary-key conflict) rather
   * than leave a gap or two leaves at one index; appends must be serialised
   * (SQLite's single writer; in PostgreSQL a lock on the log table).
   */
  append(leaf: StoredLeaf): Promise<void>;
  /** The indices of the leaves with this address hash, ascending. */
  indicesForAddress(addressHash: Uint8Array): Promise<number[]>;
}

export interface AppendInput {
  address: string;
  /** The key bundle's fingerprint (32 bytes). */
  fingerprint: Uint8Array;
  action: LogAction;
  /** Milliseconds since the epoch; default now. */
  timestamp?: number;
}

export interface CreateLogOptions {
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** Re-sign the head at least this often even if the tree did not grow (default 1 hour). */
  maxHeadAgeMs?: number;
  /**
   * Answers (`headResponse`, `lookupTransparency`, `historyResponse`) first sync
   * if the last sync is older than this (default 1 s), so leaves committed by
   * other processes show up without a size query on every request. 0: always.
   */
  syncIntervalMs?: number;
}

export interface TransparencyLog {
  readonly publicKey: Uint8Array;
  readonly logId: Uint8Array;
  /** Leaves loaded into the cache. */
  readonly size: number;
  addressHash(address: string): Uint8Array;
  /** Encodes and appends a leaf through `store` (the caller's transaction). Call `sync()` after the commit. */
  append(store: LeafStore, input: AppendInput): Promise<StoredLeaf>;
  /** Loads leaves committed since the last sync; returns the size. Never shrinks. */
  sync(): Promise<number>;
  /** `sync()` if the last one is older than `syncIntervalMs`. */
  syncIfStale(): Promise<number>;
  /** The signed head of the cached tree (re-signed when the size changes or it gets old). */
  treeHead(): Promise<TreeHead>;
  headResponse(): Promise<TreeHeadResponse>;
  inclusionResponse(index: number, treeSize: number): InclusionResponse;
  consistencyResponse(first: number, second: number): ConsistencyResponse;
  /** Proofs for a key lookup: `leafIndex` is the binding's leaf, `known` the client's last tree size (0: none). */
  lookupTransparency(leafIndex: number, known?: number): Promise<LookupTransparency>;
  /** Every leaf of `address`, with proofs against the current head. */
  historyResponse(address: string, known?: number): Promise<HistoryResponse>;
}

/** Thrown for requests the log cannot answer (sizes beyond the tree, unknown leaves): a 400 or 404. */
export class LogRequestError extends Error {
  override readonly name = 'LogRequestError';
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
  /** What Fastify's error handler reads. */
  get statusCode(): number {
    return this.status;
  }
}

const SYNC_BATCH = 10_000;

/**
 * Encodes one binding change as a leaf and appends it at the store's next
 * index, inside the caller's transaction. The one place a leaf is made: the
 * transparency log and the directory's basic writer both use it.
 */
export async function appendLeaf(
  txStore: LeafStore,
  addressHash: Uint8Array,
  input: AppendInput,
  now: () => number,
): Promise<StoredLeaf> {
  if (!(input.fingerprint instanceof Uint8Array) || input.fingerprint.length !== 32) {
    throw new RangeError('append: fingerprint must be 32 bytes');
  }
  const timestamp = input.timestamp ?? now();
  const bytes = encodeLeaf({ addressHash, fingerprint: input.fingerprint, action: input.action, timestamp });
  const leaf: StoredLeaf = Object.freeze({
    index: await txStore.size(),
    bytes,
    hash: leafHash(bytes),
    addressHash,
    fingerprint: input.fingerprint.slice(),
    action: input.action,
    timestamp,
  });
  await txStore.append(leaf);
  return leaf;
}

export async function createLog(
  store: LeafStore,
  secrets: LogSecrets,
  options: CreateLogOptions = {},
): Promise<TransparencyLog> {
  const signer = await openLogSigner(secrets);
  const addressKey = secrets.addressKey.slice();
  const now = options.now ?? Date.now;
  const maxHeadAgeMs = options.maxHeadAgeMs ?? 3_600_000;
  const syncIntervalMs = options.syncIntervalMs ?? 1_000;
  let lastSyncAt = Number.NEGATIVE_INFINITY;
  const tree = new MerkleTree();
  const leaves = new FixedColumn(LEAF_LENGTH);
  let head: TreeHead | undefined;
  let signing: Promise<TreeHead> | undefined;
  let syncing: Promise<number> | undefined;

  const hashAddress = (address: string): Uint8Array => addressHashOf(addressKey, address);

  async function loadNew(): Promise<number> {
    const target = await store.size();
    if (target < tree.size) {
      throw new Error(
        `transparency log: the store has ${target} leaves, fewer than the ${tree.size} already served`,
      );
    }
    while (tree.size < target) {
      const to = Math.min(target, tree.size + SYNC_BATCH);
      const batch = await store.leaves(tree.size, to);
      if (batch.length !== to - tree.size) throw new Error('transparency log: store returned a short batch');
      for (const bytes of batch) {
        decodeLeaf(bytes); // refuse to serve a log with a malformed leaf
        leaves.push(bytes);
        tree.append(leafHash(bytes));
      }
    }
    return tree.size;
  }

  function sync(): Promise<number> {
    // One sync at a time; callers arriving meanwhile share the running one.
    syncing ??= loadNew().finally(() => {
      syncing = undefined;
    });
    const started = performance.now();
    return syncing.then((size) => {
      lastSyncAt = Math.max(lastSyncAt, started);
      return size;
    });
  }

  function syncIfStale(): Promise<number> {
    return performance.now() - lastSyncAt >= syncIntervalMs ? sync() : Promise.resolve(tree.size);
  }

  async function treeHead(): Promise<TreeHead> {
    const size = tree.size;
    if (head && head.treeSize === size && now() - head.timestamp < maxHeadAgeMs) return head;
    if (!signing) {
      signing = (async () => {
        const timestamp = Math.max(now(), head?.timestamp ?? 0);
        const bytes = await signer.signTreeHead({ treeSize: size, timestamp, rootHash: tree.root(size) });
        const signed = decodeTreeHead(bytes);
        if (!head || signed.treeSize >= head.treeSize) head = signed;
        return signed;
      })().finally(() => {
        signing = undefined;
      });
    }
    const signed = await signing;
    return signed.treeSize >= size ? signed : treeHead();
  }

  function proofList(proof: Uint8Array[]): string[] {
    return proof.map(toBase64);
  }

  /**
   * The size a consistency proof starts from. A `known` beyond the tree gets
   * no proof (0) rather than an error: the client then sees a smaller tree
   * than it knew and reports it, which is its job, not the server's.
   */
  function checkKnown(known: number, size: number): number {
    if (!Number.isSafeInteger(known) || known < 0) throw new LogRequestError(400, 'known: not a tree size');
    return known > size ? 0 : known;
  }

  await sync();

  return {
    publicKey: signer.publicKey,
    logId: signer.logId,
    get size() {
      return tree.size;
    },
    addressHash: hashAddress,

    async append(txStore, input) {
      return appendLeaf(txStore, hashAddress(input.address), input, now);
    },

    sync,
    syncIfStale,
    treeHead,

    async headResponse() {
      await syncIfStale();
      return { sth: toBase64((await treeHead()).bytes) };
    },

    inclusionResponse(index, treeSize) {
      if (!Number.isSafeInteger(treeSize) || treeSize < 1 || treeSize > tree.size) {
        throw new LogRequestError(400, 'size: not a tree size of this log');
      }
      if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
        throw new LogRequestError(400, 'index: not a leaf of that tree');
      }
      return {
        index,
        treeSize,
        leaf: toBase64(leaves.get(index)),
        proof: proofList(tree.inclusionProof(index, treeSize)),
      };
    },

    consistencyResponse(first, second) {
      if (!Number.isSafeInteger(second) || second < 0 || second > tree.size) {
        throw new LogRequestError(400, 'second: not a tree size of this log');
      }
      if (!Number.isSafeInteger(first) || first < 0 || first > second) {
        throw new LogRequestError(400, 'first: must be between 0 and second');
      }
      return { first, second, proof: proofList(tree.consistencyProof(first, second)) };
    },

    async lookupTransparency(leafIndex, known = 0) {
      if (!Number.isSafeInteger(leafIndex) || leafIndex < 0)
        throw new LogRequestError(400, 'leafIndex: invalid');
      if (leafIndex >= tree.size) await sync();
      else await syncIfStale();
      const sth = await treeHead();
      if (leafIndex >= sth.treeSize) throw new LogRequestError(404, 'leaf not in the log yet');
      const from = checkKnown(known, sth.treeSize);
      return {
        leafIndex,
        leaf: toBase64(leaves.get(leafIndex)),
        sth: toBase64(sth.bytes),
        inclusion: proofList(tree.inclusionProof(leafIndex, sth.treeSize)),
        consistency: proofList(tree.consistencyProof(from, sth.treeSize)),
        consistencyFrom: from,
      };
    },

    async historyResponse(address, known = 0) {
      const addressHash = hashAddress(address);
      await syncIfStale();
      const sth = await treeHead();
      const from = checkKnown(known, sth.treeSize);
      const indices = (await store.indicesForAddress(addressHash)).filter((i) => i < sth.treeSize);
      const entries = indices.map((i) => {
        const bytes = leaves.get(i);
        // The store's index must agree with the leaf it points to.
        if (!equalBytes(decodeLeaf(bytes).addressHash, addressHash)) {
          throw new Error('transparency log: indicesForAddress returned a leaf of another address');
        }
        return {
          leafIndex: i,
          leaf: toBase64(bytes),
          inclusion: proofList(tree.inclusionProof(i, sth.treeSize)),
        };
      });
      return {
        addressHash: toBase64(addressHash),
        sth: toBase64(sth.bytes),
        entries,
        consistency: proofList(tree.consistencyProof(from, sth.treeSize)),
        consistencyFrom: from,
      };
    },
  };
}
