import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db';
import { openPostgres } from './postgres';
import { openSqlite } from './sqlite';

/** `DATABASE_URL` (postgres://…) selects PostgreSQL; otherwise SQLite in `dataDir`. */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  return openSqlite(join(options.dataDir, 'directory.sqlite'));
}
