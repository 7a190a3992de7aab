/**
 * A lying directory. It holds its signing key, so it can sign anything; what
 * it cannot do is show a client a key that is not in a log consistent with
 * everything that client saw before, or hide a logged key from the owner who
 * monitors. Each case: the client refuses (a typed error, nothing returned,
 * nothing remembered), or detects the lie at its next check.
 */
import { describe, expect, it } from 'vitest';
import { generateLogSecrets, openLogSigner } from '../../server/transparency/secrets';
import { equalBytes } from '../../src/crypto/bytes';
import {
  decodeLeaf,
  decodeTreeHead,
  encodeLeaf,
  TREE_HEAD_LENGTH,
} from '../../src/directory-client/log-format';
import type { LookupResponse } from '../../src/directory-client/wire';
import { fromBase64, toBase64 } from '../../src/directory-client/wire';
import { FakeDirectory, type Route } from './fake-directory';
import { clientFor, identity, rejectsWith } from './helpers';

const isLookup = (r: Route) => r.path.startsWith('/v1/keys/');

/** Rewrites lookup answers with `edit` (on a deep copy). */
function onLookup(dir: FakeDirectory, edit: (body: LookupResponse) => void): void {
  dir.tamper = (route, answer) => {
    if (!isLookup(route) || answer.status !== 200) return answer;
    const body = structuredClone(answer.body) as LookupResponse;
    edit(body);
    return { status: 200, body };
  };
}

function flipBase64(value: string, byte = 0, bit = 0): string {
  const bytes = fromBase64(value, 'x');
  bytes[byte]! ^= 1 << bit;
  return toBase64(bytes);
}

async function setup() {
  const dir = await FakeDirectory.create();
  const alice = await identity('alice');
  const mallory = await identity('mallory', ['alice@example.org', 'mallory@example.org']);
  const notAlice = await identity('mallory-only', ['mallory@example.org']);
  await dir.noise(6);
  await dir.publish(alice.bundle);
  await dir.noise(5, 'later');
  return { dir, alice, mallory, notAlice };
}

/** A client that already verified a lookup, so it holds a tree head and a pin for alice. */
async function seasonedClient(dir: FakeDirectory) {
  const c = clientFor(dir);
  await c.client.lookup('alice@example.org');
  return c;
}

