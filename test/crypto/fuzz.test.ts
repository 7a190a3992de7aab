/**
 * Bounded fuzzing (issue #2 §4): the parsers see random and mutated input and
 * only typed CryptoErrors ever come out — no TypeError, RangeError, hang or
 * plaintext. Seeds are fixed so a failure reproduces; FUZZ_RUNS scales it.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  armor,
  dearmor,
  decryptMessage,
  encryptMessage,
  type Identity,
  parseKeyBundle,
} from '../../src/crypto';
import { parseEnvelope } from '../../src/crypto/envelope';
import { parsePayload } from '../../src/crypto/payload';
import { fixtureIdentity } from './fixtures';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1);

let bob: Identity;
let alice: Identity;
let envelope: Uint8Array;

beforeAll(async () => {
  [alice, bob] = await Promise.all([fixtureIdentity('alice'), fixtureIdentity('bob')]);
  envelope = await encryptMessage(
    { subject: 'fuzz', body: { type: 'text/plain', text: 'y'.repeat(70_000) } },
    {
      sender: alice,
      senderAddress: 'alice@example.test',
      recipients: [{ address: 'bob@example.test', bundle: bob.bundle }],
      passwordRecipients: {
        addresses: ['p@example.test'],
        password: 'pw',
        argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 },
      },
    },
  );
});

function onlyTypedErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if ((e as Error)?.name !== 'CryptoError') throw e;
  }
}

async function onlyTypedErrorsAsync(f: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await f();
    return 'ok';
  } catch (e) {
    if ((e as Error)?.name !== 'CryptoError') throw e;
    return (e as { code: string }).code;
  }
}

/** Structural mutations of a byte string. */
const mutation = (max: number) =>
  fc.oneof(
    fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat({ max }),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat({ max }) }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat({ max }),
      n: fc.integer({ min: 1, max: 2000 }),
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat({ max }),
      bytes: fc.uint8Array({ maxLength: 64 }),
    }),
    fc.record({
      kind: fc.constant('extreme' as const),
      at: fc.nat({ max: 2000 }),
      width: fc.constantFrom(1, 2, 4, 8),
    }),
  );

type Mutation = ReturnType<typeof mutation> extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = Math.min(m.at, bytes.length);
  switch (m.kind) {
    case 'flip': {
      const c = bytes.slice();
      if (at < c.length) c[at]! ^= m.mask;
      return c;
    }
    case 'cut':
      return bytes.slice(0, at);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.n)]);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    default: {
      // Length fields set to all-ones: the classic parser killer.
      const c = bytes.slice();
      c.fill(0xff, at, Math.min(c.length, at + m.width));
      return c;
    }
  }
}

describe('fuzzing the parsers', () => {
  it('parseEnvelope: random bytes and bytes after the magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), fc.boolean(), (bytes, magic) => {
        const input = magic ? Buffer.concat([Buffer.from('CPMG\x01\x01\x00\x00'), bytes]) : bytes;
        onlyTypedErrors(() => parseEnvelope(input));
      }),
      { numRuns: 3000 * RUNS, seed: 1 },
    );
  });

  it('parseEnvelope: mutated real envelopes', () => {
    fc.assert(
      fc.property(fc.array(mutation(envelope.length), { minLength: 1, maxLength: 4 }), (ms) => {
        let bytes = envelope;
        for (const m of ms) bytes = mutate(bytes, m);
        onlyTypedErrors(() => parseEnvelope(bytes));
      }),
      { numRuns: 3000 * RUNS, seed: 2 },
    );
  });

  it('decryptMessage: mutated real envelopes never decrypt and fail typed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation(envelope.length), { minLength: 1, maxLength: 3 }), async (ms) => {
        let bytes = envelope;
        for (const m of ms) bytes = mutate(bytes, m);
        if (Buffer.compare(bytes, envelope) === 0) return;
        expect(await onlyTypedErrorsAsync(() => decryptMessage(bytes, { identities: [bob] }))).not.toBe('ok');
      }),
      { numRuns: 150 * RUNS, seed: 3 },
    );
  });

  it('parsePayload: random and mutated payloads', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        onlyTypedErrors(() => parsePayload(bytes));
      }),
      { numRuns: 3000 * RUNS, seed: 4 },
    );
  });

  it('parseKeyBundle: mutated real bundles', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation(bob.bundle.bytes.length), { minLength: 1, maxLength: 3 }),
        async (ms) => {
          let bytes = bob.bundle.bytes;
          for (const m of ms) bytes = mutate(bytes, m);
          if (Buffer.compare(bytes, bob.bundle.bytes) === 0) return;
          expect(await onlyTypedErrorsAsync(() => parseKeyBundle(bytes))).not.toBe('ok');
        },
      ),
      { numRuns: 500 * RUNS, seed: 5 },
    );
  });

  it('dearmor: random text and mutated armor', () => {
    const text = armor(envelope.subarray(0, 3000));
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 2000 }),
        fc.nat({ max: text.length }),
        fc.string({ maxLength: 20 }),
        (junk, at, insert) => {
          onlyTypedErrors(() => dearmor(junk));
          onlyTypedErrors(() => dearmor(text.slice(0, at) + insert + text.slice(at)));
          onlyTypedErrors(() =>
            dearmor(`-----BEGIN CIPHERPOST MESSAGE-----\n${junk}\n-----END CIPHERPOST MESSAGE-----`),
          );
        },
      ),
      { numRuns: 2000 * RUNS, seed: 6 },
    );
  });
});
