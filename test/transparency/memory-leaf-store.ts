/**
 * An in-memory `LeafStore` with transactions, for tests: appends go to a
 * transaction and become visible to `size`, `leaves` and `indicesForAddress`
 * only on commit, as in the server's databases.
 */

import type { LeafStore, StoredLeaf } from '../../server/transparency/log';
import { toHex } from '../../src/crypto/bytes';

export class MemoryLeafStore implements LeafStore {
  readonly committed: StoredLeaf[] = [];

  async size(): Promise<number> {
    return this.committed.length;
  }
  async leaves(from: number, to: number): Promise<Uint8Array[]> {
    return this.committed.slice(from, to).map((l) => l.bytes);
  }
  async append(leaf: StoredLeaf): Promise<void> {
    if (leaf.index !== this.committed.length) throw new Error(`index ${leaf.index} is not the next one`);
    this.committed.push(leaf);
  }
  async indicesForAddress(addressHash: Uint8Array): Promise<number[]> {
    const key = toHex(addressHash);
    return this.committed.filter((l) => toHex(l.addressHash) === key).map((l) => l.index);
  }

  /** A transaction: its own appends are visible to it, committed ones too. */
  transaction(): LeafStore & { commit(): void; rollback(): void } {
    const pending: StoredLeaf[] = [];
    return {
      size: async () => this.committed.length + pending.length,
      leaves: async (from, to) => [...this.committed, ...pending].slice(from, to).map((l) => l.bytes),
      append: async (leaf) => {
        if (leaf.index !== this.committed.length + pending.length) throw new Error('not the next index');
        pending.push(leaf);
      },
      indicesForAddress: (h) => this.indicesForAddress(h),
      commit: () => {
        for (const l of pending.splice(0)) this.committed.push(l);
      },
      rollback: () => {
        pending.length = 0;
      },
    };
  }
}