describe('a swapped key', () => {
  it('with the real key’s log entry: bad-proof', async () => {
    const { dir, mallory } = await setup();
    onLookup(dir, (b) => {
      b.bundle = toBase64(mallory.bundle.bytes);
    });
    await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'bad-proof');
  });

  it('with a made-up log entry for it that is not in the tree: bad-proof', async () => {
    const { dir, mallory } = await setup();
    onLookup(dir, (b) => {
      const real = decodeLeaf(fromBase64(b.transparency.leaf, 'leaf'));
      b.bundle = toBase64(mallory.bundle.bytes);
      b.transparency.leaf = toBase64(encodeLeaf({ ...real, fingerprint: mallory.bundle.fingerprint }));
    });
    await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'bad-proof');
  });

  it('that does not bind the address: wrong-address', async () => {
    const { dir, notAlice } = await setup();
    await dir.publish(notAlice.bundle); // logged, for mallory@ only
    onLookup(dir, (b) => {
      b.bundle = toBase64(notAlice.bundle.bytes);
    });
    await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'wrong-address');
  });

  it('with a broken self-signature: bad-signature', async () => {
    const { dir, alice } = await setup();
    onLookup(dir, (b) => {
      const bytes = alice.bundle.bytes.slice();
      bytes[bytes.length - 1]! ^= 1;
      b.bundle = toBase64(bytes);
    });
    await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'bad-signature');
  });

  it('served as a revocation entry: bad-proof', async () => {
    const { dir, alice } = await setup();
    await dir.revoke('alice@example.org', alice.bundle);
    const revokeIndex = dir.log.size - 1;
    dir.bindings.set('alice@example.org', { bundle: alice.bundle.bytes, leafIndex: revokeIndex });
    await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'bad-proof');
  });

  it('logged openly: lookups accept it (it is in the log), and the owner’s monitor raises the alarm', async () => {
    const { dir, alice, mallory } = await setup();
    const victim = await seasonedClient(dir);
    await dir.publish(mallory.bundle, ['alice@example.org']);
    const found = await victim.client.lookup('alice@example.org');
    expect(equalBytes(found.bundle.fingerprint, mallory.bundle.fingerprint)).toBe(true);
    const owner = clientFor(dir);
    const report = await owner.client.monitorOwnAddress('alice@example.org', [alice.bundle.fingerprint]);
    expect(report.alarm).toBe(true);
    expect(report.unexpected.map((e) => e.fingerprint)).toEqual([mallory.bundle.fingerprint]);
    expect(equalBytes(report.current!, mallory.bundle.fingerprint)).toBe(true);
  });

  it('an older binding served again after a rotation: inconsistent', async () => {
    const { dir, alice } = await setup();
    const rotated = await identity('alice-2', ['alice@example.org']);
    const oldBinding = dir.bindings.get('alice@example.org')!;
    await dir.revoke('alice@example.org', alice.bundle);
    await dir.publish(rotated.bundle);
    const { client } = clientFor(dir);
    expect(
      equalBytes((await client.lookup('alice@example.org')).bundle.fingerprint, rotated.bundle.fingerprint),
    ).toBe(true);
    dir.bindings.set('alice@example.org', oldBinding); // valid proofs, for an old leaf
    await rejectsWith(client.lookup('alice@example.org'), 'inconsistent');
  });

  it('logged under another address hash: a client that knew the address refuses it', async () => {
    const { dir, mallory } = await setup();
    const victim = await seasonedClient(dir);
    // The directory logs mallory's bundle (which names alice@) as if for another address.
    const tx = dir.store.transaction();
    const leaf = await dir.log.append(tx, {
      address: 'mallory@example.org',
      fingerprint: mallory.bundle.fingerprint,
      action: 'publish',
    });
    tx.commit();
    await dir.log.sync();
    dir.bindings.set('alice@example.org', { bundle: mallory.bundle.bytes, leafIndex: leaf.index });
    await rejectsWith(victim.client.lookup('alice@example.org'), 'inconsistent');
  });
});

