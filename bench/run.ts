/**
 * `npm run bench`: Cipherpost against openpgp.js (curve25519, its current
 * release) side by side in one run, on the same inputs, as ratios; plus
 * Argon2id at the default parameters and AES-256-GCM throughput on 25 MB.
 * Targets (issue #2 §5) are checked here, never in tests.
 */
import os from 'node:os';
import * as openpgp from 'openpgp';
import { createIdentity, decryptMessage, encryptMessage, type Identity } from '../src/crypto';
import { importAesGcmKey } from '../src/crypto/aes-gcm';
import { openChunks, sealChunks } from '../src/crypto/chunked-aead';
import { argon2idKey, DEFAULT_ARGON2 } from '../src/crypto/password-kek';

const QUICK = process.argv.includes('--quick');

interface Stats {
  median: number;
  p10: number;
  p90: number;
  runs: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), runs: s.length };
}

/** Runs the contenders interleaved, round by round, so drift and GC hit all alike. */
async function compare(runs: number, fns: (() => Promise<unknown>)[]): Promise<Stats[]> {
  const warm = Math.max(3, Math.floor(runs / 5));
  for (let i = 0; i < warm; i++) for (const f of fns) await f();
  const samples = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [j, f] of fns.entries()) {
      const t = performance.now();
      await f();
      samples[j]!.push(performance.now() - t);
    }
  }
  return samples.map(stats);
}

