import { randomBytes } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type { TestFn } from 'ava';
import pg from 'pg';
import { createPostgresStore } from '../../src/store/postgres/pg-store.ts';
import { defaultPostgresUrl, probePostgres } from './own-postgres.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * The server the tests use: TEST_POSTGRES_URL (`npm test` sets it to this machine's server, or to one it starts for
 * the run: test/helpers/with-postgres.ts), else this machine's (trust auth, maintenance database `test`).
 */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? defaultPostgresUrl();

/** A database made for one test file, with a random name; dropped when the file's tests end. */
export type TestDatabase = {
  url: string;
  /** A fresh migrated store in its own schema of the database, and a way to open another over the same data. */
  makeStore(): Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => Promise<void> }>;
  /** An empty schema of the database (not migrated), and the drop that removes it. */
  freshSchema(): Promise<{ schema: string; drop: () => Promise<void> }>;
  /** Runs one statement on the database as the admin (schemas, plans). */
  admin<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
};

const withUrlDatabase = (url: string, database: string) => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

/** Lets at most `n` holders in at once: the tests of a file run together, and the server takes 100 connections. */
function createGate(n: number) {
  let free = n;
  const waiting: (() => void)[] = [];
  return {
    async enter() {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
    },
    leave() {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    },
  };
}

/**
 * Registers a file's PostgreSQL tests. When the server answers, a database `daj_test_<random>` is made for the file,
 * `register` declares the tests over it, and the database is dropped after them. When it does not answer, the file
 * fails loudly, unless `SKIP_POSTGRES=1`, which skips with a message instead: PostgreSQL tests never pass unseen.
 */
export async function withPostgres(test: TestFn, register: (db: TestDatabase) => void): Promise<void> {
  const unreachable = await probePostgres(POSTGRES_ADMIN_URL);
  if (unreachable) {
    // The password of the run's own server is no secret worth keeping, but a URL with one is not printed anyway.
    const where = POSTGRES_ADMIN_URL.replace(/\/\/[^@/]*@/, '//');
    const message = `PostgreSQL at ${where} cannot be reached (${unreachable.message})`;
    if (process.env.SKIP_POSTGRES === '1') {
      console.warn(`SKIPPED PostgreSQL tests: ${message}; SKIP_POSTGRES=1 is set`);
      test.skip(`postgres: skipped, ${message}`, () => undefined);
    } else {
      test(`postgres: when the server cannot be reached, then this fails (start it, or set SKIP_POSTGRES=1 to skip)`, (t) => {
        const hint = process.env.TEST_POSTGRES_URL
          ? 'TEST_POSTGRES_URL names it: start that server, or unset TEST_POSTGRES_URL and run `npm test` to get a server of the run\'s own'
          : 'run the tests through `npm test -- <files>`, which starts a server of its own when none answers';
        t.fail(`${message}. ${hint}, or set SKIP_POSTGRES=1 to skip.`);
      });
    }
    return;
  }

  const name = `daj_test_${randomBytes(6).toString('hex')}`;
  const adminPool = new pg.Pool({ connectionString: POSTGRES_ADMIN_URL, max: 2 });
  await adminPool.query(`CREATE DATABASE ${name}`);
  const url = withUrlDatabase(POSTGRES_ADMIN_URL, name);
  const dbPool = new pg.Pool({ connectionString: url, max: 2 });
  const gate = createGate(8);
  test.after.always(async () => {
    await dbPool.end();
    // A closed client's backend lingers a moment after end() resolves; forcing it out then would raise the
    // server's "terminating connection" on a socket nobody listens to any more. So wait (bounded) for them to go.
    for (let i = 0; i < 200; i += 1) {
      const left = (await adminPool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0]?.n;
      if (!left) break;
      await setTimeout(25);
    }
    await adminPool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await adminPool.end();
  });

  const freshSchema = async () => {
    const schema = `s_${randomBytes(6).toString('hex')}`;
    await dbPool.query(`CREATE SCHEMA ${schema}`);
    return { schema, drop: async () => void (await dbPool.query(`DROP SCHEMA ${schema} CASCADE`)) };
  };

  register({
    url,
    admin: (text, params) => dbPool.query(text, params),
    freshSchema,
    async makeStore() {
      await gate.enter();
      const { schema, drop } = await freshSchema();
      const open = async () => {
        const store = createPostgresStore({ connectionString: url, searchPath: schema, max: 4 });
        await store.migrate();
        return store;
      };
      const store = await open();
      return {
        store,
        reopen: open,
        cleanup: async () => {
          await store.close();
          await drop();
          gate.leave();
        },
      };
    },
  });
}
