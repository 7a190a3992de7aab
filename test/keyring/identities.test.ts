import { describe, expect, it } from 'vitest';
import { deriveIdentityKeys, generateIdentitySeed, openIdentity } from '../../src/crypto';
import { toHex } from '../../src/crypto/bytes';
import { createVault, person, rejectsWith, T0 } from './helpers';

describe('identities in the vault', () => {
  it('generates an identity whose stored seed gives back the same keys and bundle', async () => {
    const { vault, key } = await createVault();
    const info = await vault.identities.generate(key, { addresses: ['Me@Example.test'] });
    expect(info).toMatchObject({
      addresses: ['me@example.test'],
      primary: true,
      added: T0,
      keyCreated: T0 / 1000,
    });
    expect(info.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const identity = await vault.identities.get(key, info.id);
    expect(toHex(identity.bundle.fingerprint)).toBe(info.fingerprint);
    const { items } = await vault.identities.list(key);
    expect(items).toEqual([info]);
    const primary = await vault.identities.getPrimary(key);
    expect(primary?.info).toEqual(info);
    expect(primary?.identity.keys.mlKemPublicKey).toEqual(identity.bundle.mlKemPublicKey);
  });

  it('adds an existing seed and bundle, and refuses a bundle of another seed or a duplicate', async () => {
    const { vault, key } = await createVault();
    const seed = generateIdentitySeed();
    const own = await openIdentity(seed, { addresses: ['a@example.test'] });
    const info = await vault.identities.add(key, { seed, bundle: own.bundle.bytes });
    const stored = await vault.identities.get(key, info.id);
    const derived = await deriveIdentityKeys(seed);
    expect(stored.keys.x25519PublicKey).toEqual(derived.x25519PublicKey);
    expect(stored.keys.ed25519PublicKey).toEqual(derived.ed25519PublicKey);

    const other = await person('mallory');
    await rejectsWith(vault.identities.add(key, { seed, bundle: other.bundle.bytes }), 'invalid-input');
    await rejectsWith(vault.identities.add(key, { seed, bundle: own.bundle.bytes }), 'invalid-input');
    await rejectsWith(
      vault.identities.add(key, { seed: seed.slice(1), bundle: own.bundle.bytes }),
      'invalid-input',
    );
    expect((await vault.identities.list(key)).items).toHaveLength(1);
  });

  it('keeps exactly one primary identity across add, setPrimary and delete', async () => {
    const { vault, key, clock } = await createVault();
    const a = await vault.identities.generate(key, { addresses: ['a@example.test'] });
    clock.advance(1000);
    const b = await vault.identities.generate(key, { addresses: ['b@example.test'] });
    clock.advance(1000);
    const c = await vault.identities.generate(key, { addresses: ['c@example.test'], primary: true });
    const primaries = async () =>
      (await vault.identities.list(key)).items
        .filter((i) => i.primary)
        .map((i) => i.addresses[0])
        .sort();
    expect([a.primary, b.primary, c.primary]).toEqual([true, false, true]);
    expect(await primaries()).toEqual(['c@example.test']);

    await vault.identities.setPrimary(key, b.id);
    expect(await primaries()).toEqual(['b@example.test']);
    expect((await vault.identities.getPrimary(key))?.info.id).toBe(b.id);

    // Deleting the primary promotes the oldest remaining identity.
    await vault.identities.delete(key, b.id);
    expect(await primaries()).toEqual(['a@example.test']);
    await vault.identities.delete(key, a.id);
    expect(await primaries()).toEqual(['c@example.test']);
    await vault.identities.delete(key, c.id);
    expect(await vault.identities.getPrimary(key)).toBeUndefined();

    await rejectsWith(vault.identities.get(key, a.id), 'not-found');
    await rejectsWith(vault.identities.setPrimary(key, a.id), 'not-found');
    await rejectsWith(vault.identities.delete(key, a.id), 'not-found');
  });

  it('refuses bad addresses as invalid-input', async () => {
    const { vault, key } = await createVault();
    await rejectsWith(vault.identities.generate(key, { addresses: [] }), 'invalid-input');
    await rejectsWith(vault.identities.generate(key, { addresses: ['no at sign'] }), 'invalid-input');
  });
});
