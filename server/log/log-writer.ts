/**
 * The seam between the directory core and the transparency module
 * (docs/transparency.md §Server interface). The core
 * calls `append` inside the transaction of each binding change (with a leaf
 * store on that transaction) and `sync` after the commit; lookups ask
 * `lookupTransparency` for the binding's leaf and proofs. The transparency
 * module's `TransparencyLog` (server/transparency/log.ts, `createLog`) has
 * exactly this shape.
 */

import { encodeLeaf, type LogAction as LeafAction } from '../../src/directory-client/log-format';
import { addressHashOf } from '../transparency/secrets';
import type { AppendedLeaf, LeafStoreLike } from './leaf-store';

export interface AppendInput {
  address: string;
  fingerprint: Uint8Array;
  action: LeafAction;
  timestamp?: number;
}

export interface LogWriter {
  append(store: LeafStoreLike, input: AppendInput): Promise<AppendedLeaf>;
  sync(): Promise<number>;
  /** Proofs for a lookup answer, or absent while no transparency module is plugged in. */
  lookupTransparency?(leafIndex: number, known?: number): Promise<LookupTransparency>;
}

/** The `transparency` member of a lookup answer (src/directory-client/wire.ts). */
export interface LookupTransparency {
  leafIndex: number;
  leaf: string;
  sth: string;
  inclusion: string[];
  consistency: string[];
  consistencyFrom: number;
}

/**
 * Appends the same leaves without a tree or proofs (`buildApp({transparency:
 * false})`, and the repository suite, which tests storage, not the log).
 */
export function basicLogWriter(addressKey: Uint8Array, committedSize: () => Promise<number>): LogWriter {
  return {
    async append(store, input) {
      const addressHash = addressHashOf(addressKey, input.address);
      const timestamp = input.timestamp ?? Date.now();
      const leaf: AppendedLeaf = {
        index: await store.size(),
        bytes: encodeLeaf({ addressHash, fingerprint: input.fingerprint, action: input.action, timestamp }),
        addressHash,
        fingerprint: input.fingerprint.slice(),
        action: input.action,
        timestamp,
      };
      await store.append(leaf);
      return leaf;
    },
    sync: committedSize,
  };
}
