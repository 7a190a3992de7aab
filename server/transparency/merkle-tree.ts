/**
 * RFC 9162 §2.1 Merkle trees on the server: the reference definitions
 * (`rootHash`, `inclusionProof`, `consistencyProof`, straight from the RFC's
 * recursive MTH, PATH and PROOF/SUBPROOF over a list of leaf hashes, O(n)) and
 * `MerkleTree`, the in-memory cache that keeps every complete subtree hash so
 * that a root or a proof for any tree size costs O(log n) hashes.
 *
 * Why the cache is O(log n): the RFC's recursion splits D[a:b] at the largest
 * power of two k < b − a. Starting from a = 0, every left part D[a:a+k] is a
 * complete, aligned subtree (a is a multiple of k), whose hash the cache holds;
 * only right parts can be incomplete, and a proof needs at most one incomplete
 * subtree hash per level, each itself O(log n) lookups along the right edge.
 */
import { emptyRootHash, HASH_LENGTH, hashChildren } from '../../src/directory-client/merkle';

/** The largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what}: not a non-negative integer`);
}

/** MTH(D[n]) of RFC 9162 §2.1.1, by its recursive definition. */
export function rootHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  return mthOf(leafHashes, 0, leafHashes.length);
}

function mthOf(h: readonly Uint8Array[], a: number, b: number): Uint8Array {
  const n = b - a;
  if (n === 0) return emptyRootHash();
  if (n === 1) return h[a]!;
  const k = splitPoint(n);
  return hashChildren(mthOf(h, a, a + k), mthOf(h, a + k, b));
}

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1 for the first `treeSize` leaves. */
export function inclusionProof(
  index: number,
  treeSize: number,
  leafHashes: readonly Uint8Array[],
): Uint8Array[] {
  checkSize(index, 'inclusionProof: index');
  checkSize(treeSize, 'inclusionProof: treeSize');
  if (index >= treeSize || treeSize > leafHashes.length) throw new RangeError('inclusionProof: out of range');
  return pathOf((a, b) => mthOf(leafHashes, a, b), index, 0, treeSize);
}

/** PROOF(m, D[n]) of RFC 9162 §2.1.4.1; empty when m = 0 or m = n. */
export function consistencyProof(
  oldSize: number,
  newSize: number,
  leafHashes: readonly Uint8Array[],
): Uint8Array[] {
  checkSize(oldSize, 'consistencyProof: oldSize');
  checkSize(newSize, 'consistencyProof: newSize');
  if (oldSize > newSize || newSize > leafHashes.length)
    throw new RangeError('consistencyProof: out of range');
  if (oldSize === 0 || oldSize === newSize) return [];
  return subproofOf((a, b) => mthOf(leafHashes, a, b), oldSize, 0, newSize, true);
}

type Mth = (a: number, b: number) => Uint8Array;

// PATH(m, D[a:b]): the proof lists siblings from the leaf up to the root.
function pathOf(mth: Mth, m: number, a: number, b: number): Uint8Array[] {
  const n = b - a;
  if (n === 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...pathOf(mth, m, a, a + k), mth(a + k, b)];
  return [...pathOf(mth, m - k, a + k, b), mth(a, a + k)];
}

// SUBPROOF(m, D[a:b], flag).
function subproofOf(mth: Mth, m: number, a: number, b: number, complete: boolean): Uint8Array[] {
  const n = b - a;
  if (m === n) return complete ? [] : [mth(a, b)];
  const k = splitPoint(n);
  if (m <= k) return [...subproofOf(mth, m, a, a + k, complete), mth(a + k, b)];
  return [...subproofOf(mth, m - k, a + k, b, false), mth(a, a + k)];
}

/** A growable array of fixed-length byte strings in one buffer (no object per entry). */
export class FixedColumn {
  private buffer: Uint8Array;
  private count = 0;
  constructor(
    readonly stride: number,
    initialCapacity = 1024,
  ) {
    this.buffer = new Uint8Array(stride * Math.max(1, initialCapacity));
  }
  get length(): number {
    return this.count;
  }
  push(value: Uint8Array): void {
    if (value.length !== this.stride) throw new RangeError(`FixedColumn: expected ${this.stride} bytes`);
    if ((this.count + 1) * this.stride > this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer.set(value, this.count * this.stride);
    this.count++;
  }
  /** A view: callers that keep it must copy (`slice`). */
  get(i: number): Uint8Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.count)
      throw new RangeError('FixedColumn: index out of range');
    return this.buffer.subarray(i * this.stride, (i + 1) * this.stride);
  }
}

/**
 * The in-memory cache of a log's tree. `levels[h][i]` is the hash of the
 * complete subtree of leaves [i·2^h, (i+1)·2^h); appending a leaf adds at
 * most one node per level (amortised O(1)). Memory: about 64 bytes a leaf.
 */
export class MerkleTree {
  private readonly levels: FixedColumn[] = [new FixedColumn(HASH_LENGTH)];

  constructor(leafHashes: Iterable<Uint8Array> = []) {
    for (const h of leafHashes) this.append(h);
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  append(leafHashValue: Uint8Array): number {
    if (!(leafHashValue instanceof Uint8Array) || leafHashValue.length !== HASH_LENGTH) {
      throw new RangeError('MerkleTree.append: expected a 32-byte leaf hash');
    }
    const index = this.size;
    this.levels[0]!.push(leafHashValue);
    // Each time a level gets an even count, its last two nodes complete a parent.
    for (let h = 0; this.levels[h]!.length % 2 === 0; h++) {
      const level = this.levels[h]!;
      if (this.levels[h + 1] === undefined) this.levels.push(new FixedColumn(HASH_LENGTH, 16));
      const n = level.length;
      this.levels[h + 1]!.push(hashChildren(level.get(n - 2), level.get(n - 1)));
    }
    return index;
  }

  leafHash(index: number): Uint8Array {
    return this.levels[0]!.get(index).slice();
  }

  /** MTH of leaves [a, b), with a aligned as in the RFC's recursion. */
  private mth = (a: number, b: number): Uint8Array => {
    const n = b - a;
    if (n === 0) return emptyRootHash();
    // A complete, aligned subtree: one lookup.
    if ((n & (n - 1)) === 0 && n <= 2 ** 30 && a % n === 0) {
      const h = Math.log2(n);
      return this.levels[h]!.get(a / n).slice();
    }
    const k = splitPoint(n);
    return hashChildren(this.mth(a, a + k), this.mth(a + k, b));
  };

  /** The root of the tree of the first `treeSize` leaves (default: all). */
  root(treeSize = this.size): Uint8Array {
    this.checkTreeSize(treeSize);
    return this.mth(0, treeSize);
  }

  inclusionProof(index: number, treeSize = this.size): Uint8Array[] {
    this.checkTreeSize(treeSize);
    checkSize(index, 'inclusionProof: index');
    if (index >= treeSize) throw new RangeError('inclusionProof: index beyond the tree');
    return pathOf(this.mth, index, 0, treeSize);
  }

  consistencyProof(oldSize: number, newSize = this.size): Uint8Array[] {
    this.checkTreeSize(newSize);
    checkSize(oldSize, 'consistencyProof: oldSize');
    if (oldSize > newSize) throw new RangeError('consistencyProof: oldSize beyond newSize');
    if (oldSize === 0 || oldSize === newSize) return [];
    return subproofOf(this.mth, oldSize, 0, newSize, true);
  }

  private checkTreeSize(treeSize: number): void {
    checkSize(treeSize, 'treeSize');
    if (treeSize > this.size) throw new RangeError('treeSize beyond the tree');
  }
}
