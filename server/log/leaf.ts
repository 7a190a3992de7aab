/**
 * Transparency log leaves (docs/directory.md §Transparency). One leaf per
 * binding change, never the address itself:
 *
 *   version u8 = 1 | action u8 (1 publish, 2 revoke) | time u64 (ms)
 *   | HMAC-SHA-256(server secret, label("directory address") ‖ address) (32)
 *   | fingerprint (32)
 *
 * The keyed hash lets the owner of an address (who can ask the directory for
 * it through a lookup) find their entries, while the public log lists no
 * addresses and cannot be brute-forced from a dictionary without the secret.
 */
import { ByteReader, ByteWriter, fromHex, toHex, utf8 } from '../../src/crypto/bytes';
import { hmacSha256, label } from '../../src/crypto/hash';

export const LEAF_VERSION = 1;
export type LeafAction = 'publish' | 'revoke';
const ACTION_CODE: Record<LeafAction, number> = { publish: 1, revoke: 2 };

export interface LeafEntry {
  action: LeafAction;
  /** Milliseconds since the epoch. */
  time: number;
  addressHash: Uint8Array;
  fingerprint: Uint8Array;
}

const ADDRESS_LABEL = label('directory address');

/** The keyed hash of a normalised address, used in log leaves and rate-limit rows. */
export function addressHash(secret: Uint8Array, normalizedAddress: string): Uint8Array {
  return hmacSha256(secret, ADDRESS_LABEL, utf8(normalizedAddress));
}

export function encodeLeaf(e: LeafEntry): Uint8Array {
  return new ByteWriter()
    .u8(LEAF_VERSION)
    .u8(ACTION_CODE[e.action])
    .u64(e.time)
    .bytes(e.addressHash)
    .bytes(e.fingerprint)
    .finish();
}

export function decodeLeaf(bytes: Uint8Array): LeafEntry {
  const r = new ByteReader(bytes, 'log leaf', 'corrupted');
  if (r.u8('version') !== LEAF_VERSION) r.fail('unsupported-version', 'unknown leaf version');
  const code = r.u8('action');
  const action = code === 1 ? 'publish' : code === 2 ? 'revoke' : r.fail('corrupted', 'unknown action');
  const time = r.u64('time');
  const addressHash = r.bytes(32, 'address hash').slice();
  const fingerprint = r.bytes(32, 'fingerprint').slice();
  r.end('corrupted');
  return { action, time, addressHash, fingerprint };
}

export const leafToHex = (leaf: Uint8Array): string => toHex(leaf);
export const leafFromHex = (hex: string): Uint8Array => fromHex(hex);
