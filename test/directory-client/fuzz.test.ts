/**
 * Bounded fuzzing of the client's parsing and checks: random mutations of
 * lookup and history answers (bit flips in any binary field, fields replaced
 * by other JSON values, removed or added) must end in a DirectoryError — never
 * another exception, never a key other than the one the directory logged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/crypto/bytes';
import { DirectoryError } from '../../src/directory-client/errors';
import { fromBase64, toBase64 } from '../../src/directory-client/wire';
import { FakeDirectory, MemoryClientStore } from './fake-directory';
import { clientFor, identity } from './helpers';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Paths to every leaf value of a JSON value. */
function leaves(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [path, ...value.flatMap((v, i) => leaves(v, [...path, i]))];
  if (value && typeof value === 'object')
    return [path, ...Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]))];
  return [path];
}

function setAt(root: Json, path: (string | number)[], replace: (old: Json) => Json | undefined): Json {
  if (path.length === 0) return replace(root) ?? null;
  const parent = path
    .slice(0, -1)
    .reduce<Json>((node, key) => (node as Record<string, Json>)[key as string]!, root);
  const key = path.at(-1)!;
  const next = replace((parent as Record<string, Json>)[key as string]!);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string, Json>)[key as string];
  } else {
    (parent as Record<string, Json>)[key as string] = next;
  }
  return root;
}

const jsonValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -2, max: 1_000 }),
  fc.double(),
  fc.string({ maxLength: 8 }),
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.constant('AAAA'),
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), byte: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('replace' as const), value: jsonValue }),
  fc.record({ kind: fc.constant('remove' as const) }),
);

function mutate(body: Json, pick: number, m: MutationT): Json {
  const copy = structuredClone(body);
  const paths = leaves(copy);
  const path = paths[pick % paths.length]!;
  return setAt(copy, path, (old) => {
    if (m.kind === 'remove') return undefined;
    if (m.kind === 'replace') return m.value;
    if (typeof old === 'string' && old.length > 0) {
      try {
        const bytes = fromBase64(old, 'x');
        if (bytes.length === 0) return `${old}A`;
        bytes[m.byte % bytes.length]! ^= 1 << m.bit;
        return toBase64(bytes);
      } catch {
        return `${old}!`;
      }
    }
    if (typeof old === 'number') return old + 1 + (m.byte % 5);
    return m.byte;
  });
}
type MutationT =
  | { kind: 'flip'; byte: number; bit: number }
  | { kind: 'replace'; value: Json }
  | { kind: 'remove' };

describe('fuzzed directory answers', () => {
  it('lookups: a DirectoryError or the logged key, nothing else', async () => {
    const dir = await FakeDirectory.create();
    const alice = await identity('alice');
    await dir.noise(5);
    await dir.publish(alice.bundle);
    await dir.noise(4, 'later');
    const seasoned = clientFor(dir);
    await seasoned.client.lookup('alice@example.org');
    await dir.noise(3, 'grow');
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, fc.boolean(), async (pick, m, fresh) => {
        dir.tamper = (route, answer) =>
          route.path.startsWith('/v1/keys/')
            ? { ...answer, body: mutate(answer.body as Json, pick, m) }
            : answer;
        let store: MemoryClientStore | undefined;
        if (!fresh) {
          store = new MemoryClientStore();
          store.head = seasoned.store.head;
          for (const [a, pin] of seasoned.store.pins) store.pins.set(a, pin);
        }
        const { client } = clientFor(dir, store);
        try {
          const found = await client.lookup('alice@example.org');
          expect(equalBytes(found.bundle.fingerprint, alice.bundle.fingerprint)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(DirectoryError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('monitoring: a DirectoryError or a report without a false alarm', async () => {
    const dir = await FakeDirectory.create();
    const alice = await identity('alice');
    await dir.noise(3);
    await dir.publish(alice.bundle);
    await dir.noise(2, 'later');
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, async (pick, m) => {
        dir.tamper = (route, answer) =>
          route.path === '/v1/log/history'
            ? { ...answer, body: mutate(answer.body as Json, pick, m) }
            : answer;
        try {
          const report = await clientFor(dir).client.monitorOwnAddress('alice@example.org', [
            alice.bundle.fingerprint,
          ]);
          expect(report.alarm).toBe(false);
        } catch (e) {
          expect(e).toBeInstanceOf(DirectoryError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
