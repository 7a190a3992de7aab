/**
 * Signed tree heads: a known-answer test (the RFC 8032 TEST 1 key signing the
 * 8-leaf tree of the transparency-dev vectors), checked independently with
 * node:crypto and @noble/curves, and the verifier's refusals.
 */
import { createHash } from 'node:crypto';
import { ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { openLogSigner } from '../../server/transparency/secrets';
import { ed25519Sign } from '../../src/crypto/ed25519';
import { label } from '../../src/crypto/hash';
import { DirectoryError } from '../../src/directory-client/errors';
import {
  decodeLeaf,
  decodeTreeHead,
  encodeLeaf,
  encodeTreeHeadToBeSigned,
  TREE_HEAD_LENGTH,
  verifyTreeHead,
} from '../../src/directory-client/log-format';
import { hexToBytes, toHex } from '../vectors/load';

// RFC 8032 §7.1 TEST 1 (test/vectors/ed25519-rfc8032.json).
const SEED = hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const PUBLIC_KEY = hexToBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
// Root of the 8-leaf tree of test/vectors/merkle-rfc6962.json.
const ROOT = hexToBytes('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
const TIMESTAMP = 1_700_000_000_000;
// Pinned: the encoding of docs/transparency.md §Signed tree head. Ed25519 is deterministic.
const EXPECTED =
  '01' +
  '21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9' +
  '0000000000000008' +
  '0000018bcfe56800' +
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328' +
  'b532eb203ea0edaa4b3fee100f70060953f38468e61fe67e5650db98b3c01776' +
  'a0adba423f7a7814ed3acddd45d637420c414275b6c68abebeb4e8eec3e02703';

async function signKat(): Promise<Uint8Array> {
  const signer = await openLogSigner({ signingSeed: SEED, addressKey: new Uint8Array(32) });
  expect(toHex(signer.publicKey)).toBe(toHex(PUBLIC_KEY));
  return signer.signTreeHead({ treeSize: 8, timestamp: TIMESTAMP, rootHash: ROOT });
}

describe('signed tree head known answer', () => {
  it('matches the pinned bytes', async () => {
    const sth = await signKat();
    expect(sth).toHaveLength(TREE_HEAD_LENGTH);
    expect(toHex(sth)).toBe(EXPECTED);
  });

  it('is the documented layout, checked with node:crypto and @noble/curves', async () => {
    const sth = await signKat();
    const logId = createHash('sha256').update(PUBLIC_KEY).digest();
    const tbs = Buffer.concat([
      Buffer.from([1]),
      logId,
      Buffer.from('0000000000000008', 'hex'),
      Buffer.from(TIMESTAMP.toString(16).padStart(16, '0'), 'hex'),
      ROOT,
    ]);
    expect(toHex(sth.subarray(0, 81))).toBe(tbs.toString('hex'));
    const message = Buffer.concat([Buffer.from('Cipherpost-v1 tree head', 'utf8'), tbs]);
    expect(nobleEd25519.verify(sth.subarray(81), message, PUBLIC_KEY)).toBe(true);
    const head = await verifyTreeHead(sth, PUBLIC_KEY);
    expect(head).toMatchObject({ version: 1, treeSize: 8, timestamp: TIMESTAMP });
    expect(toHex(head.rootHash)).toBe(toHex(ROOT));
    expect(toHex(head.logId)).toBe(logId.toString('hex'));
  });
});

describe('verifyTreeHead refuses', () => {
  it('any flipped bit', async () => {
    const sth = await signKat();
    for (let i = 0; i < sth.length; i++) {
      const bad = sth.slice();
      bad[i]! ^= 1 << (i % 8);
      await expect(verifyTreeHead(bad, PUBLIC_KEY)).rejects.toBeInstanceOf(DirectoryError);
    }
  });

  it('another directory key, and a head of another log re-signed with ours', async () => {
    const sth = await signKat();
    const other = await openLogSigner({
      signingSeed: new Uint8Array(32).fill(7),
      addressKey: new Uint8Array(32),
    });
    await expect(verifyTreeHead(sth, other.publicKey)).rejects.toMatchObject({ code: 'bad-signature' });
    // The other log's head, signed over our label, still names the other log.
    const theirs = await other.signTreeHead({ treeSize: 8, timestamp: TIMESTAMP, rootHash: ROOT });
    await expect(verifyTreeHead(theirs, PUBLIC_KEY)).rejects.toMatchObject({ code: 'bad-signature' });
  });

  it('a signature under another label (domain separation)', async () => {
    const tbs = encodeTreeHeadToBeSigned({
      logId: createHash('sha256').update(PUBLIC_KEY).digest(),
      treeSize: 8,
      timestamp: TIMESTAMP,
      rootHash: ROOT,
    });
    const sig = await ed25519Sign(SEED, new Uint8Array([...label('key bundle'), ...tbs]));
    await expect(verifyTreeHead(new Uint8Array([...tbs, ...sig]), PUBLIC_KEY)).rejects.toMatchObject({
      code: 'bad-signature',
    });
  });

  it('wrong lengths and versions as malformed', async () => {
    const sth = await signKat();
    await expect(verifyTreeHead(sth.subarray(1), PUBLIC_KEY)).rejects.toMatchObject({ code: 'malformed' });
    await expect(verifyTreeHead(new Uint8Array([...sth, 0]), PUBLIC_KEY)).rejects.toMatchObject({
      code: 'malformed',
    });
    const v2 = sth.slice();
    v2[0] = 2;
    expect(() => decodeTreeHead(v2)).toThrow(DirectoryError);
  });
});

describe('log leaf encoding', () => {
  it('round-trips and refuses anything but the exact encoding', () => {
    const leaf = {
      addressHash: new Uint8Array(32).fill(1),
      fingerprint: new Uint8Array(32).fill(2),
      action: 'revoke' as const,
      timestamp: TIMESTAMP,
    };
    const bytes = encodeLeaf(leaf);
    expect(toHex(bytes)).toBe(`01${'01'.repeat(32)}${'02'.repeat(32)}02${'0000018bcfe56800'}`);
    expect(decodeLeaf(bytes)).toMatchObject({ ...leaf, version: 1 });
    for (const bad of [bytes.subarray(1), new Uint8Array([...bytes, 0])]) {
      expect(() => decodeLeaf(bad)).toThrow(DirectoryError);
    }
    const badAction = bytes.slice();
    badAction[65] = 3;
    expect(() => decodeLeaf(badAction)).toThrow(/action/);
    const badVersion = bytes.slice();
    badVersion[0] = 0;
    expect(() => decodeLeaf(badVersion)).toThrow(DirectoryError);
  });
});
