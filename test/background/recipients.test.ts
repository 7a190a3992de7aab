/**
 * compose:recipients with a key directory configured (issue 5 on top of issue
 * #4): an unknown recipient is looked up, recorded directory-verified and noted
 * `from-directory`; not published is a plain `no-key`; a directory that fails
 * or lies is `no-key` with `directory-error`, and no contact is made.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeDirectory } from '../directory-client/fake-directory';
import { identity } from '../directory-client/helpers';
import { type Background, background, frame, value } from './webmail-harness';

let bg: Background;
let directory: FakeDirectory;

beforeEach(async () => {
  bg = await background();
  directory = await FakeDirectory.create();
  bg.fetch.impl = directory.fetch;
  await value(
    bg.send({
      type: 'settings:set',
      directoryUrl: 'https://keys.example.org',
      directoryPublicKey: Buffer.from(directory.publicKey).toString('base64'),
    }),
  );
});

const recipients = (addresses: string[]) =>
  value(bg.send({ type: 'compose:recipients', addresses }, frame(3, 2, 'compose.html')));

describe('compose:recipients with a directory', () => {
  it('finds a published key, records the contact, and says so', async () => {
    const bob = await identity('bob');
    await directory.publish(bob.bundle);
    expect(await recipients(['Bob@Example.org', 'nobody@example.org'])).toEqual([
      {
        address: 'bob@example.org',
        status: 'directory-verified',
        fingerprint: expect.stringMatching(/^([0-9A-F]{4} ){15}[0-9A-F]{4}$/),
        note: 'from-directory',
      },
      { address: 'nobody@example.org', status: 'no-key' },
    ]);
    const [contact] = await value(bg.send({ type: 'contacts:list' }));
    expect(contact).toMatchObject({ address: 'bob@example.org', trust: 'directory-verified' });
    // Not published: remembered for a while, so editing the recipients does not ask again.
    let asked = 0;
    bg.fetch.impl = (url, init) => {
      asked++;
      return directory.fetch(url, init);
    };
    await recipients(['nobody@example.org']);
    expect(asked).toBe(0);
    // Known now: answered from the contacts, without a note.
    const [again] = await recipients(['bob@example.org']);
    expect(again).toMatchObject({ status: 'directory-verified' });
    expect(again!.note).toBeUndefined();
    expect(asked).toBe(0);
  });

  it('a directory that is down or lies is directory-error, and no contact is made', async () => {
    bg.fetch.impl = async () => {
      throw new TypeError('fetch failed');
    };
    expect(await recipients(['carol@example.org'])).toEqual([
      { address: 'carol@example.org', status: 'no-key', note: 'directory-error' },
    ]);
    const carol = await identity('carol');
    const mallory = await identity('mallory', ['carol@example.org']);
    await directory.publish(carol.bundle);
    bg.fetch.impl = directory.fetch;
    directory.tamper = (route, answer) => {
      if (!route.path.startsWith('/v1/keys/')) return answer;
      const body = answer.body as { bundle: string };
      return { ...answer, body: { ...body, bundle: Buffer.from(mallory.bundle.bytes).toString('base64') } };
    };
    expect(await recipients(['carol@example.org'])).toEqual([
      { address: 'carol@example.org', status: 'no-key', note: 'directory-error' },
    ]);
    expect(await value(bg.send({ type: 'contacts:list' }))).toEqual([]);
  });
});