async function pair(
  runs: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<[Stats, Stats]> {
  const [x, y] = await compare(runs, [a, b]);
  return [x!, y!];
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 3 : 1)} ms`;

interface Row {
  op: string;
  size: string;
  recipients: number;
  cipherpost: Stats;
  /** openpgp.js default keys: `type: 'ecc'`, curve25519Legacy (EdDSA/ECDH, v4). */
  legacy: Stats;
  /** openpgp.js `type: 'curve25519'`: RFC 9580 X25519/Ed25519. */
  rfc9580: Stats;
}

/** One openpgp.js flavour: a sender and ten recipients. */
async function pgpParty(type: 'ecc' | 'curve25519') {
  const gen = (email: string) =>
    type === 'ecc'
      ? openpgp.generateKey({
          type: 'ecc',
          curve: 'curve25519Legacy',
          userIDs: [{ email }],
          format: 'object',
        })
      : openpgp.generateKey({ type: 'curve25519', userIDs: [{ email }], format: 'object' });
  const sender = await gen('sender@example.test');
  const recipients = await Promise.all(Array.from({ length: 10 }, (_, i) => gen(`r${i}@example.test`)));
  return { sender, recipients };
}

function pgpOps(party: Awaited<ReturnType<typeof pgpParty>>, text: string, n: number) {
  // openpgp.js encrypts to the recipients only; Cipherpost also adds the
  // sender's own copy, so the comparison is conservative for Cipherpost.
  const encrypt = async () =>
    (await openpgp.encrypt({
      message: await openpgp.createMessage({ text }),
      encryptionKeys: party.recipients.slice(0, n).map((k) => k.publicKey),
      signingKeys: party.sender.privateKey,
    })) as string;
  return {
    encrypt,
    decryptOf: (armored: string) => async () => {
      const out = await openpgp.decrypt({
        message: await openpgp.readMessage({ armoredMessage: armored }),
        decryptionKeys: party.recipients[0]!.privateKey,
        verificationKeys: party.sender.publicKey,
        expectSigned: true,
      });
      if (out.data.length !== text.length) throw new Error('openpgp.js decrypted the wrong text');
    },
  };
}

async function main() {
  console.log(`# Cipherpost benchmark — ${new Date().toISOString()}`);
  console.log(
    `node ${process.version}, ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, openpgp ${openpgp.config.versionString}\n`,
  );

  const sender = await createIdentity({ addresses: ['sender@example.test'] });
  const cpRecipients: Identity[] = [];
  for (let i = 0; i < 10; i++)
    cpRecipients.push((await createIdentity({ addresses: [`r${i}@example.test`] })).identity);

  const legacyParty = await pgpParty('ecc');
  const rfc9580Party = await pgpParty('curve25519');

  const rows: Row[] = [];
  for (const [size, label] of [
    [10 * 1024, '10 KB'],
    [1024 * 1024, '1 MB'],
  ] as const) {
    const text = 'a'.repeat(size);
    for (const n of [1, 10]) {
      const runs = QUICK ? 10 : size > 100_000 ? 30 : 200;
      const recipients = cpRecipients.slice(0, n);
      const encryptCp = () =>
        encryptMessage(
          { subject: 'bench', body: { type: 'text/plain', text } },
          {
            sender: sender.identity,
            senderAddress: 'sender@example.test',
            recipients: recipients.map((r) => ({ address: r.bundle.addresses[0]!, bundle: r.bundle })),
          },
        );
      const legacy = pgpOps(legacyParty, text, n);
      const modern = pgpOps(rfc9580Party, text, n);
      const [e1, e2, e3] = await compare(runs, [encryptCp, legacy.encrypt, modern.encrypt]);
      rows.push({
        op: 'encrypt+sign',
        size: label,
        recipients: n,
        cipherpost: e1!,
        legacy: e2!,
        rfc9580: e3!,
      });

      const cpEnvelope = await encryptCp();
      const decryptCp = async () => {
        const m = await decryptMessage(cpEnvelope, { identities: [recipients[0]!] });
        if (m.body.text.length !== text.length) throw new Error('Cipherpost decrypted the wrong text');
      };
      const [d1, d2, d3] = await compare(runs, [
        decryptCp,
        legacy.decryptOf(await legacy.encrypt()),
        modern.decryptOf(await modern.encrypt()),
      ]);
      rows.push({
        op: 'decrypt+verify',
        size: label,
        recipients: n,
        cipherpost: d1!,
        legacy: d2!,
        rfc9580: d3!,
      });
    }
  }

  console.log(
    '| operation | size | recipients | Cipherpost | openpgp.js curve25519Legacy (default) | ratio | openpgp.js curve25519 (RFC 9580) | ratio |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = (o: Stats) => `${(r.cipherpost.median / o.median).toFixed(2)}×`;
    console.log(
      `| ${r.op} | ${r.size} | ${r.recipients} | ${ms(r.cipherpost.median)} | ${ms(r.legacy.median)} | ${ratio(r.legacy)} | ${ms(r.rfc9580.median)} | ${ratio(r.rfc9580)} |`,
    );
  }
  console.log("(medians; Cipherpost always adds the sender's own copy, openpgp.js here does not)");

  // Argon2id at the default parameters (password mail, vault unlock).
  const argonRuns: number[] = [];
  for (let i = 0; i < (QUICK ? 2 : 5); i++) {
    const t = performance.now();
    await argon2idKey('correct horse battery staple', new Uint8Array(16), DEFAULT_ARGON2);
    argonRuns.push(performance.now() - t);
  }
  const argon = stats(argonRuns);
  console.log(
    `\nArgon2id m=${DEFAULT_ARGON2.memoryKiB / 1024} MiB, t=${DEFAULT_ARGON2.iterations}, p=${DEFAULT_ARGON2.parallelism} (hash-wasm): ${ms(argon.median)} median of ${argon.runs}`,
  );

  // AES-256-GCM STREAM throughput on 25 MB, and the memory it takes.
  const big = new Uint8Array(25 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
  const key = await importAesGcmKey(new Uint8Array(32).fill(7));
  const aad = new Uint8Array(32);
  const rssBefore = process.memoryUsage().rss;
  let sealed: Uint8Array = new Uint8Array(0);
  const [seal, open] = await pair(
    QUICK ? 3 : 8,
    async () => {
      sealed = await sealChunks(key, big, aad);
    },
    () => openChunks(key, sealed, aad),
  );
  const rssAfter = process.memoryUsage().rss;
  const mbps = (s: Stats) => (big.length / 1e6 / (s.median / 1000)).toFixed(0);
  console.log(
    `AES-256-GCM (STREAM, 64 KiB chunks) 25 MB: seal ${ms(seal.median)} = ${mbps(seal)} MB/s, open ${ms(open.median)} = ${mbps(open)} MB/s`,
  );
  console.log(`RSS growth across the 25 MB runs: ${((rssAfter - rssBefore) / 2 ** 20).toFixed(0)} MiB`);

  const attachment = { name: 'big.bin', mediaType: 'application/octet-stream', data: big };
  const t = performance.now();
  const env = await encryptMessage(
    { subject: 'big', body: { type: 'text/plain', text: '' }, attachments: [attachment] },
    {
      sender: sender.identity,
      senderAddress: 'sender@example.test',
      recipients: [{ address: 'r0@example.test', bundle: cpRecipients[0]!.bundle }],
    },
  );
  const whole = performance.now() - t;
  console.log(
    `encryptMessage with a 25 MB attachment: ${ms(whole)} = ${(big.length / 1e6 / (whole / 1000)).toFixed(0)} MB/s (envelope ${(env.length / 2 ** 20).toFixed(2)} MiB)`,
  );

  const small = rows.find((r) => r.op === 'encrypt+sign' && r.size === '10 KB' && r.recipients === 1)!;
  const ratio = small.cipherpost.median / small.legacy.median;
  const ratioModern = small.cipherpost.median / small.rfc9580.median;
  const targets = [
    [
      `10 KB to one recipient, encrypt+sign ≤ 0.5× openpgp.js (default curve25519 keys): ${ratio.toFixed(2)}×`,
      ratio <= 0.5,
    ],
    [`25 MB encrypts at ≥ 200 MB/s: ${mbps(seal)} MB/s`, Number(mbps(seal)) >= 200],
  ] as const;
  console.log(
    `\nFor information: against RFC 9580 curve25519 keys (WebCrypto inside openpgp.js) the 10 KB ratio is ${ratioModern.toFixed(2)}×.`,
  );
  console.log('\nTargets:');
  for (const [text, ok] of targets) console.log(`- ${ok ? 'MET' : 'MISSED'}: ${text}`);
  if (targets.some(([, ok]) => !ok)) process.exitCode = 1;
}

await main();
