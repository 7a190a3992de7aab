/** Identities, clients and assertions shared by the directory-client tests. */
import { expect } from 'vitest';
import { type Identity, openIdentity } from '../../src/crypto';
import { sha256 } from '../../src/crypto/hash';
import { createDirectoryClient, type DirectoryClient } from '../../src/directory-client/client';
import { DirectoryError, type DirectoryErrorCode } from '../../src/directory-client/errors';
import { type FakeDirectory, MemoryClientStore } from './fake-directory';

const CREATED = 1_767_225_600;

export function identity(name: string, addresses: string[] = [`${name}@example.org`]): Promise<Identity> {
  return openIdentity(sha256(new TextEncoder().encode(`directory-client test ${name}`)), {
    addresses,
    created: CREATED,
  });
}

export function clientFor(
  directory: Pick<FakeDirectory, 'fetch' | 'publicKey'>,
  store = new MemoryClientStore(),
): { client: DirectoryClient; store: MemoryClientStore } {
  const client = createDirectoryClient({
    baseUrl: 'https://keys.example.org/',
    publicKey: directory.publicKey,
    store,
    fetch: directory.fetch,
  });
  return { client, store };
}

export async function rejectsWith(
  promise: Promise<unknown>,
  code: DirectoryErrorCode,
): Promise<DirectoryError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(DirectoryError);
    expect((e as DirectoryError).code, (e as Error).message).toBe(code);
    return e as DirectoryError;
  }
  throw new Error(`expected DirectoryError ${code}, but it resolved`);
}
