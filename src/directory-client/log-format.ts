/**
 * The canonical encodings of the key-transparency log (docs/transparency.md),
 * shared by the server that writes them and the clients that check them.
 *
 * Log leaf, 74 bytes:
 *   version u8 = 1 | address hash (32) | fingerprint (32) | action u8 | timestamp u64 (ms)
 * with address hash = HMAC-SHA-256(server address key, label("log address") ‖ address),
 * action 1 = publish, 2 = revoke.
 *
 * Signed tree head, 145 bytes:
 *   version u8 = 1 | log id (32) | tree size u64 | timestamp u64 (ms) | root hash (32) | signature (64)
 * with log id = SHA-256(directory Ed25519 public key) and the signature
 * Ed25519 over label("tree head") ‖ the 81 bytes before it.
 */
import { ByteReader, ByteWriter, concatBytes, equalBytes } from '../crypto/bytes';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, ed25519Verify } from '../crypto/ed25519';
import { CryptoError } from '../crypto/errors';
import { label, sha256 } from '../crypto/hash';
import { DirectoryError } from './errors';
import { HASH_LENGTH } from './merkle';

export const LOG_FORMAT_VERSION = 1;
export const LEAF_LENGTH = 1 + 32 + 32 + 1 + 8;
export const TREE_HEAD_SIGNED_LENGTH = 1 + 32 + 8 + 8 + 32;
export const TREE_HEAD_LENGTH = TREE_HEAD_SIGNED_LENGTH + ED25519_SIGNATURE_LENGTH;
/** The label the directory signs tree heads under: no other Cipherpost signature can be one. */
export const TREE_HEAD_LABEL = label('tree head');
/** The label of the keyed address hash. */
export const ADDRESS_HASH_LABEL = label('log address');

export type LogAction = 'publish' | 'revoke';
const ACTION_CODES: Record<LogAction, number> = { publish: 1, revoke: 2 };

export interface LogLeaf {
  readonly version: number;
  /** HMAC-SHA-256 of the normalised address under the directory's address key. */
  readonly addressHash: Uint8Array;
  /** Fingerprint of the key bundle (SHA-256 of its signed part). */
  readonly fingerprint: Uint8Array;
  readonly action: LogAction;
  /** Milliseconds since the Unix epoch, when the directory appended the leaf. */
  readonly timestamp: number;
}

export interface TreeHead {
  readonly version: number;
  /** SHA-256 of the directory's Ed25519 public key. */
  readonly logId: Uint8Array;
  readonly treeSize: number;
  /** Milliseconds since the Unix epoch, when the directory signed this head. */
  readonly timestamp: number;
  readonly rootHash: Uint8Array;
  readonly signature: Uint8Array;
  /** The whole 145-byte encoding. */
  readonly bytes: Uint8Array;
}

export function encodeLeaf(leaf: Omit<LogLeaf, 'version'>): Uint8Array {
  checkHash(leaf.addressHash, 'leaf: addressHash');
  checkHash(leaf.fingerprint, 'leaf: fingerprint');
  const action = ACTION_CODES[leaf.action];
  if (action === undefined) throw new CryptoError('invalid-input', 'leaf: action must be publish or revoke');
  return new ByteWriter()
    .u8(LOG_FORMAT_VERSION)
    .bytes(leaf.addressHash)
    .bytes(leaf.fingerprint)
    .u8(action)
    .u64(leaf.timestamp)
    .finish();
}

/** Parses a leaf; anything but the exact encoding is `malformed`. */
export function decodeLeaf(bytes: Uint8Array): LogLeaf {
  if (!(bytes instanceof Uint8Array) || bytes.length !== LEAF_LENGTH) {
    throw new DirectoryError('malformed', `log leaf: expected ${LEAF_LENGTH} bytes`);
  }
  return guard(() => {
    const r = new ByteReader(bytes, 'log leaf', 'corrupted');
    const version = r.u8('version');
    if (version !== LOG_FORMAT_VERSION) r.fail('corrupted', `unsupported version ${version}`);
    const addressHash = r.bytes(32, 'address hash').slice();
    const fingerprint = r.bytes(32, 'fingerprint').slice();
    const code = r.u8('action');
    const action =
      code === 1 ? 'publish' : code === 2 ? 'revoke' : r.fail('corrupted', `unknown action ${code}`);
    const timestamp = r.u64('timestamp');
    r.end();
    return Object.freeze({ version, addressHash, fingerprint, action, timestamp });
  });
}

export function logIdOf(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new CryptoError('invalid-input', 'log id: expected a 32-byte Ed25519 public key');
  }
  return sha256(publicKey);
}

/** The 81 signed bytes of a tree head. */
export function encodeTreeHeadToBeSigned(head: {
  logId: Uint8Array;
  treeSize: number;
  timestamp: number;
  rootHash: Uint8Array;
}): Uint8Array {
  checkHash(head.logId, 'tree head: logId');
  checkHash(head.rootHash, 'tree head: rootHash');
  return new ByteWriter()
    .u8(LOG_FORMAT_VERSION)
    .bytes(head.logId)
    .u64(head.treeSize)
    .u64(head.timestamp)
    .bytes(head.rootHash)
    .finish();
}

/** What the directory signs: label("tree head") ‖ the 81 bytes. */
export function treeHeadSignedMessage(toBeSigned: Uint8Array): Uint8Array {
  return concatBytes(TREE_HEAD_LABEL, toBeSigned);
}

/** Parses a signed tree head without checking its signature (see `verifyTreeHead`). */
export function decodeTreeHead(bytes: Uint8Array): TreeHead {
  if (!(bytes instanceof Uint8Array) || bytes.length !== TREE_HEAD_LENGTH) {
    throw new DirectoryError('malformed', `tree head: expected ${TREE_HEAD_LENGTH} bytes`);
  }
  return guard(() => {
    const r = new ByteReader(bytes, 'tree head', 'corrupted');
    const version = r.u8('version');
    if (version !== LOG_FORMAT_VERSION) r.fail('corrupted', `unsupported version ${version}`);
    const logId = r.bytes(32, 'log id').slice();
    const treeSize = r.u64('tree size');
    const timestamp = r.u64('timestamp');
    const rootHash = r.bytes(HASH_LENGTH, 'root hash').slice();
    const signature = r.bytes(ED25519_SIGNATURE_LENGTH, 'signature').slice();
    r.end();
    return Object.freeze({ version, logId, treeSize, timestamp, rootHash, signature, bytes: bytes.slice() });
  });
}

/**
 * Parses a signed tree head and checks it was signed by `publicKey` (the
 * directory key the extension is configured with) for this log.
 * Throws `malformed` or `bad-signature`.
 */
export async function verifyTreeHead(bytes: Uint8Array, publicKey: Uint8Array): Promise<TreeHead> {
  const head = decodeTreeHead(bytes);
  if (!equalBytes(head.logId, logIdOf(publicKey))) {
    throw new DirectoryError('bad-signature', 'tree head: signed for another log');
  }
  const tbs = bytes.subarray(0, TREE_HEAD_SIGNED_LENGTH);
  if (!(await ed25519Verify(publicKey, treeHeadSignedMessage(tbs), head.signature))) {
    throw new DirectoryError('bad-signature', 'tree head: signature does not verify');
  }
  return head;
}

function checkHash(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== HASH_LENGTH) {
    throw new CryptoError('invalid-input', `${what}: expected ${HASH_LENGTH} bytes`);
  }
}

function guard<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    // ByteReader's messages already start with `what`.
    if (e instanceof CryptoError) throw new DirectoryError('malformed', e.message);
    throw e;
  }
}
