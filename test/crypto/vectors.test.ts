/**
 * Our primitive wrappers against official, published known-answer vectors
 * (test/vectors/README.md says where each file comes from): NIST ACVP for
 * ML-KEM-1024, RFC 7748 for X25519, RFC 8032 and Project Wycheproof for
 * Ed25519. None of these values was computed by code in this repository.
 */
import { ed25519 as nobleEd25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../../src/crypto/ed25519';
import { CryptoError } from '../../src/crypto/errors';
import { mlKem1024Decapsulate, mlKem1024Encapsulate, mlKem1024KeyGen } from '../../src/crypto/ml-kem';
import { x25519, x25519PublicKey } from '../../src/crypto/x25519';
import { hexToBytes, loadVectors, toHex } from '../vectors/load';

// ---------------------------------------------------------------------------
// Vector files (raw JSON shapes, then typed cases with bytes)
// ---------------------------------------------------------------------------

interface RawMlKem {
  keyGen: { cases: { tcId: number; d: string; z: string; ek: string; dk: string }[] };
  encapsulation: { cases: { tcId: number; ek: string; m: string; c: string; k: string }[] };
  decapsulation: { dk: string; cases: { tcId: number; c: string; k: string }[] };
}

interface RawX25519 {
  scalarMult: { name: string; scalar: string; u: string; output: string }[];
  iterated: { start: string; results: { iterations: number; k: string }[] };
  diffieHellman: {
    alicePrivate: string;
    alicePublic: string;
    bobPrivate: string;
    bobPublic: string;
    sharedSecret: string;
  };
}

interface RawEd25519Rfc {
  cases: { name: string; secretKey: string; publicKey: string; message: string; signature: string }[];
}

interface RawWycheproof {
  testGroups: {
    publicKey: { pk: string };
    tests: { tcId: number; comment: string; flags: string[]; msg: string; sig: string; result: string }[];
  }[];
}

const ML_KEM_FILE = 'ml-kem-1024-acvp.json';

const mlKemKeyGen = loadVectors(ML_KEM_FILE, (json, hex) =>
  (json as RawMlKem).keyGen.cases.map((c) => ({
    tcId: c.tcId,
    d: hex(c.d, 'd'),
    z: hex(c.z, 'z'),
    ek: hex(c.ek, 'ek'),
    dk: hex(c.dk, 'dk'),
  })),
);

const mlKemEncaps = loadVectors(ML_KEM_FILE, (json, hex) =>
  (json as RawMlKem).encapsulation.cases.map((c) => ({
    tcId: c.tcId,
    ek: hex(c.ek, 'ek'),
    m: hex(c.m, 'm'),
    c: hex(c.c, 'c'),
    k: hex(c.k, 'k'),
  })),
);

const mlKemDecaps = loadVectors(ML_KEM_FILE, (json, hex) => {
  const group = (json as RawMlKem).decapsulation;
  const dk = hex(group.dk, 'dk');
  return group.cases.map((c) => ({ tcId: c.tcId, dk, c: hex(c.c, 'c'), k: hex(c.k, 'k') }));
});

const X25519_FILE = 'x25519-rfc7748.json';

const x25519ScalarMult = loadVectors(X25519_FILE, (json, hex) =>
  (json as RawX25519).scalarMult.map((v) => ({
    name: v.name,
    scalar: hex(v.scalar, 'scalar'),
    u: hex(v.u, 'u'),
    output: hex(v.output, 'output'),
  })),
);

const x25519Iterated = loadVectors(X25519_FILE, (json, hex) => {
  const { start, results } = (json as RawX25519).iterated;
  return results.map((r) => ({ iterations: r.iterations, start: hex(start, 'start'), k: hex(r.k, 'k') }));
});

/** RFC 7748 §6.1 as four checks: both public keys, and the shared secret from each side. */
const x25519DiffieHellman = loadVectors(X25519_FILE, (json, hex) => {
  const dh = (json as RawX25519).diffieHellman;
  const alicePrivate = hex(dh.alicePrivate, 'alicePrivate');
  const alicePublic = hex(dh.alicePublic, 'alicePublic');
  const bobPrivate = hex(dh.bobPrivate, 'bobPrivate');
  const bobPublic = hex(dh.bobPublic, 'bobPublic');
  const shared = hex(dh.sharedSecret, 'sharedSecret');
  return [
    { name: "Alice's public key", run: () => x25519PublicKey(alicePrivate), expected: alicePublic },
    { name: "Bob's public key", run: () => x25519PublicKey(bobPrivate), expected: bobPublic },
    { name: 'shared secret, Alice side', run: () => x25519(alicePrivate, bobPublic), expected: shared },
    { name: 'shared secret, Bob side', run: () => x25519(bobPrivate, alicePublic), expected: shared },
  ];
});

const ed25519Rfc = loadVectors('ed25519-rfc8032.json', (json, hex) =>
  (json as RawEd25519Rfc).cases.map((c) => ({
    name: c.name,
    secretKey: hex(c.secretKey, 'secretKey'),
    publicKey: hex(c.publicKey, 'publicKey'),
    message: hex(c.message, 'message'),
    signature: hex(c.signature, 'signature'),
  })),
);

const ed25519Wycheproof = loadVectors('ed25519-wycheproof.json', (json, hex) =>
  (json as RawWycheproof).testGroups.flatMap((group) =>
    group.tests.map((t) => ({
      tcId: t.tcId,
      label: `${t.result}, ${t.flags.join('+')}${t.comment.trim() ? `: ${t.comment.trim()}` : ''}`,
      publicKey: hex(group.publicKey.pk, 'pk'),
      message: hex(t.msg, 'msg'),
      signature: hex(t.sig, 'sig'),
      valid: t.result === 'valid',
    })),
  ),
);

/** Runs `run` (sync or async) and asserts it fails with CryptoError `invalid-input`. */
async function expectInvalidInput(run: () => unknown): Promise<void> {
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CryptoError);
  expect((error as CryptoError).code).toBe('invalid-input');
}

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

