/**
 * The seam between the directory and the transparency log (server/transparency,
 * built separately). The directory appends leaves in the same database
 * transaction as each binding change; the transparency module reads them in
 * index order, builds the RFC 9162 tree, and answers inclusion proofs.
 */
import type { Db, Queryable } from '../db/db';
import { leafFromHex } from './leaf';

export interface StoredLeaf {
  index: number;
  leaf: Uint8Array;
  /** Milliseconds since the epoch, when the leaf was committed. */
  createdAt: number;
}

/** What the transparency module reads. */
export interface LogStore {
  /** Number of committed leaves; indexes are 0 … size-1 without gaps. */
  size(): Promise<number>;
  /** Leaves with start ≤ index < end, in order. */
  leaves(start: number, end: number): Promise<StoredLeaf[]>;
  /** Called after each commit that appended leaves (this instance only; poll `size` for others). */
  onAppend(listener: (newSize: number) => void): () => void;
}

/**
 * What the directory asks of the transparency module for each lookup answer.
 * Until it is plugged in, answers carry the leaf and its index only.
 */
export interface TransparencyProvider {
  /** An inclusion proof of leaf `index`, in the module's own JSON shape, or null if not yet covered. */
  inclusionProof(index: number): Promise<Record<string, unknown> | null>;
}

export const noTransparency: TransparencyProvider = { inclusionProof: async () => null };

/** Appends one leaf inside `tx` (which holds the write lock) and returns its index. */
export async function appendLeaf(tx: Queryable, leaf: string, now: number): Promise<number> {
  const row = await tx.get<{ next: number }>(
    'SELECT COALESCE(MAX(leaf_index) + 1, 0) AS next FROM log_leaves',
  );
  const index = Number(row?.next ?? 0);
  await tx.run('INSERT INTO log_leaves (leaf_index, leaf, created_at) VALUES (?, ?, ?)', [index, leaf, now]);
  return index;
}

export class SqlLogStore implements LogStore {
  private listeners = new Set<(size: number) => void>();
  constructor(private readonly db: Db) {}

  async size(): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM log_leaves');
    return Number(row?.n ?? 0);
  }

  async leaves(start: number, end: number): Promise<StoredLeaf[]> {
    const rows = await this.db.all<{ leaf_index: number; leaf: string; created_at: number }>(
      'SELECT leaf_index, leaf, created_at FROM log_leaves WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index',
      [start, end],
    );
    return rows.map((r) => ({
      index: Number(r.leaf_index),
      leaf: leafFromHex(r.leaf),
      createdAt: Number(r.created_at),
    }));
  }

  onAppend(listener: (size: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The repository calls this after a commit that appended leaves. */
  notify(size: number): void {
    for (const l of this.listeners) {
      try {
        l(size);
      } catch {
        // A listener's failure must not undo a committed write.
      }
    }
  }
}
