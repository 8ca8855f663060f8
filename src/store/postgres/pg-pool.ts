import pg from 'pg';
import type { QueryResult, QueryResultRow } from 'pg';

/**
 * One statement with `$n` parameters, on the pool or inside a transaction's connection. With `name`, a statement on
 * a hot path is parsed and planned once per connection and then only bound and run (one name, one text).
 */
export type Query = <R extends QueryResultRow = QueryResultRow>(text: string, params?: readonly unknown[], name?: string) => Promise<QueryResult<R>>;
/** Runs `work` in one transaction on one pooled connection; commits when it resolves, rolls back when it throws. */
export type PgTx = <T>(work: (query: Query) => Promise<T>) => Promise<T>;

const INT8_OID = 20;
const defaultParser = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;

/**
 * A pool whose BIGINT (and count(*)) values read back as numbers: every one we store is an epoch-ms time, a
 * duration or a row count, far below 2^53, and the domain works in numbers. Set per pool, not on the global
 * `pg.types`, so nothing else in the process is changed.
 */
export function createPool(options: { connectionString: string; max?: number; searchPath?: string; idleTimeoutMillis?: number }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // 0 keeps an idle connection open (a session holding advisory locks must not be closed for idling).
    ...(options.idleTimeoutMillis === undefined ? {} : { idleTimeoutMillis: options.idleTimeoutMillis }),
    // An unreachable server fails a query (and /ready) within seconds instead of leaving it waiting forever.
    connectionTimeoutMillis: 5000,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary' ? (value: string) => Number(value) : defaultParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server closes (restart, failover, an admin's terminate) is dropped by the pool, and
  // the next query opens a new one and reports its own error; unheard, this event would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/** The pool's one-statement query and its transaction helper. */
export function createPgAccess(pool: pg.Pool): { query: Query; tx: PgTx } {
  const query: Query = (text, params, name) => (name ? pool.query({ name, text, values: params as unknown[] }) : pool.query(text, params as unknown[]));
  const tx: PgTx = async (work) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work((text, params, name) => (name ? client.query({ name, text, values: params as unknown[] }) : client.query(text, params as unknown[])));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      throw err;
    } finally {
      // A connection whose rollback failed is in an unknown state: destroy it instead of pooling it.
      client.release(broken);
    }
  };
  return { query, tx };
}
