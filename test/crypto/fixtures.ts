/** Identities shared by the crypto tests, made once per file from fixed seeds. */
import { type Identity, openIdentity } from '../../src/crypto';
import { testDrbg } from './drbg';

/** 2026-01-01T00:00:00Z: key creation time of every fixture identity. */
export const CREATED = 1_767_225_600;
export const MESSAGE_DATE = CREATED * 1000 + 3_600_000;

export function fixtureIdentity(name: string, addresses = [`${name}@example.test`]): Promise<Identity> {
  return openIdentity(testDrbg(`identity ${name}`)(32), { addresses, created: CREATED });
}

/** Asserts that `promise` rejects with a CryptoError of `code`, and returns it. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { code: string }> {
  let result: unknown;
  try {
    result = await promise;
  } catch (e) {
    const err = e as Error & { code: string };
    if (err?.name !== 'CryptoError') throw new Error(`expected CryptoError ${code}, got ${String(e)}`);
    if (err.code !== code) throw new Error(`expected code ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  throw new Error(`expected rejection with ${code}, but it resolved to ${typeof result}`);
}
