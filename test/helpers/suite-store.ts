import { createHash } from 'node:crypto';
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

/** Every database of a suite run is named so; with-postgres.ts drops what is left when the run ends. */
export const SUITE_DB_PREFIX = 'daj_suite_';
export const SUITE_TEMPLATE = `${SUITE_DB_PREFIX}template`;

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
  return withDatabase(adminUrl(), `${SUITE_DB_PREFIX}${tag}`);
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
    if (!rowCount) await client.query(`CREATE DATABASE ${name} TEMPLATE ${SUITE_TEMPLATE}`);
  });
}

/** Drops a suite database (its connections forced out); a SQLite URL needs nothing (its folder goes with the test). */
export async function dropSuiteDatabase(databaseUrl: string): Promise<void> {
  if (!databaseUrl.startsWith('postgres')) return;
  const name = databaseOf(databaseUrl);
  if (!name.startsWith(SUITE_DB_PREFIX) || name === SUITE_TEMPLATE) return;
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

/** with-postgres.ts, before the run: the template every suite database is copied from, migrated once. */
export async function makeSuiteTemplate(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${SUITE_TEMPLATE} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${SUITE_TEMPLATE}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const store = createStore(withDatabase(url, SUITE_TEMPLATE), ROOT_DIR);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
  // A closed pool's server processes linger a moment, and a template someone is connected to cannot be copied: the
  // run starts once they have gone (bounded: 5 s, then the first copy reports it).
  await admin(async (client) => {
    for (let i = 0; i < 200; i += 1) {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [SUITE_TEMPLATE]);
      if (!rows[0]?.n) return;
      await setTimeout(25);
    }
  }, url);
}

/** with-postgres.ts, after the run: every suite database left (a test that failed before its stop, the template). */
export async function dropSuiteDatabases(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${SUITE_DB_PREFIX}%`]);
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
