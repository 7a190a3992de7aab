/**
 * Shared by the keyring tests: a fresh fake IndexedDB per test, a fake clock,
 * cheap Argon2id parameters, contact bundles from fixed seeds, and raw access
 * to the stored records (to flip bytes, move records, compare ciphertexts).
 */
import 'fake-indexeddb/auto'; // idb's wrappers need the IDB* globals; each test still gets its own factory
import { IDBFactory } from 'fake-indexeddb';
import { type IDBPDatabase, wrap } from 'idb';
import { expect } from 'vitest';
import { type Argon2Params, type Identity, openIdentity } from '../../src/crypto';
import { Vault, type VaultKey } from '../../src/keyring';
import { testDrbg } from '../crypto/drbg';

/** Argon2id at the lower bounds (8 MiB, t = 1): the logic is the same, the suite stays fast. */
export const CHEAP: Argon2Params = { memoryKiB: 8192, iterations: 1, parallelism: 1 };
export const PASSPHRASE = 'correct horse battery staple';
export const DB = 'vault-test';
/** 2026-01-01T00:00:00Z */
export const T0 = 1_767_225_600_000;

export interface Clock {
  now: () => number;
  advance: (ms: number) => void;
  set: (ms: number) => void;
}

export function fakeClock(start = T0): Clock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

export interface TestVault {
  vault: Vault;
  key: VaultKey;
  recoveryCode: string;
  factory: IDBFactory;
  clock: Clock;
}

export function openVault(factory: IDBFactory, clock: Clock, schemaVersion?: number): Promise<Vault> {
  return Vault.open({
    indexedDB: factory,
    name: DB,
    now: clock.now,
    ...(schemaVersion !== undefined ? { schemaVersion } : {}),
  });
}

export async function createVault(
  options: { schemaVersion?: number; factory?: IDBFactory } = {},
): Promise<TestVault> {
  const factory = options.factory ?? new IDBFactory();
  const clock = fakeClock();
  const vault = await openVault(factory, clock, options.schemaVersion);
  const { key, recoveryCode } = await vault.create(PASSPHRASE, { argon2: CHEAP });
  return { vault, key, recoveryCode, factory, clock };
}

/** Asserts that `promise` rejects with a VaultError of `code`, and returns it. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { code: string; retryAfterMs?: number }> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected a rejection with ${code}`).toBeInstanceOf(Error);
  const err = e as Error & { code: string };
  expect(err.name, err.message).toBe('VaultError');
  expect(err.code, err.message).toBe(code);
  return err;
}

/** A signed bundle for `addresses` from a fixed seed; `created` in seconds. */
export async function person(
  name: string,
  created = T0 / 1000,
  addresses = [`${name}@example.test`],
): Promise<Identity> {
  return openIdentity(testDrbg(`keyring ${name} ${created}`)(32), { addresses, created });
}

/** A raw connection to the test database (version unchanged), for inspecting and tampering. */
export async function rawDb(factory: IDBFactory): Promise<IDBPDatabase> {
  return (await wrap(factory.open(DB))) as IDBPDatabase;
}

export async function rawAll(factory: IDBFactory, store: string): Promise<Record<string, unknown>[]> {
  const db = await rawDb(factory);
  try {
    return (await db.getAll(store)) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

export async function rawPut(
  factory: IDBFactory,
  store: string,
  value: unknown,
  key?: IDBValidKey,
): Promise<void> {
  const db = await rawDb(factory);
  try {
    await db.put(store, value, key);
  } finally {
    db.close();
  }
}
