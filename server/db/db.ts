/**
 * The storage driver seen by repositories: one small async interface over
 * SQLite (better-sqlite3, embedded) and PostgreSQL (pg). SQL is written once
 * with `?` placeholders; the PostgreSQL driver rewrites them to `$n`.
 */
export type SqlValue = string | number | null;
export type Dialect = 'sqlite' | 'postgres';

export interface Queryable {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a script of several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /**
   * Runs `fn` in one transaction that holds the database's write lock from its
   * start (SQLite `BEGIN IMMEDIATE`; PostgreSQL an advisory transaction lock),
   * so writers are serialised across processes and the log index has no gaps.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
