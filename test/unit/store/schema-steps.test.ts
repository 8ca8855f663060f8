import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type pg from 'pg';
import { migratePostgres, postgresMigrations } from '../../../src/store/postgres/migrate.ts';
import { createPool } from '../../../src/store/postgres/pg-pool.ts';
import { createConnection } from '../../../src/store/sqlite/connection.ts';
import { migrateSqlite, sqliteMigrations } from '../../../src/store/sqlite/migrate.ts';
import { readSchemaSteps } from '../../../src/store/schema/schema-steps.ts';
import { withPostgres } from '../../helpers/postgres.ts';

/** Inserted once step 1 made `calls`: it must survive every later step, and take the later columns' defaults. */
const EARLY_CALL = "INSERT INTO calls (id, to_number, due_at, time_zone, status, created_at, updated_at) VALUES ('early', '+12025550123', 5000, 'UTC', 'scheduled', 1, 1)";
const EARLY_CALL_AFTER = { id: 'early', due_at: 5000, attempt: 0, account_id: null, try_number: 1, tries_total: 1, retry_on_failed: 0, lease_until: null };

/** Every table's columns in order, as one database lists them (the migration record excluded). */
type Columns = Record<string, string[]>;

function sqliteSchema(db: DatabaseSync) {
  const objects = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
  const columns: Columns = {};
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name").all() as { name: string }[]) {
    columns[name] = (db.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[]).map((c) => c.name);
  }
  return { objects, columns };
}

async function postgresSchema(pool: pg.Pool, schema: string) {
  const rows = async (text: string) => (await pool.query(text, [schema])).rows as Record<string, unknown>[];
  const columnRows = await rows(
    `SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default, is_identity FROM information_schema.columns
     WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
  );
  const indexes = await rows(`SELECT indexname, replace(indexdef, $1 || '.', '') AS def FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`);
  const triggers = await rows(
    `SELECT trigger_name, event_manipulation, event_object_table, action_timing, action_condition, action_statement FROM information_schema.triggers
     WHERE trigger_schema = $1 ORDER BY trigger_name, event_manipulation`,
  );
  const functions = await rows(
    `SELECT proname, pg_get_function_arguments(p.oid) AS args, md5(prosrc) AS body FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE nspname = $1 ORDER BY proname`,
  );
  const columns: Columns = {};
  for (const row of columnRows) {
    const table = row.table_name as string;
    if (table !== 'schema_migrations') (columns[table] ??= []).push(row.column_name as string);
  }
  return { columnRows, indexes, triggers, functions, columns };
}

// Declared first: the PostgreSQL tests are registered once the server answered (see withPostgres).
await withPostgres(test, (db) => {
  test('postgres: when a new database is migrated one step at a time, then an early row survives and the schema is a full migration’s, with SQLite’s tables and columns', async (t) => {
    const made = [await db.freshSchema(), await db.freshSchema()];
    const pools = made.map(({ schema }) => createPool({ connectionString: db.url, searchPath: schema, max: 1 }));
    t.teardown(async () => {
      await Promise.all(pools.map((pool) => pool.end()));
      await Promise.all(made.map(({ drop }) => drop()));
    });
    const [stepwise, full] = pools as [pg.Pool, pg.Pool];
    const steps = postgresMigrations();
    for (const step of steps) {
      t.deepEqual(await migratePostgres(stepwise, steps.filter((s) => s.version <= step.version)), [step.version]);
      if (step.version === 1) await stepwise.query(EARLY_CALL);
    }
    t.deepEqual(await migratePostgres(stepwise), []);
    const early = (await stepwise.query("SELECT * FROM calls WHERE id = 'early'")).rows[0] as Record<string, unknown>;
    t.like({ ...early, due_at: Number(early.due_at), lease_until: early.lease_until ?? null }, EARLY_CALL_AFTER);
    t.deepEqual(await migratePostgres(full), steps.map((s) => s.version));
    const [a, b] = [await postgresSchema(stepwise, made[0]?.schema ?? ''), await postgresSchema(full, made[1]?.schema ?? '')];
    t.true(b.indexes.length > 30 && (b.columns.calls?.length ?? 0) === 27);
    t.deepEqual(a, b);
    t.true(b.functions.some((f) => f.proname === 'daj_claim_due') && b.triggers.length > 0, 'the functions and triggers are there');
    const sqlite = new DatabaseSync(':memory:');
    t.teardown(() => sqlite.close());
    migrateSqlite(sqlite, createConnection(sqlite).tx);
    t.deepEqual(b.columns, sqliteSchema(sqlite).columns, 'one schema source: the same tables and columns in both databases');
  });
});

test('sqlite: when a new database is migrated one step at a time, then an early row survives and the schema is a full migration’s', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-steps-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const steps = sqliteMigrations();
  t.deepEqual(steps.map((s) => s.version), steps.map((_, i) => i + 1));
  const stepwise = new DatabaseSync(join(dir, 'stepwise.db'));
  const full = new DatabaseSync(join(dir, 'full.db'));
  t.teardown(() => {
    stepwise.close();
    full.close();
  });
  const { tx } = createConnection(stepwise);
  for (const step of steps) {
    t.deepEqual(migrateSqlite(stepwise, tx, steps.filter((s) => s.version <= step.version)), [step.version]);
    if (step.version === 1) stepwise.prepare(EARLY_CALL).run();
  }
  t.deepEqual(migrateSqlite(stepwise, tx), []);
  t.like(stepwise.prepare("SELECT * FROM calls WHERE id = 'early'").get(), EARLY_CALL_AFTER);
  t.deepEqual(migrateSqlite(full, createConnection(full).tx), steps.map((s) => s.version));
  const [a, b] = [sqliteSchema(stepwise), sqliteSchema(full)];
  t.true(b.objects.length > 30 && (b.columns.calls?.length ?? 0) === 27);
  t.deepEqual(a, b);
});

test('when schema step files skip a number or share one, then reading the steps fails and names the file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-steps-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tokens = { bigint: 'INTEGER', strict: '', identity: '', rowid: '' };
  writeFileSync(join(dir, '0001-first.sql'), '-- name: first\nSELECT 1;\n');
  writeFileSync(join(dir, '0002-second.sql'), '-- name: second\nSELECT 2;\n');
  t.deepEqual(readSchemaSteps(tokens, dir).map((s) => s.version), [1, 2]);
  writeFileSync(join(dir, '0002-twin.sql'), '-- name: twin\nSELECT 2;\n');
  t.throws(() => readSchemaSteps(tokens, dir), { message: /0002-twin\.sql: number 2 is used twice/ });
  rmSync(join(dir, '0002-twin.sql'));
  writeFileSync(join(dir, '0004-after-a-gap.sql'), '-- name: after a gap\nSELECT 4;\n');
  t.throws(() => readSchemaSteps(tokens, dir), { message: /0004-after-a-gap\.sql: expected number 3/ });
});
