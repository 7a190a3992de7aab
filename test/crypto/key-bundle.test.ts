import { sha256 } from '@noble/hashes/sha2.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bundleHasAddress,
  createIdentity,
  formatFingerprint,
  type Identity,
  isBundleExpired,
  normalizeAddress,
  parseKeyBundle,
} from '../../src/crypto';
import { ByteWriter, concatBytes, utf8 } from '../../src/crypto/bytes';
import { ed25519Sign } from '../../src/crypto/ed25519';
import { label } from '../../src/crypto/hash';
import { signKeyBundle } from '../../src/crypto/key-bundle';
import { CREATED, fixtureIdentity, rejectsWith } from './fixtures';

let alice: Identity;
beforeAll(async () => {
  alice = await fixtureIdentity('alice', ['alice@example.test', 'a.smith@work.example']);
});

/** Builds and signs a bundle by hand, to test what the parser does with odd ones. */
async function handMade(edit: {
  version?: number;
  addresses?: string[];
  mlKem?: Uint8Array;
  edSeed: Uint8Array;
}) {
  const edPublic = (await import('@noble/curves/ed25519.js')).ed25519.getPublicKey(edit.edSeed);
  const w = new ByteWriter()
    .bytes(utf8('CPKB'))
    .u8(edit.version ?? 1)
    .u8(1)
    .u64(CREATED)
    .u64(CREATED + 1000);
  const addresses = edit.addresses ?? ['x@example.test'];
  w.u8(addresses.length);
  for (const a of addresses) w.var8(utf8(a));
  w.bytes(alice.bundle.x25519PublicKey)
    .bytes(edit.mlKem ?? alice.bundle.mlKemPublicKey)
    .bytes(edPublic);
  const tbs = w.finish();
  return concatBytes(tbs, await ed25519Sign(edit.edSeed, concatBytes(label('key bundle'), tbs)));
}

describe('public key bundle', () => {
  it('round-trips through its canonical encoding', async () => {
    const parsed = await parseKeyBundle(alice.bundle.bytes);
    expect(parsed.addresses).toEqual(['alice@example.test', 'a.smith@work.example']);
    expect(parsed.created).toBe(CREATED);
    expect(parsed.expires).toBe(CREATED + 2 * 365 * 24 * 3600);
    expect(parsed.bytes).toEqual(alice.bundle.bytes);
    expect(parsed.bytes.length).toBe(4 + 2 + 16 + 1 + 19 + 21 + 32 + 1568 + 32 + 64);
  });

  it('has a fingerprint that is the SHA-256 of the signed part, shown as 16 groups of 4 hex digits', () => {
    expect(alice.bundle.fingerprint).toEqual(
      sha256(alice.bundle.bytes.subarray(0, alice.bundle.bytes.length - 64)),
    );
    expect(formatFingerprint(alice.bundle.fingerprint)).toMatch(/^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
  });

  it('gives different identities different fingerprints', async () => {
    const other = await createIdentity({ addresses: ['alice@example.test'] });
    expect(other.identity.bundle.fingerprint).not.toEqual(alice.bundle.fingerprint);
  });

  it('refuses a flipped bit anywhere, a truncation and a trailing byte', async () => {
    for (let i = 0; i < alice.bundle.bytes.length; i += 13) {
      const copy = alice.bundle.bytes.slice();
      copy[i]! ^= 0x10;
      await expect(parseKeyBundle(copy)).rejects.toMatchObject({ name: 'CryptoError' });
    }
    await rejectsWith(parseKeyBundle(alice.bundle.bytes.subarray(0, 100)), 'invalid-key');
    await rejectsWith(parseKeyBundle(concatBytes(alice.bundle.bytes, Uint8Array.of(0))), 'invalid-key');
  });

  it('refuses a bundle signed by a key other than the one inside', async () => {
    const copy = alice.bundle.bytes.slice();
    copy.set(new Uint8Array(64).fill(1), copy.length - 64);
    const err = await rejectsWith(parseKeyBundle(copy), 'invalid-key');
    expect(err.message).toMatch(/self-signature/);
  });

  it('refuses an unknown version, even when correctly signed', async () => {
    const seed = new Uint8Array(32).fill(3);
    await rejectsWith(parseKeyBundle(await handMade({ version: 2, edSeed: seed })), 'unsupported-version');
    expect((await parseKeyBundle(await handMade({ edSeed: seed }))).addresses).toEqual(['x@example.test']);
  });

  it('refuses a non-canonical (upper-case) or duplicate address, even when correctly signed', async () => {
    const edSeed = new Uint8Array(32).fill(4);
    await rejectsWith(
      parseKeyBundle(await handMade({ addresses: ['X@example.test'], edSeed })),
      'invalid-key',
    );
    await rejectsWith(
      parseKeyBundle(await handMade({ addresses: ['x@example.test', 'x@example.test'], edSeed })),
      'invalid-key',
    );
  });

  it('refuses an ML-KEM key that fails the FIPS 203 §7.2 modulus check, even when correctly signed', async () => {
    const bad = alice.bundle.mlKemPublicKey.slice();
    bad[0] = 0xff;
    bad[1] = 0x0f; // first coefficient = 4095 ≥ q
    const err = await rejectsWith(
      parseKeyBundle(await handMade({ mlKem: bad, edSeed: new Uint8Array(32).fill(5) })),
      'invalid-key',
    );
    expect(err.message).toMatch(/ML-KEM/);
  });

  it('refuses to sign a bundle that expires before it is created', async () => {
    await rejectsWith(
      signKeyBundle(
        {
          addresses: ['a@example.test'],
          created: 100,
          expires: 100,
          x25519PublicKey: alice.bundle.x25519PublicKey,
          mlKemPublicKey: alice.bundle.mlKemPublicKey,
          ed25519PublicKey: alice.bundle.ed25519PublicKey,
        },
        alice.keys.ed25519PrivateKey,
      ),
      'invalid-input',
    );
  });

  it('knows its addresses and its expiry', () => {
    expect(bundleHasAddress(alice.bundle, ' Alice@Example.TEST ')).toBe(true);
    expect(bundleHasAddress(alice.bundle, 'alice@example.test.evil')).toBe(false);
    expect(bundleHasAddress(alice.bundle, 'not an address')).toBe(false);
    expect(isBundleExpired(alice.bundle, CREATED)).toBe(false);
    expect(isBundleExpired(alice.bundle, alice.bundle.expires)).toBe(true);
  });
});

describe('normalizeAddress', () => {
  it.each([
    ['Alice@Example.COM', 'alice@example.com'],
    ['  bob@example.org\t', 'bob@example.org'],
    ['Ｊosé@exämple.de'.normalize('NFD'), 'ｊosé@exämple.de'.normalize('NFC')],
  ])('normalizes %j', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it.each([
    '',
    'no-at-sign',
    '@example.com',
    'a@',
    'a@localhost',
    'a b@example.com',
    '<a@example.com>',
    `${'a'.repeat(250)}@example.com`,
  ])('refuses %j', (input) => {
    expect(() => normalizeAddress(input)).toThrowError(expect.objectContaining({ code: 'invalid-input' }));
  });
});