describe('a forged or broken proof', () => {
  it('a flipped bit anywhere in the inclusion proof: bad-proof', async () => {
    const { dir } = await setup();
    const honest = (await clientFor(dir).client.lookup('alice@example.org')).treeHead;
    const proofLength = Math.ceil(Math.log2(honest.treeSize));
    for (let i = 0; i < proofLength; i++) {
      onLookup(dir, (b) => {
        b.transparency.inclusion[i] = flipBase64(b.transparency.inclusion[i]!, 31, 7);
      });
      await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'bad-proof');
    }
  });

  it('another leaf index, a truncated or extended proof: bad-proof', async () => {
    const { dir } = await setup();
    const edits: ((b: LookupResponse) => void)[] = [
      (b) => {
        b.transparency.leafIndex += 1;
      },
      (b) => {
        b.transparency.leafIndex -= 1;
      },
      (b) => {
        b.transparency.inclusion.pop();
      },
      (b) => {
        b.transparency.inclusion.push(b.transparency.inclusion[0]!);
      },
      (b) => {
        b.transparency.inclusion.reverse();
      },
    ];
    for (const edit of edits) {
      onLookup(dir, edit);
      await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'bad-proof');
    }
  });

  it('a tree head signed by another key, or changed after signing: bad-signature', async () => {
    const { dir } = await setup();
    const impostor = await openLogSigner(generateLogSecrets());
    const head = await dir.log.treeHead();
    const forged = await impostor.signTreeHead({
      treeSize: head.treeSize,
      timestamp: head.timestamp,
      rootHash: head.rootHash,
    });
    onLookup(dir, (b) => {
      b.transparency.sth = toBase64(forged);
    });
    await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'bad-signature');
    for (const byte of [9, 40, 48, 60, 100]) {
      onLookup(dir, (b) => {
        b.transparency.sth = flipBase64(b.transparency.sth, byte, 2);
      });
      await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'bad-signature');
    }
  });

  it('a broken or missing consistency proof: inconsistent, and the old head is kept', async () => {
    const { dir } = await setup();
    const seasoned = await seasonedClient(dir);
    const before = seasoned.store.head!.slice();
    await dir.noise(9, 'grow');
    for (const edit of [
      (b: LookupResponse) => {
        b.transparency.consistency[0] = flipBase64(b.transparency.consistency[0]!);
      },
      (b: LookupResponse) => {
        b.transparency.consistency = [];
      },
      (b: LookupResponse) => {
        b.transparency.consistency.pop();
      },
    ]) {
      onLookup(dir, edit);
      await rejectsWith(seasoned.client.lookup('alice@example.org'), 'inconsistent');
      expect(equalBytes(seasoned.store.head!, before)).toBe(true);
    }
    dir.tamper = undefined;
    expect((await seasoned.client.lookup('alice@example.org')).treeHead.treeSize).toBe(dir.log.size);
  });

  it('a proof from another size than the client knows: the client asks for the right one', async () => {
    const { dir } = await setup();
    const seasoned = await seasonedClient(dir);
    await dir.noise(4, 'grow');
    onLookup(dir, (b) => {
      b.transparency.consistency = [];
      b.transparency.consistencyFrom = 0;
    });
    expect((await seasoned.client.lookup('alice@example.org')).verified).toBe(true);
    expect(dir.requests.some((r) => r.path === '/v1/log/consistency')).toBe(true);
  });

  it('malformed answers: malformed', async () => {
    const { dir } = await setup();
    const edits: ((b: LookupResponse) => void)[] = [
      (b) => {
        b.transparency.inclusion[0] = b.transparency.inclusion[0]!.replace(/=*$/, '');
      },
      (b) => {
        b.transparency.inclusion[0] = toBase64(new Uint8Array(31));
      },
      (b) => {
        b.transparency.leaf = toBase64(new Uint8Array(73));
      },
      (b) => {
        (b as { transparency: unknown }).transparency = null;
      },
      (b) => {
        (b.transparency as { leafIndex: unknown }).leafIndex = '5';
      },
      (b) => {
        b.transparency.inclusion = Array(65).fill(b.transparency.inclusion[0]);
      },
      (b) => {
        b.bundle = `${b.bundle.slice(0, -4)}!!!!`;
      },
      (b) => {
        b.transparency.sth = toBase64(new Uint8Array(TREE_HEAD_LENGTH));
      },
      (b) => {
        b.transparency.sth = toBase64(new Uint8Array(TREE_HEAD_LENGTH - 1));
      },
    ];
    for (const edit of edits) {
      onLookup(dir, edit);
      await rejectsWith(clientFor(dir).client.lookup('alice@example.org'), 'malformed');
    }
  });
});

