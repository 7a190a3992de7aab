/**
 * RFC 9162 §2.1 hashing, proofs and verifiers, checked three ways:
 * published vectors (test/vectors/merkle-rfc6962.json, transparency-dev/merkle),
 * the RFC's recursive definitions against the O(log n) cache, and properties
 * (every honest proof verifies, every tampered one fails) on random trees.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  inclusionProof,
  MerkleTree,
  rootHash,
} from '../../server/transparency/merkle-tree';
import {
  emptyRootHash,
  hashChildren,
  leafHash,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/directory-client/merkle';
import { loadVectors, toHex } from '../vectors/load';

interface RawMerkle {
  leafInputs: string[];
  nodeHashes: string[][];
  rootHashes: string[];
  inclusionProofs: { index: number; treeSize: number; proof: string[] }[];
  consistencyProofs: { size1: number; size2: number; proof: string[] }[];
}

const FILE = 'merkle-rfc6962.json';
const leafInputs = loadVectors(FILE, (json, hex) => (json as RawMerkle).leafInputs.map((l) => hex(l)));
const nodeHashes = loadVectors(FILE, (json, hex) =>
  (json as RawMerkle).nodeHashes.map((level) => level.map((h) => hex(h))),
);
const roots = loadVectors(FILE, (json, hex) => (json as RawMerkle).rootHashes.map((h) => hex(h)));
const inclusionVectors = loadVectors(FILE, (json, hex) =>
  (json as RawMerkle).inclusionProofs.map((v) => ({ ...v, proof: v.proof.map((h) => hex(h)) })),
);
const consistencyVectors = loadVectors(FILE, (json, hex) =>
  (json as RawMerkle).consistencyProofs.map((v) => ({ ...v, proof: v.proof.map((h) => hex(h)) })),
);
const leafHashes = leafInputs.map(leafHash);

const flip = (b: Uint8Array, bit = 3): Uint8Array => {
  const c = b.slice();
  c[0]! ^= 1 << bit;
  return c;
};
const SOME_HASH = new Uint8Array(32).fill(0xab);

describe('published vectors (transparency-dev/merkle)', () => {
  it('has the expected number of vectors', () => {
    expect(leafInputs).toHaveLength(8);
    expect(roots).toHaveLength(9);
    expect(nodeHashes.flat()).toHaveLength(15);
    expect(inclusionVectors.length).toBeGreaterThanOrEqual(5);
    expect(consistencyVectors.length).toBeGreaterThanOrEqual(5);
  });

  it('leaf and node hashes', () => {
    expect(leafHashes.map(toHex)).toEqual(nodeHashes[0]!.map(toHex));
    for (let h = 1; h < nodeHashes.length; h++) {
      nodeHashes[h]!.forEach((expected, i) => {
        const left = nodeHashes[h - 1]![2 * i]!;
        const right = nodeHashes[h - 1]![2 * i + 1]!;
        expect(toHex(hashChildren(left, right))).toBe(toHex(expected));
      });
    }
  });

  it('root of every size, by definition and from the cache', () => {
    expect(toHex(emptyRootHash())).toBe(toHex(roots[0]!));
    const tree = new MerkleTree();
    expect(toHex(tree.root())).toBe(toHex(roots[0]!));
    for (let n = 1; n <= 8; n++) {
      tree.append(leafHashes[n - 1]!);
      expect(toHex(rootHash(leafHashes.slice(0, n)))).toBe(toHex(roots[n]!));
      expect(toHex(tree.root())).toBe(toHex(roots[n]!));
    }
    for (let n = 0; n <= 8; n++) expect(toHex(tree.root(n))).toBe(toHex(roots[n]!));
  });

  it.each(inclusionVectors)(
    'inclusion proof of leaf $index in tree $treeSize',
    ({ index, treeSize, proof }) => {
      const tree = new MerkleTree(leafHashes);
      expect(inclusionProof(index, treeSize, leafHashes).map(toHex)).toEqual(proof.map(toHex));
      expect(tree.inclusionProof(index, treeSize).map(toHex)).toEqual(proof.map(toHex));
      const root = roots[treeSize]!;
      const leaf = leafHashes[index]!;
      expect(verifyInclusion(leaf, index, treeSize, proof, root)).toBe(true);
      // The probes of transparency-dev/merkle's verifierCheck.
      const bad: [number, number, Uint8Array, Uint8Array[], Uint8Array][] = [
        [index - 1, treeSize, leaf, proof, root],
        [index + 1, treeSize, leaf, proof, root],
        [index ^ 2, treeSize, leaf, proof, root],
        [index, treeSize * 2, leaf, proof, root],
        [index, Math.floor(treeSize / 2), leaf, proof, root],
        [index, treeSize, leafHash(new TextEncoder().encode('WrongLeaf')), proof, root],
        [index, treeSize, leaf, proof, emptyRootHash()],
        [index, treeSize, leaf, proof, SOME_HASH],
        [index, treeSize, leaf, [...proof, root], root],
        [index, treeSize, leaf, [root, ...proof], root],
        ...proof.map((_, i): [number, number, Uint8Array, Uint8Array[], Uint8Array] => [
          index,
          treeSize,
          leaf,
          proof.map((p, j) => (i === j ? flip(p) : p)),
          root,
        ]),
      ];
      if (proof.length > 0) bad.push([index, treeSize, leaf, proof.slice(0, -1), root]);
      if (proof.length > 1)
        bad.push([index, treeSize, leaf, [proof[0]!, SOME_HASH, ...proof.slice(1)], root]);
      for (const [i, n, l, p, r] of bad) expect(verifyInclusion(l, i, n, p, r)).toBe(false);
    },
  );

  it.each(consistencyVectors)('consistency proof $size1 → $size2', ({ size1, size2, proof }) => {
    const tree = new MerkleTree(leafHashes);
    expect(consistencyProof(size1, size2, leafHashes).map(toHex)).toEqual(proof.map(toHex));
    expect(tree.consistencyProof(size1, size2).map(toHex)).toEqual(proof.map(toHex));
    const r1 = roots[size1]!;
    const r2 = roots[size2]!;
    expect(verifyConsistency(size1, size2, r1, r2, proof)).toBe(true);
    if (proof.length === 0) return;
    // The probes of transparency-dev/merkle's verifierConsistencyCheck.
    const bad: [number, number, Uint8Array, Uint8Array, Uint8Array[]][] = [
      [size1 - 1, size2, r1, r2, proof],
      [size1 + 1, size2, r1, r2, proof],
      [size1 ^ 2, size2, r1, r2, proof],
      [size1, size2 * 2, r1, r2, proof],
      [size1, Math.floor(size2 / 2), r1, r2, proof],
      [size1, size2, SOME_HASH, r2, proof],
      [size1, size2, r1, SOME_HASH, proof],
      [size1, size2, r2, r1, proof],
      [size1, size2, r1, r2, []],
      [size1, size2, r1, r2, [...proof, r1]],
      [size1, size2, r1, r2, [...proof, r2]],
      [size1, size2, r1, r2, [r1, ...proof]],
      [size1, size2, r1, r2, [r2, ...proof]],
      [size1, size2, r1, r2, [proof[0]!, ...proof]],
      [size1, size2, r1, r2, proof.slice(0, -1)],
      ...proof.map((_, i): [number, number, Uint8Array, Uint8Array, Uint8Array[]] => [
        size1,
        size2,
        r1,
        r2,
        proof.map((p, j) => (i === j ? flip(p, 4) : p)),
      ]),
    ];
    for (const [m, n, a, b, p] of bad) expect(verifyConsistency(m, n, a, b, p)).toBe(false);
  });
});

describe('verifier edge cases (RFC 9162 §2.1.3.2, §2.1.4.2)', () => {
  const h = leafHash(Uint8Array.of(1));
  it('inclusion: index beyond the tree, empty tree, wrong hash lengths, over-long proofs', () => {
    expect(verifyInclusion(h, 0, 1, [], h)).toBe(true);
    expect(verifyInclusion(h, 0, 0, [], h)).toBe(false);
    expect(verifyInclusion(h, 1, 1, [], h)).toBe(false);
    expect(verifyInclusion(h, 2, 1, [], h)).toBe(false);
    expect(verifyInclusion(h.subarray(0, 31), 0, 1, [], h)).toBe(false);
    expect(verifyInclusion(h, 0, 1, [], new Uint8Array(0))).toBe(false);
    expect(verifyInclusion(h, -1, 1, [], h)).toBe(false);
    expect(verifyInclusion(h, 0.5, 1, [], h)).toBe(false);
    expect(verifyInclusion(h, 0, 2, [new Uint8Array(31)], h)).toBe(false);
    expect(verifyInclusion(h, 0, 2, Array(65).fill(h), h)).toBe(false);
    expect(rootFromInclusionProof(h, 0, 1, [h])).toBeUndefined();
  });

  it('consistency: the cases of the reference verifier', () => {
    const r1 = SOME_HASH;
    const r2 = flip(SOME_HASH);
    const empty = emptyRootHash();
    expect(verifyConsistency(0, 0, r1, r2, [])).toBe(false);
    expect(verifyConsistency(1, 1, r1, r2, [])).toBe(false);
    expect(verifyConsistency(0, 0, r1, r1, [])).toBe(true);
    expect(verifyConsistency(0, 1, r1, r2, [])).toBe(true);
    expect(verifyConsistency(1, 1, r2, r2, [])).toBe(true);
    expect(verifyConsistency(1, 0, r1, r2, [])).toBe(false);
    expect(verifyConsistency(2, 1, r1, r2, [])).toBe(false);
    expect(verifyConsistency(1, 2, r1, r2, [])).toBe(false);
    expect(verifyConsistency(0, 0, empty, empty, [empty])).toBe(false);
    expect(verifyConsistency(0, 1, empty, empty, [empty])).toBe(false);
    expect(verifyConsistency(1, 1, empty, empty, [empty])).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// Properties on random trees
// ---------------------------------------------------------------------------

function randomLeafHashes(n: number, seed: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    leafHash(Uint8Array.of(seed & 0xff, i & 0xff, i >>> 8, i >>> 16)),
  );
}

describe('properties', () => {
  const big = randomLeafHashes(600, 7);
  const bigTree = new MerkleTree(big);

  it('the cache agrees with the recursive definitions for every size up to 70', () => {
    const tree = new MerkleTree();
    for (let n = 1; n <= 70; n++) {
      tree.append(big[n - 1]!);
      const slice = big.slice(0, n);
      expect(toHex(tree.root())).toBe(toHex(rootHash(slice)));
      for (let i = 0; i < n; i++) {
        expect(tree.inclusionProof(i).map(toHex)).toEqual(inclusionProof(i, n, slice).map(toHex));
      }
      for (let m = 0; m <= n; m++) {
        expect(tree.consistencyProof(m).map(toHex)).toEqual(consistencyProof(m, n, slice).map(toHex));
      }
    }
  });

  it('every inclusion proof verifies; any tampering fails', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1))),
        fc.nat(),
        fc.nat(),
        ([n, index], pick, bit) => {
          const root = bigTree.root(n);
          const proof = bigTree.inclusionProof(index, n);
          const leaf = big[index]!;
          expect(verifyInclusion(leaf, index, n, proof, root)).toBe(true);
          expect(verifyInclusion(flip(leaf, bit % 8), index, n, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, index, n, proof, flip(root, bit % 8))).toBe(false);
          expect(verifyInclusion(leaf, index, n, [...proof, root], root)).toBe(false);
          expect(verifyInclusion(leaf, (index + 1 + (pick % (n - 1 || 1))) % n, n, proof, root)).toBe(
            n === 1,
          );
          if (proof.length > 0) {
            const i = pick % proof.length;
            const bad = proof.map((p, j) => (j === i ? flip(p, bit % 8) : p));
            expect(verifyInclusion(leaf, index, n, bad, root)).toBe(false);
            expect(verifyInclusion(leaf, index, n, proof.slice(0, -1), root)).toBe(false);
            // Another tree size is another shape: the same proof never verifies against it.
            const other = n + 1 + (pick % 50);
            if (other <= big.length)
              expect(verifyInclusion(leaf, index, other, proof, bigTree.root(other))).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every consistency proof verifies; any tampering fails', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }).chain((n) => fc.tuple(fc.nat(n), fc.constant(n))),
        fc.nat(),
        fc.nat(),
        ([m, n], pick, bit) => {
          const r1 = bigTree.root(m);
          const r2 = bigTree.root(n);
          const proof = bigTree.consistencyProof(m, n);
          expect(verifyConsistency(m, n, r1, r2, proof)).toBe(true);
          if (m === 0 || m === n) return;
          expect(verifyConsistency(m, n, flip(r1, bit % 8), r2, proof)).toBe(false);
          expect(verifyConsistency(m, n, r1, flip(r2, bit % 8), proof)).toBe(false);
          const i = pick % proof.length;
          expect(
            verifyConsistency(
              m,
              n,
              r1,
              r2,
              proof.map((p, j) => (j === i ? flip(p, bit % 8) : p)),
            ),
          ).toBe(false);
          expect(verifyConsistency(m, n, r1, r2, proof.slice(0, -1))).toBe(false);
          expect(verifyConsistency(m, n, r1, r2, [...proof, r2])).toBe(false);
          // A forked tree: the same first m leaves then different ones cannot be shown consistent with the old root
          // if one of the first m leaves changed.
          const forked = big.slice(0, n);
          forked[pick % m] = leafHash(Uint8Array.of(0xff, pick & 0xff));
          const forkTree = new MerkleTree(forked);
          expect(verifyConsistency(m, n, r1, forkTree.root(), forkTree.consistencyProof(m, n))).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('computes proofs in O(log n): 20,000 proofs in a 100,000-leaf tree', () => {
    const n = 100_000;
    const tree = new MerkleTree(randomLeafHashes(n, 3));
    const start = performance.now();
    for (let i = 0; i < 20_000; i++) {
      const index = (i * 7919) % n;
      tree.inclusionProof(index, n);
      tree.consistencyProof(n - 1 - index, n);
    }
    const ms = performance.now() - start;
    // Each pair is a few dozen SHA-256 at most; a rescan would be ~200,000 per proof.
    expect(ms).toBeLessThan(10_000);
  });
});
