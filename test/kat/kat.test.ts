/**
 * Our own known-answer vectors (issue #2 §4): the committed file must be
 * reproduced byte for byte, and its envelopes must decrypt to its inputs.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptMessage, formatFingerprint, parseKeyBundle } from '../../src/crypto';
import { toHex } from '../../src/crypto/bytes';
import { KAT_FILE, type KatFile, makeIdentities, sealKatMessage } from './kat';

const kat: KatFile = JSON.parse(readFileSync(KAT_FILE, 'utf8'));
let identities: Awaited<ReturnType<typeof makeIdentities>>;

beforeAll(async () => {
  identities = await makeIdentities(kat.identities);
});

describe('Cipherpost v1 known-answer vectors', () => {
  it('loads a non-empty vector file', () => {
    // A loader that loads zero vectors must fail.
    expect(kat.identities.length).toBeGreaterThanOrEqual(3);
    expect(kat.messages.length).toBeGreaterThanOrEqual(4);
  });

  it.each(kat.identities.map((i) => [i.name, i] as const))(
    'identity %s derives its keys and bundle',
    async (_, k) => {
      const id = identities.get(k.name)!;
      expect(toHex(id.keys.x25519PublicKey)).toBe(k.x25519PublicKey);
      expect(toHex(id.keys.ed25519PublicKey)).toBe(k.ed25519PublicKey);
      expect(toHex(id.keys.mlKemPublicKey)).toBe(k.mlKemPublicKey);
      expect(toHex(id.bundle.bytes)).toBe(k.bundle);
      const parsed = await parseKeyBundle(Buffer.from(k.bundle, 'hex'));
      expect(formatFingerprint(parsed.fingerprint)).toBe(k.fingerprint);
    },
  );

  it.each(kat.messages.map((m) => [m.description, m] as const))('envelope: %s', async (_, m) => {
    expect(toHex(await sealKatMessage(m, identities))).toBe(m.envelope);
    const readers = m.recipients.length > 0 ? [m.recipients[0]!, m.sender] : [m.sender];
    for (const name of readers) {
      const d = await decryptMessage(Buffer.from(m.envelope, 'hex'), { identities: [identities.get(name)!] });
      expect(d.subject).toBe(m.subject);
      expect(d.body).toEqual({ type: m.bodyType, text: m.body });
      expect(d.attachments.map((a) => ({ ...a, data: toHex(a.data) }))).toEqual(m.attachments);
      expect(d.sender.address).toBe(m.senderAddress);
      expect(d.date.getTime()).toBe(m.date);
    }
    if (m.password) {
      const d = await decryptMessage(Buffer.from(m.envelope, 'hex'), { password: m.password.password });
      expect(d.openedWith).toBe('password');
    }
  });
});
