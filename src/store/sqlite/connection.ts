import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** A cached prepared statement for `text`. */
export type Sql = (text: string) => StatementSync;
/** Runs `work` in one immediate transaction. */
export type Tx = <T>(work: () => T) => T;

/**
 * The two ways the SQLite store reaches its connection: statements prepared once and reused, and immediate
 * transactions (the write lock from the start, so a second process waits on the busy timeout instead of failing
 * mid-transaction). `work` is synchronous: nothing else runs on this connection until it commits.
 */
export function createConnection(db: DatabaseSync): { sql: Sql; tx: Tx } {
  const statements = new Map<string, StatementSync>();
  const sql: Sql = (text) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  const tx: Tx = <T>(work: () => T): T => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      db.exec('COMMIT');
      return result;
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  };
  return { sql, tx };
}
