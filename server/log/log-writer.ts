/**
 * The seam between the directory core and the transparency log
 * (docs/transparency.md §Server interface): the core calls `append` inside
 * the transaction of each binding change (with a leaf store on that
 * transaction) and `sync` after the commit; lookups ask `lookupTransparency`
 * for the binding's leaf and proofs. `TransparencyLog` (createLog) is one.
 */

import type { LogAction } from '../../src/directory-client/log-format';
import type { LookupTransparency } from '../../src/directory-client/wire';
import { appendLeaf, type LeafStore, type StoredLeaf } from '../transparency/log';
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
    append: (store, input) => appendLeaf(store, addressHashOf(addressKey, input.address), input, Date.now),
    sync: committedSize,
  };
}
