import { describe, expect, it } from 'vitest';
import { formatFingerprint } from '../../src/crypto';
import { toHex } from '../../src/crypto/bytes';
import { currentKey, MAX_HISTORY, MAX_KEYS_PER_CONTACT } from '../../src/keyring';
import { applyObservation, decodeContact, encodeContact } from '../../src/keyring/contact-record';
import { createVault, person, rawAll, rejectsWith, T0 } from './helpers';

const DAY = 86_400;

describe('contacts in the vault', () => {
  it('records the first key, ignores the same key, and reports a key change with both fingerprints', async () => {
    const { vault, key, clock } = await createVault();
    const alice1 = await person('alice');
    const alice2 = await person('alice', T0 / 1000 + DAY);
    const fp1 = toHex(alice1.bundle.fingerprint);
    const fp2 = toHex(alice2.bundle.fingerprint);

    const first = await vault.contacts.observe(key, {
      address: ' Alice@Example.TEST ',
      bundle: alice1.bundle.bytes,
      source: 'directory',
    });
    expect(first).toMatchObject({ changed: false, status: 'new-contact' });
    expect(first.contact.address).toBe('alice@example.test');
    expect(currentKey(first.contact)).toMatchObject({
      fingerprint: fp1,
      source: 'directory',
      trust: 'unverified',
      firstSeen: T0,
    });

    clock.advance(1000);
    const same = await vault.contacts.observe(key, {
      address: 'alice@example.test',
      bundle: alice1.bundle.bytes,
      source: 'message',
    });
    expect(same).toMatchObject({ changed: false, status: 'same-key' });
    expect(same.contact.history).toHaveLength(1);

    clock.advance(1000);
    const changed = await vault.contacts.observe(key, {
      address: 'alice@example.test',
      bundle: alice2.bundle.bytes,
      source: 'message',
      directoryVerified: true, // ignored: a changed key starts unverified
    });
    expect(changed).toMatchObject({
      changed: true,
      status: 'key-changed',
      oldFingerprint: fp1,
      newFingerprint: fp2,
    });
    const contact = changed.contact;
    expect(contact.current).toBe(fp2);
    expect(currentKey(contact).trust).toBe('unverified');
    expect(contact.pendingChange).toEqual({ oldFingerprint: fp1, newFingerprint: fp2, at: T0 + 2000 });
    expect(contact.keys.map((k) => k.fingerprint)).toEqual([fp1, fp2]);
    expect(contact.history).toEqual([
      { type: 'first-seen', at: T0, fingerprint: fp1, source: 'directory' },
      { type: 'key-changed', at: T0 + 2000, oldFingerprint: fp1, newFingerprint: fp2, source: 'message' },
    ]);
    expect(await vault.contacts.get(key, 'ALICE@example.test')).toEqual(contact);
  });

  it('never rolls back to an older key', async () => {
    const { vault, key } = await createVault();
    const newer = await person('bob', T0 / 1000 + DAY, ['bob@example.test']);
    const older = await person('bob', T0 / 1000, ['bob@example.test']);
    await vault.contacts.observe(key, {
      address: 'bob@example.test',
      bundle: newer.bundle.bytes,
      source: 'manual',
    });
    const result = await vault.contacts.observe(key, {
      address: 'bob@example.test',
      bundle: older.bundle.bytes,
      source: 'message',
    });
    expect(result).toMatchObject({ changed: false, status: 'older-key' });
    expect(result.contact.current).toBe(toHex(newer.bundle.fingerprint));
    expect(result.contact.history.at(-1)).toMatchObject({ type: 'older-key-seen' });
    expect(result.contact.keys).toHaveLength(2);
    // Seen again: nothing new to record.
    const again = await vault.contacts.observe(key, {
      address: 'bob@example.test',
      bundle: older.bundle.bytes,
      source: 'message',
    });
    expect(again.contact).toEqual(result.contact);
  });

  it('tracks trust: directory confirmation, verification, acknowledgement, all in the history', async () => {
    const { vault, key } = await createVault();
    const c1 = await person('carol');
    const c2 = await person('carol', T0 / 1000 + DAY);
    const fp2 = toHex(c2.bundle.fingerprint);
    await vault.contacts.observe(key, {
      address: 'carol@example.test',
      bundle: c1.bundle.bytes,
      source: 'message',
    });
    const confirmed = await vault.contacts.observe(key, {
      address: 'carol@example.test',
      bundle: c1.bundle.bytes,
      source: 'directory',
      directoryVerified: true,
    });
    expect(currentKey(confirmed.contact).trust).toBe('directory-verified');

    await vault.contacts.observe(key, {
      address: 'carol@example.test',
      bundle: c2.bundle.bytes,
      source: 'message',
    });
    const acked = await vault.contacts.acknowledgeChange(key, 'carol@example.test');
    expect(acked.pendingChange).toBeUndefined();
    expect(currentKey(acked).trust).toBe('unverified');

    // Verification accepts the displayed form of the fingerprint.
    const verified = await vault.contacts.setTrust(
      key,
      'carol@example.test',
      formatFingerprint(c2.bundle.fingerprint),
      'verified',
    );
    expect(currentKey(verified).trust).toBe('verified');
    expect(verified.history.map((e) => e.type)).toEqual([
      'first-seen',
      'trust-changed',
      'key-changed',
      'change-acknowledged',
      'trust-changed',
    ]);
    expect(verified.history.at(-1)).toMatchObject({ fingerprint: fp2, from: 'unverified', to: 'verified' });
    await rejectsWith(
      vault.contacts.setTrust(key, 'carol@example.test', 'ab'.repeat(32), 'verified'),
      'not-found',
    );
    await rejectsWith(vault.contacts.setTrust(key, 'nobody@example.test', fp2, 'verified'), 'not-found');
  });

  it('verifying the new key of a pending change acknowledges it', async () => {
    const { vault, key } = await createVault();
    const d1 = await person('dave');
    const d2 = await person('dave', T0 / 1000 + DAY);
    await vault.contacts.observe(key, {
      address: 'dave@example.test',
      bundle: d1.bundle.bytes,
      source: 'manual',
    });
    const changed = await vault.contacts.observe(key, {
      address: 'dave@example.test',
      bundle: d2.bundle.bytes,
      source: 'directory',
    });
    expect(changed.contact.pendingChange).toBeDefined();
    const verified = await vault.contacts.setTrust(
      key,
      'dave@example.test',
      d2.bundle.fingerprint,
      'verified',
    );
    expect(verified.pendingChange).toBeUndefined();
  });

  it('refuses a bundle that does not verify or is not for the address', async () => {
    const { vault, key } = await createVault();
    const eve = await person('eve');
    await rejectsWith(
      vault.contacts.observe(key, {
        address: 'alice@example.test',
        bundle: eve.bundle.bytes,
        source: 'message',
      }),
      'invalid-input',
    );
    const forged = eve.bundle.bytes.slice();
    forged[forged.length - 1]! ^= 1;
    await rejectsWith(
      vault.contacts.observe(key, { address: 'eve@example.test', bundle: forged, source: 'message' }),
      'invalid-input',
    );
    await rejectsWith(
      vault.contacts.observe(key, { address: 'not an address', bundle: eve.bundle.bytes, source: 'message' }),
      'invalid-input',
    );
    expect((await vault.contacts.list(key)).items).toEqual([]);
  });

  it('lists, finds by fingerprint (current or old key) and deletes', async () => {
    const { vault, key } = await createVault();
    const f1 = await person('frank');
    const f2 = await person('frank', T0 / 1000 + DAY);
    const grace = await person('grace');
    await vault.contacts.observe(key, {
      address: 'frank@example.test',
      bundle: f1.bundle.bytes,
      source: 'manual',
    });
    await vault.contacts.observe(key, {
      address: 'frank@example.test',
      bundle: f2.bundle.bytes,
      source: 'manual',
    });
    await vault.contacts.observe(key, {
      address: 'grace@example.test',
      bundle: grace.bundle.bytes,
      source: 'manual',
    });

    const { items, corrupted } = await vault.contacts.list(key);
    expect(items.map((c) => c.address).sort()).toEqual(['frank@example.test', 'grace@example.test']);
    expect(corrupted).toEqual([]);
    expect(
      (await vault.contacts.findByFingerprint(key, f1.bundle.fingerprint)).map((c) => c.address),
    ).toEqual(['frank@example.test']);
    expect(
      (await vault.contacts.findByFingerprint(key, toHex(grace.bundle.fingerprint))).map((c) => c.address),
    ).toEqual(['grace@example.test']);
    expect(await vault.contacts.findByFingerprint(key, new Uint8Array(32))).toEqual([]);

    await vault.contacts.delete(key, 'Frank@example.test');
    expect(await vault.contacts.get(key, 'frank@example.test')).toBeUndefined();
    expect(await vault.contacts.findByFingerprint(key, f1.bundle.fingerprint)).toEqual([]);
    await rejectsWith(vault.contacts.delete(key, 'frank@example.test'), 'not-found');
  });

  it('concurrent observations of one address both land (compare-and-swap, retried)', async () => {
    const { vault, key } = await createVault();
    const i1 = await person('ivan');
    const i2 = await person('ivan', T0 / 1000 + DAY);
    const results = await Promise.all([
      vault.contacts.observe(key, {
        address: 'ivan@example.test',
        bundle: i1.bundle.bytes,
        source: 'message',
      }),
      vault.contacts.observe(key, {
        address: 'ivan@example.test',
        bundle: i2.bundle.bytes,
        source: 'directory',
      }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(
      results[0].status === 'new-contact' ? ['key-changed', 'new-contact'] : ['new-contact', 'older-key'],
    );
    const contact = (await vault.contacts.get(key, 'ivan@example.test'))!;
    expect(contact.keys).toHaveLength(2);
    expect(contact.current).toBe(toHex(i2.bundle.fingerprint));
  });

  it('stores contacts under blind ids: no address or fingerprint in the clear', async () => {
    const { vault, key, factory } = await createVault();
    const h = await person('heidi');
    await vault.contacts.observe(key, {
      address: 'heidi@example.test',
      bundle: h.bundle.bytes,
      source: 'manual',
    });
    const [raw] = await rawAll(factory, 'contacts');
    const dump = JSON.stringify(raw, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v));
    expect(dump).not.toContain('heidi');
    expect(dump).not.toContain(toHex(h.bundle.fingerprint));
    expect(raw!.id).toMatch(/^[0-9a-f]{32}$/);
    expect(raw!.fingerprintTags).toHaveLength(1);
  });
});

describe('contact rules (pure)', () => {
  it('bounds the keys and the history against a flood of forged bundles', async () => {
    const base = await person('flood');
    let contact = applyObservation(
      'flood@example.test',
      undefined,
      { bundle: base.bundle, source: 'manual' },
      0,
    ).result.contact;
    // Reuse one real bundle with rewritten fingerprints/created times: the rules only read those fields.
    for (let i = 1; i <= MAX_KEYS_PER_CONTACT + 10; i++) {
      const fingerprint = new Uint8Array(32).fill(i);
      const bundle = { ...base.bundle, fingerprint, created: base.bundle.created + i };
      contact = applyObservation(contact.address, contact, { bundle, source: 'message' }, i).result.contact;
    }
    expect(contact.keys).toHaveLength(MAX_KEYS_PER_CONTACT);
    expect(contact.current).toBe(toHex(new Uint8Array(32).fill(MAX_KEYS_PER_CONTACT + 10)));
    expect(contact.keys.some((k) => k.fingerprint === contact.current)).toBe(true);
    for (let i = 0; i < MAX_HISTORY; i++) {
      contact = applyObservation(
        contact.address,
        contact,
        {
          bundle: { ...base.bundle, fingerprint: new Uint8Array(32).fill(200), created: 2e9 + i },
          source: 'message',
        },
        1000 + i,
      ).result.contact;
      contact = applyObservation(
        contact.address,
        contact,
        {
          bundle: { ...base.bundle, fingerprint: new Uint8Array(32).fill(201), created: 2e9 + i },
          source: 'message',
        },
        1000 + i,
      ).result.contact;
    }
    expect(contact.history).toHaveLength(MAX_HISTORY);
    // Still a valid record after the round trip.
    expect(decodeContact(encodeContact(contact))).toEqual(contact);
  });
});
