/**
 * Tamper tests (issue #2 §4): every modification yields a typed CryptoError
 * and no plaintext.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptMessage, encryptMessage, type Identity } from '../../src/crypto';
import { SEALED_CHUNK_SIZE } from '../../src/crypto/chunked-aead';
import { encodeHeader, parseEnvelope, StanzaType } from '../../src/crypto/envelope';
import { fixtureIdentity, rejectsWith } from './fixtures';

const CODES = [
  'corrupted',
  'truncated',
  'not-for-this-key',
  'not-cipherpost',
  'unsupported-version',
  'bad-signature',
];

let alice: Identity;
let bob: Identity;
let carol: Identity;
let small: Uint8Array;
let large: Uint8Array;
let large2: Uint8Array;
const LARGE_TEXT = 'x'.repeat(200_000);

const send = (text: string, recipients: Identity[]) =>
  encryptMessage(
    { subject: 'subject', body: { type: 'text/plain', text } },
    {
      sender: alice,
      senderAddress: 'alice@example.test',
      recipients: recipients.map((r) => ({ address: r.bundle.addresses[0]!, bundle: r.bundle })),
    },
  );

/** Decrypts and asserts a typed error, never a result. */
async function expectRefused(env: Uint8Array, reader: Identity = bob): Promise<string> {
  let result: unknown;
  try {
    result = await decryptMessage(env, { identities: [reader] });
  } catch (e) {
    expect((e as Error).name).toBe('CryptoError');
    const code = (e as { code: string }).code;
    expect(CODES).toContain(code);
    return code;
  }
  throw new Error(`tampered envelope decrypted: ${JSON.stringify(result).slice(0, 80)}`);
}

function rebuild(env: Uint8Array, edit: (e: ReturnType<typeof parseEnvelope>) => void): Uint8Array {
  const e = parseEnvelope(env);
  edit(e);
  const header = encodeHeader(e.ephemeralPublicKey, e.stanzas, e.payload.length);
  return Buffer.concat([header, e.payload]);
}

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([
    fixtureIdentity('alice'),
    fixtureIdentity('bob'),
    fixtureIdentity('carol'),
  ]);
  small = await send('short', [bob, carol]);
  large = await send(LARGE_TEXT, [bob]);
  large2 = await send(LARGE_TEXT, [bob]);
  expect(parseEnvelope(large).payload.length).toBeGreaterThan(3 * SEALED_CHUNK_SIZE);
});

describe('tampering', () => {
  it('the untampered messages decrypt (control)', async () => {
    expect((await decryptMessage(small, { identities: [bob] })).body.text).toBe('short');
    expect((await decryptMessage(large, { identities: [bob] })).body.text).toBe(LARGE_TEXT);
  });

  it('refuses every flipped byte of a small message', async () => {
    // Every position of the header and a sample of the payload.
    const header = parseEnvelope(small).header.length;
    const positions = [...Array(header).keys()].filter((i) => i < 200 || i % 7 === 0);
    for (let i = header; i < small.length; i += 11) positions.push(i);
    positions.push(small.length - 1);
    for (const pos of positions) {
      const copy = small.slice();
      copy[pos]! ^= 1 << (pos % 8);
      await expectRefused(copy);
    }
  });

  it('refuses any flipped byte of a multi-chunk message (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: large.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (pos, mask) => {
          const copy = large.slice();
          copy[pos]! ^= mask;
          await expectRefused(copy);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses every truncation, including at chunk boundaries', async () => {
    const { header } = parseEnvelope(large);
    const cuts = [0, 3, 4, 10, 40, header.length - 1, header.length, header.length + 16];
    for (let k = 1; k <= 3; k++) cuts.push(header.length + k * SEALED_CHUNK_SIZE);
    cuts.push(large.length - 1);
    for (const cut of cuts) {
      const code = await expectRefused(large.subarray(0, cut));
      expect(['truncated', 'not-cipherpost']).toContain(code);
    }
  });

  it('refuses a truncation whose declared payload length was shortened to match', async () => {
    // The attacker drops the last chunk and rewrites the length field.
    const cut = rebuild(large, (e) => {
      e.payload = e.payload.subarray(0, 3 * SEALED_CHUNK_SIZE);
    });
    expect(await expectRefused(cut)).toBe('corrupted');
  });

  it('refuses reordered chunks', async () => {
    const swapped = rebuild(large, (e) => {
      const p = e.payload.slice();
      const c0 = p.slice(0, SEALED_CHUNK_SIZE);
      p.copyWithin(0, SEALED_CHUNK_SIZE, 2 * SEALED_CHUNK_SIZE);
      p.set(c0, SEALED_CHUNK_SIZE);
      e.payload = p;
    });
    expect(await expectRefused(swapped)).toBe('corrupted');
  });

  it('refuses a chunk swapped in from another message', async () => {
    const other = parseEnvelope(large2).payload;
    const mixed = rebuild(large, (e) => {
      const p = e.payload.slice();
      p.set(other.subarray(SEALED_CHUNK_SIZE, 2 * SEALED_CHUNK_SIZE), SEALED_CHUNK_SIZE);
      e.payload = p;
    });
    expect(await expectRefused(mixed)).toBe('corrupted');
  });

  it('refuses a recipient stanza swapped in from another message to the same reader', async () => {
    const theirs = parseEnvelope(large2).stanzas.find((s) => s.type === StanzaType.Recipient)!;
    const mixed = rebuild(large, (e) => {
      e.stanzas = e.stanzas.map((s) => (s.type === StanzaType.Recipient ? theirs : s));
    });
    expect(await expectRefused(mixed)).toBe('not-for-this-key');
  });

  it('refuses reordered or dropped stanzas (the header is bound to the payload)', async () => {
    const reordered = rebuild(small, (e) => e.stanzas.reverse());
    expect(await expectRefused(reordered)).toBe('corrupted');
    const dropped = rebuild(small, (e) => {
      e.stanzas = e.stanzas.filter(
        (s, i) =>
          s.type !== StanzaType.Recipient ||
          i !== e.stanzas.findIndex((t) => t.type === StanzaType.Recipient),
      );
    });
    // Bob's stanza may be the one dropped; either way no plaintext comes out.
    expect(['corrupted', 'not-for-this-key']).toContain(await expectRefused(dropped));
  });

  it('refuses an appended byte', async () => {
    expect(await expectRefused(Buffer.concat([small, Buffer.of(0)]))).toBe('corrupted');
  });

  it('refuses unknown versions, suites and flags with unsupported-version', async () => {
    for (const [pos, value] of [
      [4, 2],
      [5, 9],
      [7, 1],
    ] as const) {
      const copy = small.slice();
      copy[pos] = value;
      await rejectsWith(decryptMessage(copy, { identities: [bob] }), 'unsupported-version');
    }
  });

  it('says not-cipherpost for other data', async () => {
    await rejectsWith(
      decryptMessage(new TextEncoder().encode('hello world'), { identities: [bob] }),
      'not-cipherpost',
    );
    await rejectsWith(decryptMessage(new Uint8Array(0), { identities: [bob] }), 'not-cipherpost');
  });
});