describe('a forked tree', () => {
  it('rolled back to an older, smaller tree: forked, with both heads as evidence', async () => {
    const { dir } = await setup();
    const fork = await dir.forkAt(dir.log.size);
    await dir.noise(3, 'ahead');
    const seasoned = await seasonedClient(dir);
    // The directory now answers from the past.
    const past = clientFor(fork, seasoned.store);
    const err = await rejectsWith(past.client.lookup('alice@example.org'), 'forked');
    expect(err.evidence?.map((e) => decodeTreeHead(e).treeSize)).toEqual([dir.log.size, fork.log.size]);
  });

  it('the same size with another root: forked', async () => {
    const { dir } = await setup();
    const at = dir.log.size;
    const fork = await dir.forkAt(at);
    await dir.noise(4, 'branch-one');
    await fork.noise(4, 'branch-two');
    const seasoned = await seasonedClient(dir);
    await rejectsWith(clientFor(fork, seasoned.store).client.lookup('alice@example.org'), 'forked');
  });

  it('a larger tree that does not extend the one seen: inconsistent', async () => {
    const { dir } = await setup();
    const fork = await dir.forkAt(dir.log.size - 2); // rewrites two leaves of the past
    await dir.noise(1, 'branch-one');
    await fork.noise(10, 'branch-two');
    const seasoned = await seasonedClient(dir);
    await rejectsWith(clientFor(fork, seasoned.store).client.lookup('alice@example.org'), 'inconsistent');
  });

  it('two clients shown two histories each verify alone; either detects the split at its next check', async () => {
    const { dir, mallory } = await setup();
    const fork = await dir.forkAt(dir.log.size);
    await fork.publish(mallory.bundle, ['alice@example.org']); // the victim's branch
    await dir.noise(1, 'honest');
    const honest = clientFor(dir);
    const victim = clientFor(fork);
    expect(
      equalBytes(
        (await victim.client.lookup('alice@example.org')).bundle.fingerprint,
        mallory.bundle.fingerprint,
      ),
    ).toBe(true);
    await honest.client.lookup('alice@example.org');
    // Without gossip, neither knows. The directory must keep the victim on its branch forever:
    // the first answer from the honest branch (same size, other root) gives the split away.
    await rejectsWith(clientFor(dir, victim.store).client.lookup('alice@example.org'), 'forked');
    await rejectsWith(clientFor(fork, honest.store).client.refreshTreeHead(), 'forked');
    // Comparing the two heads out of band shows it too: one size, two signed roots.
    const a = decodeTreeHead(honest.store.head!);
    const b = decodeTreeHead(victim.store.head!);
    expect(a.treeSize).toBe(b.treeSize);
    expect(equalBytes(a.rootHash, b.rootHash)).toBe(false);
  });

  it('a fork shown to the owner: the monitor, once on the honest branch, refuses the other', async () => {
    const { dir, alice, mallory } = await setup();
    const fork = await dir.forkAt(dir.log.size);
    await fork.publish(mallory.bundle, ['alice@example.org']);
    await dir.noise(1, 'honest');
    const owner = clientFor(dir);
    expect(
      (await owner.client.monitorOwnAddress('alice@example.org', [alice.bundle.fingerprint])).alarm,
    ).toBe(false);
    await rejectsWith(
      clientFor(fork, owner.store).client.monitorOwnAddress('alice@example.org', [alice.bundle.fingerprint]),
      'forked',
    );
  });
});

describe('what the client cannot see alone (docs/transparency.md §Limits)', () => {
  it('a swap logged under another address hash, shown only to a client that never looked the address up', async () => {
    const { dir, alice, mallory } = await setup();
    const tx = dir.store.transaction();
    const leaf = await dir.log.append(tx, {
      address: 'decoy@example.net',
      fingerprint: mallory.bundle.fingerprint,
      action: 'publish',
    });
    tx.commit();
    await dir.log.sync();
    const honestBinding = dir.bindings.get('alice@example.org')!;
    // Only the victim is shown the swap; the owner gets the honest answer.
    dir.bindings.set('alice@example.org', { bundle: mallory.bundle.bytes, leafIndex: leaf.index });
    const fresh = clientFor(dir);
    expect((await fresh.client.lookup('alice@example.org')).verified).toBe(true);
    dir.bindings.set('alice@example.org', honestBinding);
    const report = await clientFor(dir).client.monitorOwnAddress('alice@example.org', [
      alice.bundle.fingerprint,
    ]);
    expect(report.alarm).toBe(false);
    // What remains is evidence: the signed head and the leaf are in the log forever, and the
    // bundle that names alice@ was logged under a hash that is not alice@'s.
    expect(fresh.store.pins.get('alice@example.org')!.addressHash).not.toEqual(
      dir.log.addressHash('alice@example.org'),
    );
  });
});
