/**
 * The directory's transparency secrets: the Ed25519 seed that signs tree
 * heads and the 256-bit key of the address hash. Both are made once, at the
 * first start, and kept for the life of the log: a new signing key means
 * clients configured with the old public key refuse every tree head; a new
 * address key means every address gets a new hash, so owners' histories would
 * restart.
 *
 * Encoding (69 bytes): "CPTS" | version u8 = 1 | signing seed (32) | address key (32).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizeAddress } from '../../src/crypto/address';
import { concatBytes, equalBytes, utf8 } from '../../src/crypto/bytes';
import { ed25519PublicKey, ed25519SignWith, importEd25519PrivateKey } from '../../src/crypto/ed25519';
import { hmacSha256 } from '../../src/crypto/hash';
import {
  ADDRESS_HASH_LABEL,
  encodeTreeHeadToBeSigned,
  logIdOf,
  treeHeadSignedMessage,
} from '../../src/directory-client/log-format';

export interface LogSecrets {
  readonly signingSeed: Uint8Array;
  readonly addressKey: Uint8Array;
}

const MAGIC = utf8('CPTS');
const VERSION = 1;
export const LOG_SECRETS_LENGTH = 4 + 1 + 32 + 32;
/** The file `loadOrCreateLogSecrets` keeps in the data directory. */
export const LOG_SECRETS_FILE = 'transparency-secrets.bin';

export function generateLogSecrets(): LogSecrets {
  return { signingSeed: new Uint8Array(randomBytes(32)), addressKey: new Uint8Array(randomBytes(32)) };
}

export function encodeLogSecrets(secrets: LogSecrets): Uint8Array {
  if (secrets.signingSeed.length !== 32 || secrets.addressKey.length !== 32) {
    throw new RangeError('log secrets: 32-byte seed and address key required');
  }
  return concatBytes(MAGIC, Uint8Array.of(VERSION), secrets.signingSeed, secrets.addressKey);
}

export function decodeLogSecrets(bytes: Uint8Array): LogSecrets {
  if (
    !(bytes instanceof Uint8Array) ||
    bytes.length !== LOG_SECRETS_LENGTH ||
    !equalBytes(bytes.subarray(0, 4), MAGIC) ||
    bytes[4] !== VERSION
  ) {
    throw new Error('log secrets: not a version-1 Cipherpost transparency secrets file');
  }
  return { signingSeed: bytes.slice(5, 37), addressKey: bytes.slice(37, 69) };
}

/**
 * Reads `<dataDir>/transparency-secrets.bin`, or creates it (mode 0600,
 * exclusive create, so two processes starting together cannot each make a
 * different key: the loser reads the winner's file).
 */
export async function loadOrCreateLogSecrets(dataDir: string): Promise<LogSecrets> {
  const path = join(dataDir, LOG_SECRETS_FILE);
  try {
    return decodeLogSecrets(new Uint8Array(await readFile(path)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const bytes = encodeLogSecrets(generateLogSecrets());
  try {
    const file = await open(path, 'wx', 0o600);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    return decodeLogSecrets(bytes);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return decodeLogSecrets(new Uint8Array(await readFile(path)));
  } finally {
    bytes.fill(0);
  }
}

/**
 * The same for secrets kept in a database row: `read` returns the stored
 * bytes or undefined; `insertIfAbsent` stores them unless a row exists
 * (e.g. `INSERT … ON CONFLICT DO NOTHING`). The stored value wins a race.
 */
export async function loadOrCreateLogSecretsIn(db: {
  read(): Promise<Uint8Array | undefined>;
  insertIfAbsent(bytes: Uint8Array): Promise<void>;
}): Promise<LogSecrets> {
  const existing = await db.read();
  if (existing) return decodeLogSecrets(existing);
  await db.insertIfAbsent(encodeLogSecrets(generateLogSecrets()));
  const stored = await db.read();
  if (!stored) throw new Error('log secrets: insertIfAbsent stored nothing');
  return decodeLogSecrets(stored);
}

/** HMAC-SHA-256(address key, label("log address") ‖ normalised address). */
export function addressHashOf(addressKey: Uint8Array, address: string): Uint8Array {
  return hmacSha256(addressKey, ADDRESS_HASH_LABEL, utf8(normalizeAddress(address)));
}

export interface LogSigner {
  /** The public key clients are configured with. */
  readonly publicKey: Uint8Array;
  /** SHA-256(publicKey), inside every tree head. */
  readonly logId: Uint8Array;
  /** A signed tree head (145 bytes, docs/transparency.md). */
  signTreeHead(head: { treeSize: number; timestamp: number; rootHash: Uint8Array }): Promise<Uint8Array>;
}

export async function openLogSigner(secrets: LogSecrets): Promise<LogSigner> {
  const privateKey = await importEd25519PrivateKey(secrets.signingSeed);
  const publicKey = await ed25519PublicKey(secrets.signingSeed);
  const logId = logIdOf(publicKey);
  return Object.freeze({
    publicKey,
    logId,
    async signTreeHead(head: { treeSize: number; timestamp: number; rootHash: Uint8Array }) {
      const tbs = encodeTreeHeadToBeSigned({ logId, ...head });
      const signature = await ed25519SignWith(privateKey, treeHeadSignedMessage(tbs));
      return concatBytes(tbs, signature);
    },
  });
}
