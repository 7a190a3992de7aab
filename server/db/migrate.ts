/**
 * Applies `server/migrations/*.sql` in name order, each once, each in its own
 * write transaction (so instances starting together apply it once).
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.transaction((tx) =>
    tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)',
    ),
  );
  const files = (await readdir(dir)).filter((f) => /^\d+-[a-z0-9-]+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  for (const file of files) {
    const sql = await readFile(join(dir, file), 'utf8');
    const done = await db.transaction(async (tx) => {
      if (await tx.get('SELECT version FROM schema_migrations WHERE version = ?', [file])) return false;
      await tx.exec(sql);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [file, Date.now()]);
      return true;
    });
    if (done) applied.push(file);
  }
  return applied;
}
