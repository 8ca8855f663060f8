import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import pg from 'pg';
import { createPool } from '../../src/store/postgres/pg-pool.ts';
import { benchDir } from './bench-service.ts';

/** The two stores every store-bound benchmark runs on. */
export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];
export const STORE_LABEL: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/**
 * The PostgreSQL server the benchmarks use (a maintenance database on it: each run makes its own database there).
 * The same default as the tests: this machine's, trust auth. Override with BENCH_POSTGRES_URL.
 */
export const BENCH_POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Every database of one `make bench` run is named `daj_bench_<run>_…`, so the runner can drop what a killed scenario left. */
export const BENCH_RUN_ENV = 'DAJ_BENCH_RUN';
const runTag = () => (process.env[BENCH_RUN_ENV] ?? 'x').replace(/[^a-z0-9]/g, '');

/** A database made for one scenario: its URL for the service, a reader for the scenario's own checks, and its removal. */
export type BenchDb = {
  kind: StoreKind;
  databaseUrl: string;
  /** A read for the scenario's checks (`?` placeholders on both stores); never on the service's path. */
  all<R>(sql: string, params?: readonly (string | number | null)[]): Promise<R[]>;
  /** Removes the database (the SQLite folder, or DROP DATABASE … WITH (FORCE)). */
  drop(): Promise<void>;
};

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL at ${BENCH_POSTGRES_ADMIN_URL} cannot be reached (${err instanceof Error ? err.message : String(err)}): ` +
        'start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set BENCH_POSTGRES_URL',
      { cause: err },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

/** A fresh, empty database of `kind` (the service migrates it when it starts). */
export async function createBenchDb(kind: StoreKind, prefix: string): Promise<BenchDb> {
  if (kind === 'sqlite') {
    const dir = benchDir(prefix);
    const path = join(dir, 'bench.db');
    let reader: DatabaseSync | undefined;
    return {
      kind,
      databaseUrl: `sqlite:${path}`,
      all<R>(sql: string, params: readonly (string | number | null)[] = []) {
        reader ??= new DatabaseSync(path, { readOnly: true });
        return Promise.resolve(reader.prepare(sql).all(...(params as SQLInputValue[])) as R[]);
      },
      drop() {
        if (reader?.isOpen) reader.close();
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const name = `daj_bench_${runTag()}_${prefix.replace(/[^a-z0-9]/g, '')}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const databaseUrl = withDatabase(BENCH_POSTGRES_ADMIN_URL, name);
  let reader: pg.Pool | undefined;
  return {
    kind,
    databaseUrl,
    async all<R>(sql: string, params: readonly (string | number | null)[] = []) {
      reader ??= createPool({ connectionString: databaseUrl, max: 1 });
      let n = 0;
      return (await reader.query(sql.replace(/\?/g, () => `$${++n}`), params as unknown[])).rows as R[];
    },
    async drop() {
      await reader?.end();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Drops every database a run left behind (a scenario killed on its timeout cannot drop its own); returns their names. */
export async function dropRunDatabases(run: string): Promise<string[]> {
  return admin(async (client) => {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'daj\\_bench\\_' || $1 || '\\_%'", [run]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    return rows.map((r) => r.datname);
  });
}
