/**
 * RFC 9162 §2.1 Merkle tree hashing and proof verification (SHA-256), shared
 * by the directory server (server/transparency) and the extension.
 *
 *   leaf hash = SHA-256(0x00 ‖ leaf)            (§2.1.1)
 *   node hash = SHA-256(0x01 ‖ left ‖ right)
 *   MTH({})   = SHA-256()
 *
 * The verifiers follow the algorithms of §2.1.3.2 (inclusion) and §2.1.4.2
 * (consistency) step by step, with the numbers of the RFC in comments. Sizes
 * and indices are JavaScript safe integers; the bit operations of the RFC are
 * done with division so they stay exact above 2^32.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes } from '../crypto/bytes';

export const HASH_LENGTH = 32;
/** No tree we serve is deeper than 2^53 leaves, so no proof is longer than this. */
export const MAX_PROOF_LENGTH = 64;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** SHA-256(0x00 ‖ leaf). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  return sha256.create().update(LEAF_PREFIX).update(leaf).digest();
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256.create().update(NODE_PREFIX).update(left).update(right).digest();
}

/** MTH({}) = SHA-256 of the empty string. */
export function emptyRootHash(): Uint8Array {
  return sha256(new Uint8Array(0));
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function isHashList(proof: unknown): proof is readonly Uint8Array[] {
  return (
    Array.isArray(proof) &&
    proof.length <= MAX_PROOF_LENGTH &&
    proof.every((p) => p instanceof Uint8Array && p.length === HASH_LENGTH)
  );
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * The root that an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1–5,
 * without the final comparison), or undefined if the proof has the wrong
 * length for (index, treeSize).
 */
export function rootFromInclusionProof(
  leafHashValue: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): Uint8Array | undefined {
  if (!isSize(index) || !isSize(treeSize) || !isHashList(proof)) return undefined;
  if (!(leafHashValue instanceof Uint8Array) || leafHashValue.length !== HASH_LENGTH) return undefined;
  // 1. If leaf_index is greater than or equal to tree_size, then stop and fail.
  if (index >= treeSize) return undefined;
  // 2. Set fn to leaf_index and sn to tree_size - 1.
  let fn = index;
  let sn = treeSize - 1;
  // 3. Set r to hash.
  let r = leafHashValue;
  // 4. For each value p in the inclusion_path array:
  for (const p of proof) {
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn === 0) return undefined;
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if (isOdd(fn) || fn === sn) {
      // i. Set r to HASH(0x01 || p || r).
      r = hashChildren(p, r);
      // ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is set or fn is 0.
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      // Otherwise: Set r to HASH(0x01 || r || p).
      r = hashChildren(r, p);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn = half(fn);
    sn = half(sn);
  }
  // 5. Compare sn to 0 (the root comparison is the caller's).
  return sn === 0 ? r : undefined;
}

/** RFC 9162 §2.1.3.2: does `proof` show the leaf with hash `leafHashValue` at `index` in the tree of `treeSize` with root `root`? */
export function verifyInclusion(
  leafHashValue: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(leafHashValue, index, treeSize, proof);
  return computed !== undefined && root instanceof Uint8Array && equalBytes(computed, root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `oldSize` with root
 * `oldRoot` is a prefix of the tree of `newSize` with root `newRoot`?
 *
 * The RFC's algorithm starts from a non-empty proof (0 < first < second); the
 * edge cases are those of RFC 9162 §2.1.4.1 and of the reference verifiers:
 * equal sizes need an empty proof and equal roots; every tree extends the empty
 * tree, with an empty proof.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || !isHashList(proof)) return false;
  if (!(oldRoot instanceof Uint8Array) || oldRoot.length !== HASH_LENGTH) return false;
  if (!(newRoot instanceof Uint8Array) || newRoot.length !== HASH_LENGTH) return false;
  if (oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && equalBytes(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0;
  // 1. If consistency_path is an empty array, stop and fail the proof verification.
  if (proof.length === 0) return false;
  // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  // 3. Set fn to first - 1 and sn to second - 1.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. Set both fr and sr to the first value in the consistency_path array.
  let fr = path[0]!;
  let sr = path[0]!;
  // 6. For each subsequent value c in the consistency_path array:
  for (const c of path.slice(1)) {
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn === 0) return false;
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if (isOdd(fn) || fn === sn) {
      // i. Set fr to HASH(0x01 || c || fr). Set sr to HASH(0x01 || c || sr).
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      // ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is set or fn is 0.
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      // Otherwise: Set sr to HASH(0x01 || sr || c).
      sr = hashChildren(sr, c);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn = half(fn);
    sn = half(sn);
  }
  // 7. Verify that fr equals first_hash, sr equals second_hash and sn is 0.
  return sn === 0 && equalBytes(fr, oldRoot) && equalBytes(sr, newRoot);
}

function isPowerOfTwo(n: number): boolean {
  let m = n;
  while (m > 1 && m % 2 === 0) m /= 2;
  return m === 1;
}
