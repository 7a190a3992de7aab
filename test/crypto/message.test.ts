import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptMessage, encryptMessage, formatFingerprint, type Identity } from '../../src/crypto';
import { ENVELOPE_MAGIC, parseEnvelope, StanzaType } from '../../src/crypto/envelope';
import { openEnvelope } from '../../src/crypto/open';
import { encodePayload } from '../../src/crypto/payload';
import { platformRandomness, sealEnvelope } from '../../src/crypto/seal';
import { fixtureIdentity, MESSAGE_DATE, rejectsWith } from './fixtures';

let alice: Identity;
let bob: Identity;
let carol: Identity;
let others: Identity[];

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([
    fixtureIdentity('alice'),
    fixtureIdentity('bob'),
    fixtureIdentity('carol'),
  ]);
  others = await Promise.all(Array.from({ length: 20 }, (_, i) => fixtureIdentity(`r${i}`)));
});

const to = (id: Identity) => ({ address: id.bundle.addresses[0]!, bundle: id.bundle });
const plain = (text: string, subject = 'Subject') => ({
  subject,
  body: { type: 'text/plain' as const, text },
});

describe('encryptMessage / decryptMessage', () => {
  it('round-trips subject, body and attachments to a recipient, with the sender verified', async () => {
    const attachment = { name: 'plan.pdf', mediaType: 'application/pdf', data: new Uint8Array([1, 2, 3]) };
    const env = await encryptMessage(
      { ...plain('Meet at noon.', 'Quarterly plan'), attachments: [attachment] },
      { sender: alice, senderAddress: 'alice@example.test', recipients: [to(bob)], date: MESSAGE_DATE },
    );
    const m = await decryptMessage(env, { identities: [bob] });
    expect(m.subject).toBe('Quarterly plan');
    expect(m.body).toEqual({ type: 'text/plain', text: 'Meet at noon.' });
    expect(m.attachments).toEqual([attachment]);
    expect(m.date.getTime()).toBe(MESSAGE_DATE);
    expect(m.sender.address).toBe('alice@example.test');
    expect(formatFingerprint(m.sender.fingerprint)).toBe(formatFingerprint(alice.bundle.fingerprint));
    expect(m.openedWith).toBe('recipient-key');
    expect(m.addressedToYou).toBe(true);
    expect(m.recipients).toEqual([
      { kind: 'key', address: 'bob@example.test', fingerprint: bob.bundle.fingerprint },
    ]);
  });

  it("always includes the sender's own copy", async () => {
    const env = await encryptMessage(plain('for the Sent folder'), {
      sender: alice,
      senderAddress: 'alice@example.test',
      recipients: [to(bob)],
    });
    const m = await decryptMessage(env, { identities: [alice] });
    expect(m.openedWith).toBe('self');
    expect(m.body.text).toBe('for the Sent folder');
    expect(parseEnvelope(env).stanzas.filter((s) => s.type === StanzaType.Self)).toHaveLength(1);
  });

  it('does not put the subject, the body or any address in the clear', async () => {
    const env = await encryptMessage(plain('secret body text', 'secret subject line'), {
      sender: alice,
      senderAddress: 'alice@example.test',
      recipients: [to(bob)],
    });
    const visible = Buffer.from(env).toString('latin1');
    for (const s of ['secret', 'alice', 'bob', 'example.test']) expect(visible).not.toContain(s);
    expect(Buffer.from(env.subarray(0, 4))).toEqual(Buffer.from(ENVELOPE_MAGIC));
  });

  it('opens with the password, and refuses a wrong one', async () => {
    const env = await encryptMessage(plain('by password'), {
      sender: alice,
      senderAddress: 'alice@example.test',
      recipients: [],
      passwordRecipients: {
        addresses: ['dave@elsewhere.test'],
        password: 'correct horse battery staple',
        argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 },
      },
    });
    const m = await decryptMessage(env, { password: 'correct horse battery staple' });
    expect(m.openedWith).toBe('password');
    expect(m.addressedToYou).toBe(true);
    expect(m.sender.address).toBe('alice@example.test');
    await rejectsWith(decryptMessage(env, { password: 'correct horse battery stapler' }), 'wrong-password');
    await rejectsWith(decryptMessage(env, { identities: [bob] }), 'not-for-this-key');
  });

  it('records the default Argon2id parameters (m = 64 MiB, t = 3, p = 1) in the stanza', async () => {
    const env = await encryptMessage(plain('x'), {
      sender: alice,
      senderAddress: 'alice@example.test',
      recipients: [],
      passwordRecipients: { addresses: ['dave@elsewhere.test'], password: 'pw' },
    });
    const stanza = parseEnvelope(env).stanzas.find((s) => s.type === StanzaType.Password);
    expect(stanza?.type === StanzaType.Password && stanza.params).toEqual({
      memoryKiB: 65536,
      iterations: 3,
      parallelism: 1,
    });
    expect((await decryptMessage(env, { password: 'pw' })).body.text).toBe('x');
  });

  it('refuses a key that is not addressed, with not-for-this-key', async () => {
    const env = await encryptMessage(plain('x'), {
      sender: alice,
      senderAddress: 'alice@example.test',
      recipients: [to(bob)],
    });
    await rejectsWith(decryptMessage(env, { identities: [carol] }), 'not-for-this-key');
    await rejectsWith(decryptMessage(env, { password: 'anything' }), 'not-for-this-key');
  });

  it('tries every identity of the keyring', async () => {
    const env = await encryptMessage(plain('x'), {
      sender: alice,
      senderAddress: 'alice@example.test',
      recipients: [to(bob)],
    });
    expect((await decryptMessage(env, { identities: [carol, bob] })).openedWith).toBe('recipient-key');
  });

  it('refuses a sender address that is not in the sender bundle, and a recipient key bound to another address', async () => {
    await rejectsWith(
      encryptMessage(plain('x'), { sender: alice, senderAddress: 'bob@example.test', recipients: [to(bob)] }),
      'invalid-input',
    );
    await rejectsWith(
      encryptMessage(plain('x'), {
        sender: alice,
        senderAddress: 'alice@example.test',
        recipients: [{ address: 'carol@example.test', bundle: bob.bundle }],
      }),
      'invalid-input',
    );
  });

  it('refuses to encrypt to an expired key', async () => {
    await rejectsWith(
      encryptMessage(plain('x'), {
        sender: alice,
        senderAddress: 'alice@example.test',
        recipients: [to(bob)],
        date: (bob.bundle.expires + 1) * 1000,
      }),
      'invalid-key',
    );
  });

  it('flags a signed message that someone re-encrypted to a reader it was not addressed to', async () => {
    // Bob takes Alice's signed payload and seals it, unchanged, to Carol
    // (surreptitious forwarding, Davis 2001). Carol still sees that Alice signed
    // it for Bob, not for her.
    const env = await encryptMessage(plain('for Bob only'), {
      sender: alice,
      senderAddress: 'alice@example.test',
      recipients: [to(bob)],
    });
    const { padded } = await openEnvelope(env, { identities: [bob] });
    const forwarded = await sealEnvelope(
      Promise.resolve(padded),
      { recipients: [carol.bundle] },
      platformRandomness,
    );
    const m = await decryptMessage(forwarded, { identities: [carol] });
    expect(m.sender.address).toBe('alice@example.test');
    expect(m.body.text).toBe('for Bob only');
    expect(m.addressedToYou).toBe(false);
    expect(m.recipients.map((r) => r.address)).toEqual(['bob@example.test']);
  });

  it('rejects a payload whose signature is by another key than the claimed sender bundle', async () => {
    // Mallory signs with her key but presents Alice's bundle and address.
    const payload = encodePayload(
      {
        date: MESSAGE_DATE,
        senderAddress: 'alice@example.test',
        senderBundle: alice.bundle.bytes,
        senderFingerprint: alice.bundle.fingerprint,
        recipients: [{ kind: 'key', address: 'bob@example.test', fingerprint: bob.bundle.fingerprint }],
        subject: 'forged',
        bodyType: 'text/plain',
        body: new TextEncoder().encode('forged'),
        attachments: [],
      },
      async (t) =>
        new Uint8Array(await crypto.subtle.sign('Ed25519', carol.keys.ed25519PrivateKey, t as never)),
    );
    const env = await sealEnvelope(payload, { recipients: [bob.bundle] }, platformRandomness);
    await rejectsWith(decryptMessage(env, { identities: [bob] }), 'bad-signature');
  });

  it('rejects a sender address that the signer bundle does not bind', async () => {
    const payload = encodePayload(
      {
        date: MESSAGE_DATE,
        senderAddress: 'ceo@example.test',
        senderBundle: carol.bundle.bytes,
        senderFingerprint: carol.bundle.fingerprint,
        recipients: [],
        subject: 'wire the money',
        bodyType: 'text/plain',
        body: new Uint8Array(0),
        attachments: [],
      },
      async (t) =>
        new Uint8Array(await crypto.subtle.sign('Ed25519', carol.keys.ed25519PrivateKey, t as never)),
    );
    const env = await sealEnvelope(payload, { recipients: [bob.bundle] }, platformRandomness);
    await rejectsWith(decryptMessage(env, { identities: [bob] }), 'bad-signature');
  });
});

