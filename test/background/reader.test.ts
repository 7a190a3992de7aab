/**
 * Reading in a webmail tab through the real router and vault
 * (docs/webmail-integration.md §Reading): staging uses no key, opening verifies
 * before it returns, the verdict comes from the signature, and every failure is
 * a typed code with no plaintext in it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { armorPublicKey, type Identity } from '../../src/crypto';
import {
  ALICE,
  type Background,
  background,
  content,
  correspondent,
  frame,
  mail,
  PASSPHRASE,
  value,
} from './webmail-harness';

const SECRET = 'sentinel-plaintext-7f3a';
let bg: Background;
let bob: Identity;
let carol: Identity;
let toAlice: string;

beforeAll(async () => {
  bg = await background();
  bob = await correspondent('bob@example.test');
  carol = await correspondent('carol@example.test');
  toAlice = await mail(bob, [{ address: ALICE, bundle: bg.aliceBundle }], {
    subject: 'Quarterly',
    body: { type: 'text/plain', text: `Hello Alice, ${SECRET}` },
  });
});

async function stage(armored: string, from = 'bob@example.test', tab = 21) {
  return (await value(bg.send({ type: 'reader:stage', armored, from, source: 'body' }, content(tab)))).ticket;
}

describe('reader:stage and reader:open', () => {
  it('opens in the same tab with the signer, trust words and the source', async () => {
    const ticket = await stage(toAlice);
    const view = await value(bg.send({ type: 'reader:open', ticket }, frame(21)));
    expect(view).toMatchObject({
      subject: 'Quarterly',
      body: `Hello Alice, ${SECRET}`,
      source: 'body',
      addressedToYou: true,
      signature: {
        signer: 'bob@example.test',
        trust: 'unknown',
        displayedFrom: 'bob@example.test',
        fromMismatch: false,
      },
    });
    expect(view.signature.fingerprint).toMatch(/^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
  });

  it('says unverified, then verified, as the contact is imported and verified', async () => {
    await value(bg.send({ type: 'contacts:import', text: armorPublicKey(bob.bundle.bytes) }));
    const t1 = await stage(toAlice);
    expect((await value(bg.send({ type: 'reader:open', ticket: t1 }, frame(21)))).signature.trust).toBe(
      'unverified',
    );
    const [contact] = await value(bg.send({ type: 'contacts:list' }));
    await value(
      bg.send({ type: 'contacts:verify', address: 'bob@example.test', fingerprint: contact!.fingerprint }),
    );
    const t2 = await stage(toAlice);
    expect((await value(bg.send({ type: 'reader:open', ticket: t2 }, frame(21)))).signature.trust).toBe(
      'verified',
    );
  });

  it('says own for the sender’s own copy', async () => {
    await value(bg.send({ type: 'contacts:import', text: armorPublicKey(carol.bundle.bytes) }));
    const { ticket } = await value(
      bg.send(
        {
          type: 'compose:open',
          provider: 'gmail',
          window: 'frame',
          to: ['carol@example.test'],
          cc: [],
          bcc: [],
          canAttach: false,
        },
        content(22),
      ),
    );
    await value(
      bg.send(
        {
          type: 'compose:send',
          ticket,
          send: false,
          to: ['carol@example.test'],
          cc: [],
          bcc: [],
          subject: 'Mine',
          bodyType: 'text/plain',
          body: 'my own words',
          attachments: [],
        },
        frame(22, 3, 'compose.html'),
      ),
    );
    const insert = bg.ports.commands.at(-1)!.command;
    if (insert.type !== 'compose:insert') throw new Error('expected an insert');
    const readBack = await stage(insert.body, `Alice <${ALICE}>`);
    const view = await value(bg.send({ type: 'reader:open', ticket: readBack }, frame(21)));
    expect(view.signature).toMatchObject({ signer: ALICE, trust: 'own', fromMismatch: false });
    expect(view.body).toBe('my own words');
  });

  it('warns when the From the webmail shows is not the signer', async () => {
    for (const shown of ['ceo@example.test', 'Bob <ceo@example.test>']) {
      const ticket = await stage(toAlice, shown);
      const { signature } = await value(bg.send({ type: 'reader:open', ticket }, frame(21)));
      expect(signature).toMatchObject({
        signer: 'bob@example.test',
        displayedFrom: shown,
        fromMismatch: true,
      });
    }
    for (const shown of ['', 'Bob <BOB@Example.test>']) {
      const ticket = await stage(toAlice, shown);
      const { signature } = await value(bg.send({ type: 'reader:open', ticket }, frame(21)));
      expect(signature.fromMismatch).toBe(false);
    }
  });

  it('not for this key, tampered and truncated are typed errors without plaintext', async () => {
    const toCarol = await mail(bob, [{ address: 'carol@example.test', bundle: carol.bundle }], {
      subject: 'For Carol',
      body: { type: 'text/plain', text: SECRET },
    });
    const notForMe = await bg.send({ type: 'reader:open', ticket: await stage(toCarol) }, frame(21));
    expect(notForMe).toMatchObject({ ok: false, code: 'not-for-this-key' });

    // Flip one base64 character in the middle of the armored body.
    const lines = toAlice.split('\n');
    const i = lines.findIndex((l) => l.startsWith('-----BEGIN')) + 4;
    const line = lines[i]!;
    lines[i] = `${line.slice(0, 10)}${line[10] === 'A' ? 'B' : 'A'}${line.slice(11)}`;
    const tampered = await bg.send({ type: 'reader:open', ticket: await stage(lines.join('\n')) }, frame(21));
    expect(tampered.ok).toBe(false);
    if (!tampered.ok) expect(['corrupted', 'bad-signature', 'not-for-this-key']).toContain(tampered.code);
    expect(JSON.stringify(tampered)).not.toContain(SECRET);

    const cut = toAlice.split('\n').slice(0, -6).join('\n');
    const truncated = await bg.send({ type: 'reader:open', ticket: await stage(cut) }, frame(21));
    expect(truncated).toMatchObject({ ok: false });
    if (!truncated.ok) expect(['truncated', 'corrupted']).toContain(truncated.code);
    expect(JSON.stringify(truncated)).not.toContain(SECRET);

    const junk = await bg.send({ type: 'reader:open', ticket: await stage('hello there') }, frame(21));
    expect(junk).toMatchObject({ ok: false, code: 'not-cipherpost' });
  });

  it('is locked while the vault is, and opens after unlocking', async () => {
    const ticket = await stage(toAlice);
    await value(bg.send({ type: 'vault:lock' }));
    expect(await bg.send({ type: 'reader:open', ticket }, frame(21))).toMatchObject({
      ok: false,
      code: 'locked',
    });
    await value(bg.send({ type: 'vault:unlock', passphrase: PASSPHRASE }));
    expect((await value(bg.send({ type: 'reader:open', ticket }, frame(21)))).body).toContain(SECRET);
  });

  it('refuses other tabs and other frames, and rate-limits decryption per tab', async () => {
    const ticket = await stage(toAlice, 'bob@example.test', 30);
    expect(await bg.send({ type: 'reader:open', ticket }, frame(31))).toMatchObject({ code: 'forbidden' });
    await value(bg.send({ type: 'reader:open', ticket }, frame(30, 4)));
    expect(await bg.send({ type: 'reader:open', ticket }, frame(30, 5))).toMatchObject({ code: 'forbidden' });
    expect(await bg.send({ type: 'reader:open', ticket: 'nope' }, frame(30))).toMatchObject({
      code: 'ticket-expired',
    });
    const results = [];
    for (let i = 0; i < 21; i++) results.push(await bg.send({ type: 'reader:open', ticket }, frame(30, 4)));
    expect(results.filter((r) => r.ok).length).toBeLessThan(21);
    expect(results.at(-1)).toMatchObject({ ok: false, code: 'rate-limited' });
  });

  it('expires after ten minutes', async () => {
    const ticket = await stage(toAlice, 'bob@example.test', 40);
    bg.clock.now += 10 * 60 * 1000;
    expect(await bg.send({ type: 'reader:open', ticket }, frame(40))).toMatchObject({
      code: 'ticket-expired',
    });
    bg.clock.now -= 10 * 60 * 1000;
  });
});
