/**
 * SQLite through better-sqlite3: a file under DATA_DIR, WAL journal and
 * `synchronous = FULL`, so a committed (acknowledged) write survives a crash
 * of the process or the machine.
 *
 * better-sqlite3 is synchronous and one connection is shared, so a transaction
 * whose callback awaits must not interleave with other statements: every
 * operation goes through one promise queue, and a transaction holds it to the end.
 */
import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Db, Queryable, SqlValue } from './db';

export function openSqlite(file: string): Db {
  // The file holds the directory's secrets (settings): owner-only. SQLite gives
  // its -wal and -shm files the mode of the database file.
  closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');

  const direct: Queryable = {
    dialect: 'sqlite',
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return db.prepare(sql).all(...params) as T[];
    },
    async get<T>(sql: string, params: readonly SqlValue[] = []) {
      return db.prepare(sql).get(...params) as T | undefined;
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return db.prepare(sql).run(...params).changes;
    },
    async exec(sql: string) {
      db.exec(sql);
    },
  };

  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = queue.then(fn, fn);
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    dialect: 'sqlite',
    all: (sql, params) => serial(() => direct.all(sql, params)),
    get: (sql, params) => serial(() => direct.get(sql, params)),
    run: (sql, params) => serial(() => direct.run(sql, params)),
    exec: (sql) => serial(() => direct.exec(sql)),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return serial(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
          return result;
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw e;
        }
      });
    },
    async close() {
      await serial(async () => db.close());
    },
  };
}
