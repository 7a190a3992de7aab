/**
 * The seam between the directory core and the transparency log
 * (docs/transparency.md §Server interface): the core calls `append` inside
 * the transaction of each binding change (with a leaf store on that
 * transaction) and `sync` after the commit; lookups ask `lookupTransparency`
 * for the binding's leaf and proofs. `TransparencyLog` (createLog) is one.
 */

import { encodeLeaf, type LogAction } from '../../src/directory-client/log-format';
import { leafHash } from '../../src/directory-client/merkle';
import type { LookupTransparency } from '../../src/directory-client/wire';
import type { LeafStore, StoredLeaf } from '../transparency/log';
import { addressHashOf } from '../transparency/secrets';

export interface AppendInput {
  address: string;
  fingerprint: Uint8Array;
  action: LogAction;
  timestamp?: number;
}

export interface LogWriter {
  append(store: LeafStore, input: AppendInput): Promise<StoredLeaf>;
  sync(): Promise<number>;
  /** Proofs for a lookup answer, or absent while no transparency module is plugged in. */
  lookupTransparency?(leafIndex: number, known?: number): Promise<LookupTransparency>;
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
      const bytes = encodeLeaf({
        addressHash,
        fingerprint: input.fingerprint,
        action: input.action,
        timestamp,
      });
      const leaf: StoredLeaf = {
        index: await store.size(),
        bytes,
        hash: leafHash(bytes),
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
