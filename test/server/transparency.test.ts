/**
 * The directory with its transparency log, read by the extension's directory
 * client (src/directory-client) end to end: every lookup answer is proven in
 * a signed tree head, every binding change is a leaf, the log grows
 * consistently across publish, replacement and revocation, and the log's
 * history of an address shows what the owner did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationMessage } from '../../server/services/revocation-request';
import type { Identity } from '../../src/crypto';
import { equalBytes } from '../../src/crypto/bytes';
import {
  createDirectoryClient,
  type DirectoryClient,
  type FetchLike,
} from '../../src/directory-client/client';
import { decodeLeaf } from '../../src/directory-client/log-format';
import { fromBase64 } from '../../src/directory-client/wire';
import { MemoryClientStore } from '../directory-client/fake-directory';
import { PUBLIC_URL, publishBody, type TestApp, testApp, tokenFromEncryptedMail } from './app-helpers';
import { hex, identityFor } from './helpers';

describe('directory + transparency log + directory client', () => {
  let t: TestApp;
  let client: DirectoryClient;
  let mia: Identity;
  let mia2: Identity;

  beforeAll(async () => {
    t = await testApp((c) => {
      c.limits.mail.max = 1000;
    });
    const fetch: FetchLike = async (url, init) => {
      const u = new URL(url);
      const res = await t.app.inject({
        method: (init?.method ?? 'GET') as 'GET' | 'POST',
        url: u.pathname + u.search,
        payload: init?.body as string | undefined,
        headers: init?.body ? { 'content-type': 'application/json' } : {},
      });
      return new Response(res.body, { status: res.statusCode });
    };
    client = createDirectoryClient({
      baseUrl: PUBLIC_URL,
      publicKey: t.app.transparencyLog!.publicKey,
      store: new MemoryClientStore(),
      fetch,
    });
    [mia, mia2] = await Promise.all([identityFor('mia@example.test'), identityFor('mia@example.test')]);
  });
  afterAll(() => t?.close());

  async function publishAndConfirm(id: Identity) {
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/keys', payload: publishBody(id) })).statusCode,
    ).toBe(202);
    const token = await tokenFromEncryptedMail(t.mails.at(-1)!, id);
    expect((await t.app.inject({ method: 'POST', url: '/v1/confirm', payload: { token } })).statusCode).toBe(
      200,
    );
  }

  it('the client verifies a lookup: leaf, inclusion, signed head', async () => {
    await expect(client.lookup('mia@example.test')).rejects.toMatchObject({ code: 'not-found' });
    await publishAndConfirm(mia);
    const r = await client.lookup('mia@example.test');
    expect(equalBytes(r.bundle.fingerprint, mia.bundle.fingerprint)).toBe(true);
    expect(r.leafIndex).toBe(0);
    expect(r.treeHead.treeSize).toBe(1);
    // A client that knows a larger tree (another instance synced further) gets no consistency proof.
    const tooFar = await t.app.inject({ method: 'GET', url: '/v1/keys/mia@example.test?known=99' });
    expect(tooFar.statusCode).toBe(200);
    expect(tooFar.json().transparency.consistencyFrom).toBe(0);
    const bad = await t.app.inject({ method: 'GET', url: '/v1/keys/mia@example.test?known=-1' });
    expect(bad.statusCode).toBe(400);
  });

  it('replacement and revocation are leaves; the client follows consistently; history shows them', async () => {
    t.clock.now += 3600_001;
    await publishAndConfirm(mia2);
    const r = await client.lookup('mia@example.test');
    expect(equalBytes(r.bundle.fingerprint, mia2.bundle.fingerprint)).toBe(true);
    expect(r.leafIndex).toBe(1);

    const nonce = new Uint8Array(16).fill(1);
    const { ed25519SignWith } = await import('../../src/crypto/ed25519');
    const signature = await ed25519SignWith(
      mia2.keys.ed25519PrivateKey,
      revocationMessage(PUBLIC_URL, mia2.bundle.fingerprint, t.clock.now, nonce),
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/revoke',
      payload: {
        fingerprint: hex(mia2.bundle.fingerprint),
        timestamp: t.clock.now,
        nonce: Buffer.from(nonce).toString('base64url'),
        signature: Buffer.from(signature).toString('base64'),
      },
    });
    expect(res.statusCode).toBe(200);
    await expect(client.lookup('mia@example.test')).rejects.toMatchObject({ code: 'not-found' });

    const report = await client.monitorOwnAddress('mia@example.test', [
      mia.bundle.fingerprint,
      mia2.bundle.fingerprint,
    ]);
    expect(report.entries.map((e) => e.action)).toEqual(['publish', 'publish', 'revoke']);
    expect(report.alarm).toBe(false);
    expect(report.current).toBeUndefined();
    const head = await client.refreshTreeHead();
    expect(head.treeSize).toBe(3);

    // The leaves name no address.
    const leaves = await t.app.repository.leaves.leaves(0, 3);
    for (const leaf of leaves) {
      expect(Buffer.from(leaf).includes(Buffer.from('mia'))).toBe(false);
      expect(decodeLeaf(leaf).addressHash).toEqual(t.app.transparencyLog!.addressHash('mia@example.test'));
    }
  });

  it('an owner whose address was bound to a key they never published sees the alarm', async () => {
    const report = await client.monitorOwnAddress('mia@example.test', [mia.bundle.fingerprint]);
    expect(report.alarm).toBe(true);
    expect(report.unexpected.map((e) => hex(e.fingerprint))).toEqual([hex(mia2.bundle.fingerprint)]);
  });

  it('serves the log routes with the lookup answer shape', async () => {
    const head = await t.app.inject({ method: 'GET', url: '/v1/log/head' });
    expect(head.statusCode).toBe(200);
    expect(fromBase64(head.json().sth, 'sth').length).toBe(145);
    const known = await t.app.inject({ method: 'GET', url: '/v1/keys/mia@example.test?known=99' });
    expect(known.statusCode).toBe(404); // no binding: the miss comes first
  });
});
