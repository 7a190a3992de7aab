/**
 * Transparency log leaves, in the format of docs/transparency.md (owned by the
 * transparency module, `src/directory-client/log-format.ts`):
 *
 *   version u8 = 1 | address hash (32) | fingerprint (32) | action u8 | timestamp u64 (ms)
 *
 * with address hash = HMAC-SHA-256(address key, label("log address") ‖
 * normalised address), action 1 = publish, 2 = revoke. Never the address
 * itself: the public log lists no addresses, and without the key nobody can
 * test a guessed address against it.
 *
 * The directory core writes leaves through a `LogWriter`; until the
 * transparency module's `createLog` is plugged in, `basicLogWriter` writes the
 * same bytes (and test/server checks them against this decoder).
 */
import { normalizeAddress } from '../../src/crypto/address';
import { ByteReader, ByteWriter, utf8 } from '../../src/crypto/bytes';
import { hmacSha256, label } from '../../src/crypto/hash';

export const LEAF_VERSION = 1;
export const LEAF_LENGTH = 74;
export type LeafAction = 'publish' | 'revoke';
const ACTION_CODE: Record<LeafAction, number> = { publish: 1, revoke: 2 };
const ADDRESS_LABEL = label('log address');

export interface LeafEntry {
  addressHash: Uint8Array;
  fingerprint: Uint8Array;
  action: LeafAction;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

export function addressHashOf(addressKey: Uint8Array, address: string): Uint8Array {
  return hmacSha256(addressKey, ADDRESS_LABEL, utf8(normalizeAddress(address)));
}

export function encodeLeaf(e: LeafEntry): Uint8Array {
  return new ByteWriter()
    .u8(LEAF_VERSION)
    .bytes(e.addressHash)
    .bytes(e.fingerprint)
    .u8(ACTION_CODE[e.action])
    .u64(e.timestamp)
    .finish();
}

export function decodeLeaf(bytes: Uint8Array): LeafEntry {
  const r = new ByteReader(bytes, 'log leaf', 'corrupted');
  if (r.u8('version') !== LEAF_VERSION) r.fail('unsupported-version', 'unknown leaf version');
  const addressHash = r.bytes(32, 'address hash').slice();
  const fingerprint = r.bytes(32, 'fingerprint').slice();
  const code = r.u8('action');
  const action = code === 1 ? 'publish' : code === 2 ? 'revoke' : r.fail('corrupted', 'unknown action');
  const timestamp = r.u64('timestamp');
  r.end('corrupted');
  return { addressHash, fingerprint, action, timestamp };
}
