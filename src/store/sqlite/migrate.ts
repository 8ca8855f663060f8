import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { readSchemaSteps, type SchemaStep, type SchemaTokens } from '../schema/schema-steps.ts';
import type { Tx } from './connection.ts';

/** `../schema/`'s steps in SQLite terms: STRICT tables; INTEGER is 64-bit here, and an id the rowid. */
const SQLITE_TOKENS: SchemaTokens = {
  bigint: 'INTEGER',
  strict: 'STRICT',
  identity: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  rowid: 'INTEGER PRIMARY KEY',
};

/** What only SQLite has (its own trigger syntax), appended to the step that brought it. */
const TRIGGERS_BY_STEP: Readonly<Record<number, readonly string[]>> = { 8: ['dial-gate.sql'] };

/** The numbered steps as this database runs them (read from the `.sql` files on each call). */
export function sqliteMigrations(): SchemaStep[] {
  return readSchemaSteps(SQLITE_TOKENS).map((step) => {
    const triggers = (TRIGGERS_BY_STEP[step.version] ?? []).map((file) => readFileSync(join(import.meta.dirname, 'triggers', file), 'utf8'));
    return { ...step, sql: [step.sql, ...triggers].join('\n') };
  });
}

/**
 * Applies the steps not yet recorded in `schema_migrations`, each with its record in one immediate transaction:
 * one process per database file, and a second one starting waits on the write lock. Returns the versions applied.
 */
export function migrateSqlite(db: DatabaseSync, tx: Tx, migrations: readonly SchemaStep[] = sqliteMigrations()): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const applied: number[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    tx(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString());
    });
    applied.push(migration.version);
  }
  return applied;
}
