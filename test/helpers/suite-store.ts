import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { createStore } from '../../src/store/create-store.ts';
import { createPool } from '../../src/store/postgres/pg-pool.ts';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import type { Store } from '../../src/store/store.ts';
import { defaultPostgresUrl } from './own-postgres.ts';

/**
 * Which store the integration suite runs on: SQLite by default; `SUITE_STORE=postgres` (`npm run test:postgres`)
 * runs the same tests with every service on a database of its own on the test server, made from a migrated template
 * (test/helpers/with-postgres.ts makes it once per run, so no test pays for the migrations).
 */
export const SUITE_STORE: 'sqlite' | 'postgres' = process.env.SUITE_STORE === 'postgres' ? 'postgres' : 'sqlite';
export const onPostgres = SUITE_STORE === 'postgres';

/**
 * Every database of a suite run is named `daj_suite_<run>_…`, where the run (`SUITE_RUN`, set by with-postgres.ts) is
 * its process id in base 36 and a random tag: two runs on one server (two worktrees, a developer's run beside CI) then
 * never copy, drop or clean up each other's databases. with-postgres.ts drops its own run's when the run ends, and
 * those of runs whose process has gone (killed before their cleanup) when one starts.
 */
const SUITE_DB_PREFIX = 'daj_suite_';
const suiteRun = () => process.env.SUITE_RUN ?? 'solo';
const templateOf = (run: string) => `${SUITE_DB_PREFIX}${run}_template`;
/** A fresh run id for with-postgres.ts. */
export const newSuiteRun = () => `${process.pid.toString(36)}_${randomBytes(2).toString('hex')}`;

const adminUrl = () => process.env.TEST_POSTGRES_URL ?? defaultPostgresUrl();
const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};
const databaseOf = (url: string) => new URL(url).pathname.slice(1);

/**
 * The `DATABASE_URL` for one service of a test: a SQLite file in `dir`, or (on PostgreSQL) a database that does not
 * exist yet — {@link prepareSuiteDatabase} makes it, as startTestService does before it starts the service. Named
 * after the (unique, temporary) folder and file, so a test that restarts a service over the same folder finds its
 * database again, as it would find the SQLite file.
 */
export function suiteDatabaseUrl(dir: string, file = 'test.db'): string {
  if (!onPostgres) return `sqlite:${join(dir, file)}`;
  const tag = createHash('sha256').update(join(dir, file)).digest('hex').slice(0, 20);
  return withDatabase(adminUrl(), `${SUITE_DB_PREFIX}${suiteRun()}_${tag}`);
}

async function admin<T>(work: (client: pg.Client) => Promise<T>, url = adminUrl()): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Makes a suite database named by `databaseUrl` from the migrated template, unless it exists (a restart reuses it). */
export async function prepareSuiteDatabase(databaseUrl: string): Promise<void> {
  if (!databaseUrl.startsWith('postgres')) return;
  const name = databaseOf(databaseUrl);
  if (!name.startsWith(SUITE_DB_PREFIX)) return;
  await admin(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name} TEMPLATE ${templateOf(suiteRun())}`);
  });
}

/** Drops a suite database (its connections forced out); a SQLite URL needs nothing (its folder goes with the test). */
export async function dropSuiteDatabase(databaseUrl: string): Promise<void> {
  if (!databaseUrl.startsWith('postgres')) return;
  const name = databaseOf(databaseUrl);
  if (!name.startsWith(SUITE_DB_PREFIX) || name === templateOf(suiteRun())) return;
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** The store `databaseUrl` names (a suite database made first if need be), for a test that passes its own store. */
export async function suiteStoreFor(databaseUrl: string): Promise<Store> {
  await prepareSuiteDatabase(databaseUrl);
  return createStore(databaseUrl, ROOT_DIR);
}

/** A migrated store for a test that builds its own parts: a SQLite file in `dir`, or a fresh suite database. */
export async function openSuiteStore(dir: string, file = 'test.db'): Promise<{ store: Store; databaseUrl: string; drop: () => Promise<void> }> {
  const databaseUrl = suiteDatabaseUrl(dir, file);
  await prepareSuiteDatabase(databaseUrl);
  const store = createStore(databaseUrl, ROOT_DIR);
  return { store, databaseUrl, drop: () => dropSuiteDatabase(databaseUrl) };
}

/** Whether the process that started suite run `run` is still alive on this machine (the run's id begins with its pid). */
function runAlive(run: string): boolean {
  const pid = Number.parseInt(run.split('_')[0] ?? '', 36);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** with-postgres.ts, before run `run`: the template every suite database is copied from, migrated once. */
export async function makeSuiteTemplate(url: string, run: string): Promise<void> {
  const template = templateOf(run);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    // Leftovers of runs killed before their cleanup (their process has gone); a live run's are never touched.
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [SUITE_DB_PREFIX]);
    for (const { datname } of rows) {
      if (!runAlive(datname.slice(SUITE_DB_PREFIX.length))) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await client.query(`CREATE DATABASE ${template}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const store = createStore(withDatabase(url, template), ROOT_DIR);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
  // A closed pool's server processes linger a moment, and a template someone is connected to cannot be copied: the
  // run starts once they have gone (bounded: 5 s, then the first copy reports it).
  await admin(async (client) => {
    for (let i = 0; i < 200; i += 1) {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [template]);
      if (!rows[0]?.n) return;
      await setTimeout(25);
    }
  }, url);
}

/** with-postgres.ts, after run `run`: every database of it left (a test that failed before its stop, the template). */
export async function dropSuiteDatabases(url: string, run: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    // `_` is a LIKE wildcard: the names are matched exactly by their prefix instead.
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [`${SUITE_DB_PREFIX}${run}_`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    return rows.length;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Reads the database a test service used, beside the service (or after it stopped): one statement with `?`
 * placeholders, the same text on both stores; BIGINT and count(*) come back as numbers on both.
 */
export async function readRows<R>(databaseUrl: string, text: string, params: readonly (string | number | null)[] = []): Promise<R[]> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new DatabaseSync(databaseUrl.slice('sqlite:'.length), { readOnly: true });
    try {
      return db.prepare(text).all(...params) as R[];
    } finally {
      db.close();
    }
  }
  let n = 0;
  const pool = createPool({ connectionString: databaseUrl, max: 1 });
  try {
    return (await pool.query(text.replace(/\?/g, () => `$${++n}`), params as unknown[])).rows as R[];
  } finally {
    await pool.end();
  }
}
