/**
 * Armor (issue #2 §3): exact bytes back through every mangling webmails do
 * (shared/docs/webmail.md), and typed errors for everything else.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARMOR_BEGIN,
  ARMOR_END,
  armor,
  dearmor,
  decryptMessage,
  encryptMessage,
  findArmored,
  type Identity,
} from '../../src/crypto';
import { base64Decode, base64Encode } from '../../src/crypto/armor';
import { fixtureIdentity } from './fixtures';

import { MANGLERS } from './manglers';

const manglerNames = Object.keys(MANGLERS);

describe('armor', () => {
  it('writes a preface, the markers and 64-column base64', () => {
    const text = armor(new Uint8Array(100).fill(7));
    expect(text).toMatch(/^This is an end-to-end encrypted message sent with Cipherpost\./);
    const body = text.slice(text.indexOf(ARMOR_BEGIN));
    const bodyLines = body.trim().split('\n');
    expect(bodyLines[0]).toBe(ARMOR_BEGIN);
    expect(bodyLines.at(-1)).toBe(ARMOR_END);
    for (const l of bodyLines.slice(1, -2)) expect(l).toHaveLength(64);
  });

  it('round-trips bytes through each mangling alone', () => {
    const bytes = crypto.getRandomValues(new Uint8Array(1000));
    for (const name of manglerNames) {
      expect(dearmor(MANGLERS[name]!(armor(bytes))), name).toEqual(bytes);
    }
  });

  it('round-trips bytes through any chain of manglings (property)', () => {
    // The order mail software applies them: re-flowing before quoting, text
    // manglings in any order, quoted-printable on the finished text, HTML on
    // top, then line endings. (QP inside HTML source or wraps that split HTML
    // tags do not reach a reader: the browser decodes them first.)
    const reorderable = [
      'rewrap72',
      'rewrap78',
      'quote',
      'quoteNested',
      'quoteTight',
      'zeroWidth',
      'nbsp',
      'trailingSpaces',
    ];
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.boolean(),
        fc.array(fc.constantFrom(...reorderable), { maxLength: 4 }),
        fc.boolean(),
        fc.constantFrom(undefined, 'htmlBr', 'htmlDiv', 'htmlP', 'nbspEntity'),
        fc.boolean(),
        (bytes, join, middle, qp, html, crlf) => {
          const chain = [
            ...(join ? ['joinAndWrap76'] : []),
            ...middle,
            ...(qp ? ['quotedPrintable'] : []),
            ...(html ? [html] : []),
            ...(crlf ? ['crlf'] : []),
          ];
          let text = armor(bytes);
          for (const name of chain) text = MANGLERS[name]!(text);
          expect(dearmor(text), chain.join('+')).toEqual(bytes);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('finds the message inside surrounding text and quoted replies', () => {
    const bytes = crypto.getRandomValues(new Uint8Array(300));
    const reply = `Thanks, see below.\n\nOn Monday Alice wrote:\n${MANGLERS.quote!(armor(bytes))}\n-- \nBob`;
    expect(dearmor(reply)).toEqual(bytes);
  });

  it('finds every message in a thread', () => {
    const a = crypto.getRandomValues(new Uint8Array(50));
    const b = crypto.getRandomValues(new Uint8Array(60));
    expect(findArmored(`${armor(a)}\n${MANGLERS.quoteNested!(armor(b))}`)).toEqual([a, b]);
  });

  it('says truncated when the END line is missing (a clipped mail)', () => {
    const text = armor(new Uint8Array(5000));
    expect(() => dearmor(text.slice(0, text.length / 2))).toThrowError(
      expect.objectContaining({ code: 'truncated' }),
    );
  });

  it('says not-cipherpost when there is no armor', () => {
    expect(() => dearmor('Hello Bob, lunch tomorrow?')).toThrowError(
      expect.objectContaining({ code: 'not-cipherpost' }),
    );
  });

  it('says corrupted for characters outside base64', () => {
    const text = armor(new Uint8Array(200)).replace(/AAAA/, 'AA*A');
    expect(() => dearmor(text)).toThrowError(expect.objectContaining({ code: 'corrupted' }));
  });

  it('decodes base64 strictly (RFC 4648 §3.5 non-zero trailing bits are refused)', () => {
    expect(base64Decode('AQ')).toEqual(Uint8Array.of(1));
    expect(() => base64Decode('AR')).toThrowError(expect.objectContaining({ code: 'corrupted' }));
    expect(() => base64Decode('A')).toThrowError(expect.objectContaining({ code: 'corrupted' }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(base64Decode(base64Encode(b).replace(/=+$/, ''))).toEqual(b);
        expect(base64Encode(b)).toBe(Buffer.from(b).toString('base64'));
      }),
    );
  });
});

describe('armored messages through mangling', () => {
  let alice: Identity;
  let bob: Identity;
  beforeAll(async () => {
    [alice, bob] = await Promise.all([fixtureIdentity('alice'), fixtureIdentity('bob')]);
  });

  it('decrypt after every mangling chain of a real webmail round trip', async () => {
    const env = await encryptMessage(
      { subject: 'Grüße 👋', body: { type: 'text/plain', text: 'Körper' } },
      {
        sender: alice,
        senderAddress: 'alice@example.test',
        recipients: [{ address: 'bob@example.test', bundle: bob.bundle }],
      },
    );
    const chains = [
      ['htmlDiv', 'nbsp'],
      ['quotedPrintable', 'crlf'],
      ['rewrap72', 'quote', 'quoteNested', 'zeroWidth'],
      ['joinAndWrap76', 'htmlBr', 'nbspEntity'],
    ];
    for (const chain of chains) {
      let text = armor(env);
      for (const name of chain) text = MANGLERS[name]!(text);
      const m = await decryptMessage(dearmor(text), { identities: [bob] });
      expect(m.subject, chain.join('+')).toBe('Grüße 👋');
    }
  });

  it('a lost line yields a typed error, not plaintext', async () => {
    const env = await encryptMessage(
      { subject: 's', body: { type: 'text/plain', text: 'b'.repeat(2000) } },
      {
        sender: alice,
        senderAddress: 'alice@example.test',
        recipients: [{ address: 'bob@example.test', bundle: bob.bundle }],
      },
    );
    const text = armor(env).split('\n');
    text.splice(20, 1);
    await expect(
      (async () => decryptMessage(dearmor(text.join('\n')), { identities: [bob] }))(),
    ).rejects.toMatchObject({ name: 'CryptoError' });
  });
});
