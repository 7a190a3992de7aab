/**
 * The leaves table behind the transparency log: the `LeafStore` of
 * server/transparency/log.ts, for SQLite and PostgreSQL. A store made on a
 * transaction appends inside it; a store made on the database reads only
 * committed leaves. Indexes are dense (0, 1, 2, … in commit order): appends
 * run only in write transactions, which hold the database's write lock, and
 * the primary key refuses two leaves at one index.
 */
import { fromHex, toHex } from '../../src/crypto/bytes';
import type { Queryable } from '../db/db';
import type { LeafStore } from '../transparency/log';

/** Dense indexes make the size the largest index + 1: one primary-key probe, not a count. */
const SIZE_SQL = 'SELECT COALESCE(MAX(leaf_index) + 1, 0) AS n FROM log_leaves';

export function sqlLeafStore(q: Queryable): LeafStore {
  return {
    async size() {
      const row = await q.get<{ n: number }>(SIZE_SQL);
      return Number(row?.n ?? 0);
    },
    async leaves(from, to) {
      const rows = await q.all<{ leaf: string }>(
        'SELECT leaf FROM log_leaves WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index',
        [from, to],
      );
      return rows.map((r) => fromHex(r.leaf));
    },
    async append(leaf) {
      const next = await q.get<{ n: number }>(SIZE_SQL);
      if (Number(next?.n ?? 0) !== leaf.index) throw new Error('log: append at a wrong index');
      await q.run('INSERT INTO log_leaves (leaf_index, leaf, address_hash, created_at) VALUES (?, ?, ?, ?)', [
        leaf.index,
        toHex(leaf.bytes),
        toHex(leaf.addressHash),
        leaf.timestamp,
      ]);
    },
    async indicesForAddress(addressHash) {
      const rows = await q.all<{ leaf_index: number }>(
        'SELECT leaf_index FROM log_leaves WHERE address_hash = ? ORDER BY leaf_index',
        [toHex(addressHash)],
      );
      return rows.map((r) => Number(r.leaf_index));
    },
  };
}
