/**
 * Cipherpost's own known-answer vectors (docs/format.md §Test vectors): fixed
 * identity seeds and a fixed DRBG make every envelope byte reproducible, so
 * another implementation can check itself against ours. `generateKat` makes
 * the committed file; the test re-makes it and compares.
 */
import { formatFingerprint, openIdentity } from '../../src/crypto';
import { toHex } from '../../src/crypto/bytes';
import { type EncryptOptions, type MessageInput, sealMessage } from '../../src/crypto/message';
import { deterministicRandomness } from '../../src/crypto/seal';
import { testDrbg } from '../crypto/drbg';

export const KAT_FILE = 'test/vectors/cipherpost-v1-kat.json';
const CREATED = 1_767_225_600;

export interface KatIdentity {
  name: string;
  seed: string;
  addresses: string[];
  created: number;
  lifetimeSeconds: number;
  x25519PublicKey: string;
  ed25519PublicKey: string;
  mlKemPublicKey: string;
  bundle: string;
  fingerprint: string;
}

export interface KatMessage {
  description: string;
  drbgSeed: string;
  sender: string;
  senderAddress: string;
  recipients: string[];
  password?: {
    addresses: string[];
    password: string;
    memoryKiB: number;
    iterations: number;
    parallelism: number;
  };
  date: number;
  subject: string;
  bodyType: 'text/plain' | 'text/html';
  body: string;
  attachments: { name: string; mediaType: string; data: string }[];
  envelope: string;
}

export interface KatFile {
  description: string;
  drbg: string;
  identities: KatIdentity[];
  messages: KatMessage[];
}

const IDENTITIES = [
  { name: 'alice', addresses: ['alice@example.test'] },
  { name: 'bob', addresses: ['bob@example.test', 'robert@example.org'] },
  { name: 'carol', addresses: ['carol@example.test'] },
];

type MessageSpec = Omit<KatMessage, 'envelope'>;

const MESSAGES: MessageSpec[] = [
  {
    description: 'plain text, one recipient (plus the sender copy)',
    drbgSeed: 'kat message 1',
    sender: 'alice',
    senderAddress: 'alice@example.test',
    recipients: ['bob'],
    date: CREATED * 1000 + 86_400_000,
    subject: 'Lunch on Thursday?',
    bodyType: 'text/plain',
    body: 'Hi Bob,\n\nThe usual place at noon?\n\nAlice',
    attachments: [],
  },
  {
    description: 'HTML, two recipients, one attachment, Unicode subject',
    drbgSeed: 'kat message 2',
    sender: 'bob',
    senderAddress: 'robert@example.org',
    recipients: ['alice', 'carol'],
    date: CREATED * 1000 + 2 * 86_400_000,
    subject: 'Contrat signé ✍️ 契約',
    bodyType: 'text/html',
    body: '<p>Voici le <b>contrat</b>.</p>',
    attachments: [
      { name: 'contrat.txt', mediaType: 'text/plain', data: toHex(new TextEncoder().encode('Article 1.')) },
    ],
  },
  {
    description: 'password recipient only (Argon2id m=8 MiB, t=1, p=1 to keep the vector fast), empty body',
    drbgSeed: 'kat message 3',
    sender: 'carol',
    senderAddress: 'carol@example.test',
    recipients: [],
    password: {
      addresses: ['dave@elsewhere.test'],
      password: 'correct horse battery staple',
      memoryKiB: 8192,
      iterations: 1,
      parallelism: 1,
    },
    date: CREATED * 1000 + 3 * 86_400_000,
    subject: '',
    bodyType: 'text/plain',
    body: '',
    attachments: [],
  },
  {
    description: 'a 72 000-byte body: two STREAM chunks',
    drbgSeed: 'kat message 4',
    sender: 'alice',
    senderAddress: 'alice@example.test',
    recipients: ['bob'],
    date: CREATED * 1000 + 4 * 86_400_000,
    subject: 'Long',
    bodyType: 'text/plain',
    body: 'Cipherpost. '.repeat(6_000),
    attachments: [],
  },
];

const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

export async function makeIdentities(
  specs: { name: string; seed: string; addresses: string[]; created: number }[],
) {
  const out = new Map<string, Awaited<ReturnType<typeof openIdentity>>>();
  for (const s of specs)
    out.set(s.name, await openIdentity(fromHex(s.seed), { addresses: s.addresses, created: s.created }));
  return out;
}

export async function sealKatMessage(
  spec: MessageSpec,
  identities: Map<string, Awaited<ReturnType<typeof openIdentity>>>,
): Promise<Uint8Array> {
  const input: MessageInput = {
    subject: spec.subject,
    body: { type: spec.bodyType, text: spec.body },
    attachments: spec.attachments.map((a) => ({
      name: a.name,
      mediaType: a.mediaType,
      data: fromHex(a.data),
    })),
  };
  const options: EncryptOptions = {
    sender: identities.get(spec.sender)!,
    senderAddress: spec.senderAddress,
    recipients: spec.recipients.map((n) => ({
      address: identities.get(n)!.bundle.addresses[0]!,
      bundle: identities.get(n)!.bundle,
    })),
    date: spec.date,
    ...(spec.password
      ? {
          passwordRecipients: {
            addresses: spec.password.addresses,
            password: spec.password.password,
            argon2: {
              memoryKiB: spec.password.memoryKiB,
              iterations: spec.password.iterations,
              parallelism: spec.password.parallelism,
            },
          },
        }
      : {}),
  };
  return sealMessage(input, options, deterministicRandomness(testDrbg(spec.drbgSeed)));
}

export async function generateKat(): Promise<KatFile> {
  const specs = IDENTITIES.map((i) => ({
    ...i,
    seed: toHex(testDrbg(`identity ${i.name}`)(32)),
    created: CREATED,
  }));
  const identities = await makeIdentities(specs);
  const katIdentities: KatIdentity[] = specs.map((s) => {
    const id = identities.get(s.name)!;
    return {
      ...s,
      lifetimeSeconds: id.bundle.expires - id.bundle.created,
      x25519PublicKey: toHex(id.keys.x25519PublicKey),
      ed25519PublicKey: toHex(id.keys.ed25519PublicKey),
      mlKemPublicKey: toHex(id.keys.mlKemPublicKey),
      bundle: toHex(id.bundle.bytes),
      fingerprint: formatFingerprint(id.bundle.fingerprint),
    };
  });
  const messages: KatMessage[] = [];
  for (const m of MESSAGES) messages.push({ ...m, envelope: toHex(await sealKatMessage(m, identities)) });
  return {
    description:
      'Cipherpost format v1 known-answer vectors. Identities come from the seeds; each envelope from its ' +
      'inputs and the test DRBG seeded with drbgSeed. See docs/format.md §Test vectors.',
    drbg: 'block i = SHA-256(UTF-8("Cipherpost-v1 test DRBG" || drbgSeed) || u64be(i)); blocks concatenated, read in order',
    identities: katIdentities,
    messages,
  };
}
