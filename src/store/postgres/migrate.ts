import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { readSchemaSteps, type SchemaStep, type SchemaTokens } from '../schema/schema-steps.ts';
import { fairPick } from '../shared/fair-pick.ts';

/**
 * `../schema/`'s steps in PostgreSQL terms: epoch-ms times as BIGINT, ids as identity columns. JSON (timeline
 * details, webhook payloads) stays TEXT as in SQLite: the store only writes and reads it whole, and one row mapping
 * (`../shared/rows.ts`) then serves both databases.
 */
const POSTGRES_TOKENS: SchemaTokens = {
  bigint: 'BIGINT',
  strict: '',
  identity: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  rowid: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
};

/**
 * What only PostgreSQL has, appended to the step that brought it: the claim functions and the triggers. A function
 * file's `{fair_pick}` is the fair share's pick (../shared/fair-pick.sql) in the claim function's parameter names.
 */
const FUNCTIONS_BY_STEP: Readonly<Record<number, readonly string[]>> = {
  7: ['claim-dial.sql', 'call-changed.sql'],
  8: ['dial-gate.sql', 'claim-due.sql', 'call-changed-once.sql'],
  11: ['call-stored-notices.sql'],
  12: ['claim-due.sql'],
  13: ['claim-due.sql', 'take-slots.sql', 'transition.sql'],
};
const PICK_PARAMETERS: Readonly<Record<string, string>> = { at: 'p_at', scan: 'p_scan', share: 'p_share', n: 'v_n' };

/** The numbered steps as this database runs them (read from the `.sql` files on each call). */
export function postgresMigrations(): SchemaStep[] {
  return readSchemaSteps(POSTGRES_TOKENS).map((step) => {
    const functions = (FUNCTIONS_BY_STEP[step.version] ?? []).map((file) =>
      readFileSync(join(import.meta.dirname, 'functions', file), 'utf8').replace('{fair_pick}', () => fairPick((name) => PICK_PARAMETERS[name] ?? name)),
    );
    return { ...step, sql: [step.sql, ...functions].join('\n') };
  });
}

/** The advisory lock key under which migrations run (any fixed 64-bit number; this one spells "DIALJOKE"). */
export const MIGRATION_LOCK_KEY = '4920535863799008069';

/**
 * Applies the steps not yet recorded in `schema_migrations`, each in its own transaction, while holding a
 * session-level advisory lock: instances starting together queue on the lock, and each one after the first finds
 * the steps recorded and applies nothing. Unlocked (and the connection returned) whatever happens.
 */
export async function migratePostgres(pool: Pool, migrations: readonly SchemaStep[] = postgresMigrations()): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  let failed: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => r.version));
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        applied.push(migration.version);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (err) {
    failed = err as Error;
    throw err;
  } finally {
    // A connection that failed mid-way is destroyed rather than pooled: it might still hold the lock.
    client.release(failed);
  }
  return applied;
}
