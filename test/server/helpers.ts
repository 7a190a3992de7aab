/** Shared fixtures of the directory tests: databases for both backends, identities. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../../server/db/db';
import { migrate } from '../../server/db/migrate';
import { openPostgres } from '../../server/db/postgres';
import { openSqlite } from '../../server/db/sqlite';
import { createIdentity, type Identity } from '../../src/crypto';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDb {
  db: Db;
  /** Drops the schema or deletes the file. */
  cleanup(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function sqliteTestDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'cipherpost-dir-'));
  const db = openSqlite(join(dir, 'test.sqlite'));
  await migrate(db);
  return {
    db,
    async cleanup() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh schema in the `test` database. Fails (never skips) if PostgreSQL is unreachable. */
export async function postgresTestDb(): Promise<TestDb> {
  const schema = uniqueName('cpdir').toLowerCase();
  const db = await openPostgres(POSTGRES_URL, { schema, max: 4 });
  await migrate(db);
  return {
    db,
    async cleanup() {
      await db.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

export const backends: [string, () => Promise<TestDb>][] = [
  ['sqlite', sqliteTestDb],
  ['postgres', postgresTestDb],
];

export async function identityFor(...addresses: string[]): Promise<Identity> {
  return (await createIdentity({ addresses })).identity;
}

export const toBase64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