describe('round-trip properties', () => {
  it('holds for 1–20 recipients, Unicode subjects and bodies, HTML or plain', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 3000 }),
        fc.constantFrom('text/plain' as const, 'text/html' as const),
        fc.nat(),
        async (n, subject, text, type, pick) => {
          const recipients = others.slice(0, n);
          const env = await encryptMessage(
            { subject, body: { type, text } },
            { sender: alice, senderAddress: 'alice@example.test', recipients: recipients.map(to) },
          );
          const reader = recipients[pick % n]!;
          const m = await decryptMessage(env, { identities: [reader] });
          expect(m.subject).toBe(subject);
          expect(m.body).toEqual({ type, text });
          expect(m.addressedToYou).toBe(true);
          expect(m.recipients).toHaveLength(n);
          expect(parseEnvelope(env).stanzas).toHaveLength(n + 1);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('holds for an empty body and a 5 MB body', async () => {
    for (const size of [0, 5 * 1024 * 1024]) {
      const text = 'é'.repeat(size / 2);
      const env = await encryptMessage(plain(text, ''), {
        sender: alice,
        senderAddress: 'alice@example.test',
        recipients: [to(bob)],
      });
      const m = await decryptMessage(env, { identities: [bob] });
      expect(m.body.text.length).toBe(text.length);
      expect(m.body.text === text).toBe(true);
      expect(m.subject).toBe('');
    }
  });

  it('holds for attachments of any size around the chunk boundary', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 3 }),
        fc.string({ maxLength: 40 }),
        async (sizes, name) => {
          const attachments = sizes.map((s, i) => ({
            name: `${name}${i}`,
            mediaType: 'application/octet-stream',
            data: crypto.getRandomValues(new Uint8Array(Math.min(s, 65536))).slice(0, s),
          }));
          const env = await encryptMessage(
            { ...plain('see attached'), attachments },
            { sender: alice, senderAddress: 'alice@example.test', recipients: [to(bob)] },
          );
          expect((await decryptMessage(env, { identities: [bob] })).attachments).toEqual(attachments);
        },
      ),
      { numRuns: 10 },
    );
  });
});
