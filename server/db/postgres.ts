/**
 * PostgreSQL through a pg Pool. Several directory instances may share one
 * database: write transactions take one advisory transaction lock first, so
 * the transparency log is appended in commit order without gaps, exactly as
 * with SQLite's single writer.
 */
import pg from 'pg';
import type { Db, Queryable, SqlValue } from './db';

/** Arbitrary constant naming the directory's write lock (pg_advisory_xact_lock). */
const WRITE_LOCK = 0x43505044; // "CPPD"
const INT8_OID = 20;

export interface PostgresOptions {
  /** A schema to work in (created if missing): tests use one per run. */
  schema?: string;
  max?: number;
}

function toPg(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return (await client.query(toPg(sql), params as SqlValue[])).rows as T[];
    },
    async get<T>(sql: string, params: readonly SqlValue[] = []) {
      return (await client.query(toPg(sql), params as SqlValue[])).rows[0] as T | undefined;
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return (await client.query(toPg(sql), params as SqlValue[])).rowCount ?? 0;
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('bad schema name');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // BIGINT columns hold millisecond times and log indexes, all below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as never,
    },
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const direct = queryable(pool);
  return {
    ...direct,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        const result = await fn(queryable(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