// ---------------------------------------------------------------------------
// The loader itself
// ---------------------------------------------------------------------------

describe('vector loader', () => {
  it('throws when a pick yields zero vectors', () => {
    expect(() => loadVectors(ML_KEM_FILE, () => [])).toThrow(/zero vectors/);
  });

  it('throws on a missing file', () => {
    expect(() => loadVectors('no-such-file.json', () => [1])).toThrow();
  });

  it('rejects malformed hex', () => {
    expect(() => hexToBytes('abc')).toThrow();
    expect(() => hexToBytes('zz')).toThrow();
    expect(() => hexToBytes(42)).toThrow();
    expect(toHex(hexToBytes('00fFa5'))).toBe('00ffa5');
    expect(hexToBytes('')).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------
// ML-KEM-1024 (FIPS 203), NIST ACVP
// ---------------------------------------------------------------------------

describe('ML-KEM-1024: NIST ACVP vectors (FIPS 203)', () => {
  it('loads every committed case', () => {
    expect(mlKemKeyGen.length).toBeGreaterThanOrEqual(10);
    expect(mlKemEncaps.length).toBeGreaterThanOrEqual(10);
    expect(mlKemDecaps.length).toBeGreaterThanOrEqual(6);
  });

  it.each(mlKemKeyGen.map((v) => [v.tcId, v] as const))('keyGen tcId %i', (_, v) => {
    const { publicKey, secretKey } = mlKem1024KeyGen(v.d, v.z);
    expect(toHex(publicKey)).toBe(toHex(v.ek));
    expect(toHex(secretKey)).toBe(toHex(v.dk));
  });

  it.each(mlKemEncaps.map((v) => [v.tcId, v] as const))('encapsulation tcId %i', (_, v) => {
    const { ciphertext, sharedSecret } = mlKem1024Encapsulate(v.ek, v.m);
    expect(toHex(ciphertext)).toBe(toHex(v.c));
    expect(toHex(sharedSecret)).toBe(toHex(v.k));
  });

  it.each(mlKemDecaps.map((v) => [v.tcId, v] as const))('decapsulation tcId %i', (_, v) => {
    expect(toHex(mlKem1024Decapsulate(v.c, v.dk))).toBe(toHex(v.k));
  });

  it('the decapsulation cases cover both valid ciphertexts and implicit rejection', () => {
    // ACVP does not label its VAL cases; FIPS 203 Algorithm 18 says a rejected
    // ciphertext yields K = J(z || c) = SHAKE256(z || c, 32), z the last 32 bytes of dk.
    const rejected = mlKemDecaps.filter((v) => {
      const z = v.dk.subarray(v.dk.length - 32);
      const input = new Uint8Array(z.length + v.c.length);
      input.set(z);
      input.set(v.c, z.length);
      return toHex(shake256(input, { dkLen: 32 })) === toHex(v.k);
    });
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(mlKemDecaps.length - rejected.length).toBeGreaterThanOrEqual(1);
  });

  it('keys from a keyGen vector round-trip a fresh encapsulation', () => {
    // A keyGen vector's keys with fresh randomness: ties the three functions together.
    const v = mlKemKeyGen[0]!;
    const { publicKey, secretKey } = mlKem1024KeyGen(v.d, v.z);
    const { ciphertext, sharedSecret } = mlKem1024Encapsulate(publicKey);
    expect(toHex(mlKem1024Decapsulate(ciphertext, secretKey))).toBe(toHex(sharedSecret));
  });
});

// ---------------------------------------------------------------------------
// X25519 (RFC 7748)
// ---------------------------------------------------------------------------

describe('X25519: RFC 7748 vectors', () => {
  it('loads every committed case', () => {
    expect(x25519ScalarMult.length).toBeGreaterThanOrEqual(2);
    expect(x25519Iterated.length).toBeGreaterThanOrEqual(2);
    expect(x25519DiffieHellman.length).toBe(4);
  });

  it.each(x25519ScalarMult.map((v) => [v.name, v] as const))('§5.2 %s', async (_, v) => {
    expect(toHex(await x25519(v.scalar, v.u))).toBe(toHex(v.output));
  });

  it.each(x25519Iterated.map((v) => [v.iterations, v] as const))(
    '§5.2 iterated, after %i iteration(s)',
    async (_, v) => {
      let k = v.start;
      let u = v.start;
      for (let i = 0; i < v.iterations; i++) {
        const next = await x25519(k, u);
        u = k;
        k = next;
      }
      expect(toHex(k)).toBe(toHex(v.k));
    },
  );

  it.each(x25519DiffieHellman.map((v) => [v.name, v] as const))('§6.1 %s', async (_, v) => {
    expect(toHex(await v.run())).toBe(toHex(v.expected));
  });
});

// ---------------------------------------------------------------------------
// Ed25519 (RFC 8032 §7.1, Wycheproof)
// ---------------------------------------------------------------------------

describe('Ed25519: RFC 8032 §7.1 vectors', () => {
  it('loads every committed case', () => {
    expect(ed25519Rfc.length).toBeGreaterThanOrEqual(5);
  });

  it.each(ed25519Rfc.map((v) => [v.name, v] as const))('%s', async (_, v) => {
    expect(toHex(await ed25519PublicKey(v.secretKey))).toBe(toHex(v.publicKey));
    expect(toHex(await ed25519Sign(v.secretKey, v.message))).toBe(toHex(v.signature));
    expect(await ed25519Verify(v.publicKey, v.message, v.signature)).toBe(true);
    const tampered = v.signature.slice();
    tampered[0]! ^= 0x01;
    expect(await ed25519Verify(v.publicKey, v.message, tampered)).toBe(false);
  });
});

describe('Ed25519: Wycheproof verification vectors', () => {
  it('loads every committed case, valid and invalid', () => {
    expect(ed25519Wycheproof.length).toBeGreaterThanOrEqual(69);
    expect(ed25519Wycheproof.some((v) => v.valid)).toBe(true);
    expect(ed25519Wycheproof.some((v) => !v.valid)).toBe(true);
  });

  it.each(ed25519Wycheproof.map((v) => [v.tcId, v.label, v] as const))('tcId %i (%s)', async (_, __, v) => {
    if (v.valid) {
      expect(await ed25519Verify(v.publicKey, v.message, v.signature)).toBe(true);
      return;
    }
    if (v.signature.length !== 64) {
      // A signature of the wrong length is a caller error for our API, refused before verifying.
      await expectInvalidInput(() => ed25519Verify(v.publicKey, v.message, v.signature));
      return;
    }
    expect(await ed25519Verify(v.publicKey, v.message, v.signature)).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// Wrong input lengths
// ---------------------------------------------------------------------------

describe('wrong input lengths throw CryptoError invalid-input', () => {
  const ek = mlKemEncaps[0]!.ek;
  const dk = mlKemDecaps[0]!.dk;
  const c = mlKemDecaps[0]!.c;
  const cases: [string, () => unknown][] = [
    ['ML-KEM keyGen, 31-byte d', () => mlKem1024KeyGen(new Uint8Array(31), new Uint8Array(32))],
    ['ML-KEM keyGen, 33-byte z', () => mlKem1024KeyGen(new Uint8Array(32), new Uint8Array(33))],
    ['ML-KEM encapsulate, 1567-byte public key', () => mlKem1024Encapsulate(ek.subarray(0, 1567))],
    ['ML-KEM encapsulate, 1569-byte public key', () => mlKem1024Encapsulate(new Uint8Array(1569))],
    ['ML-KEM encapsulate, 31-byte m', () => mlKem1024Encapsulate(ek, new Uint8Array(31))],
    ['ML-KEM decapsulate, 1567-byte ciphertext', () => mlKem1024Decapsulate(c.subarray(0, 1567), dk)],
    ['ML-KEM decapsulate, 3167-byte secret key', () => mlKem1024Decapsulate(c, dk.subarray(0, 3167))],
    ['X25519, 31-byte scalar', () => x25519(new Uint8Array(31), new Uint8Array(32))],
    ['X25519, 33-byte u-coordinate', () => x25519(new Uint8Array(32).fill(1), new Uint8Array(33))],
    ['X25519 public key, 31-byte private key', () => x25519PublicKey(new Uint8Array(31))],
    ['Ed25519 public key, 31-byte seed', () => ed25519PublicKey(new Uint8Array(31))],
    ['Ed25519 sign, 33-byte seed', () => ed25519Sign(new Uint8Array(33), new Uint8Array(1))],
    [
      'Ed25519 verify, 31-byte public key',
      () => ed25519Verify(new Uint8Array(31), new Uint8Array(0), new Uint8Array(64)),
    ],
    [
      'Ed25519 verify, 63-byte signature',
      () => ed25519Verify(new Uint8Array(32), new Uint8Array(0), new Uint8Array(63)),
    ],
  ];

  it.each(cases)('%s', async (_, run) => {
    await expectInvalidInput(run);
  });
});

// ---------------------------------------------------------------------------
// Cross-check against @noble/curves on random inputs
// ---------------------------------------------------------------------------

describe('cross-check with @noble/curves on random inputs', () => {
  const ROUNDS = 16;

  it('X25519 agrees on random scalars and u-coordinates', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const scalar = randomBytes(32);
      const u = nobleX25519.getPublicKey(randomBytes(32)); // a valid, non-low-order point
      expect(toHex(await x25519(scalar, u))).toBe(toHex(nobleX25519.scalarMult(scalar, u)));
      expect(toHex(await x25519PublicKey(scalar))).toBe(toHex(nobleX25519.getPublicKey(scalar)));
    }
  });

  it('Ed25519 agrees on random seeds and messages, both ways', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const seed = randomBytes(32);
      const message = randomBytes(i * 37);
      const publicKey = await ed25519PublicKey(seed);
      expect(toHex(publicKey)).toBe(toHex(nobleEd25519.getPublicKey(seed)));
      const ours = await ed25519Sign(seed, message);
      const theirs = nobleEd25519.sign(message, seed);
      expect(toHex(ours)).toBe(toHex(theirs)); // Ed25519 signing is deterministic
      expect(nobleEd25519.verify(ours, message, publicKey)).toBe(true);
      expect(await ed25519Verify(publicKey, message, theirs)).toBe(true);
      const forged = theirs.slice();
      forged[40]! ^= 0x80;
      expect(await ed25519Verify(publicKey, message, forged)).toBe(false);
    }
  });
});
