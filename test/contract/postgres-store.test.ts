import test from 'ava';
import { DbRateLimiter } from '../../src/accounts/db-rate-limiter.ts';
import { migratePostgres, postgresMigrations } from '../../src/store/postgres/migrate.ts';
import { pgHistorySql, pgUpcomingSql } from '../../src/store/postgres/pg-call-list.ts';
import { createPool } from '../../src/store/postgres/pg-pool.ts';
import { createPostgresStore } from '../../src/store/postgres/pg-store.ts';
import { createManualClock } from '../helpers/manual-clock.ts';
import { withPostgres } from '../helpers/postgres.ts';
import { accountStoreContract } from './account-store.contract.ts';
import { storeContract } from './store.contract.ts';
import { scheduleStoreContract } from './schedule-store.contract.ts';
import { liveStoreContract } from './live-store.contract.ts';
import { dialStoreContract } from './dial-store.contract.ts';
import { inboxStoreContract } from './inbox-store.contract.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
/** Limits under which only the channels can refuse a claim. */
const NO_RATE = { perWindow: 1000, windowMs: 1000 };
const call = (id: string, to = '+12025550123') => ({ id, to, dueAt: T0, timeZone: 'UTC', message: null, createdAt: T0 });

await withPostgres(test, (db) => {
  storeContract(test, 'postgres', db.makeStore);
  liveStoreContract(test, 'postgres', db.makeStore);
  dialStoreContract(test, 'postgres', db.makeStore);
  inboxStoreContract(test, 'postgres', db.makeStore);
  accountStoreContract(test, 'postgres', db.makeStore);
  scheduleStoreContract(test, 'postgres', db.makeStore);

  test('postgres: when several instances migrate an empty database at once, then each step is applied once', async (t) => {
    const { schema, drop } = await db.freshSchema();
    t.teardown(drop);
    const pools = Array.from({ length: 4 }, () => createPool({ connectionString: db.url, searchPath: schema, max: 1 }));
    t.teardown(() => Promise.all(pools.map((pool) => pool.end())));
    const applied = await Promise.all(pools.map((pool) => migratePostgres(pool)));
    const versions = postgresMigrations().map((m) => m.version);
    t.deepEqual(applied.flat().sort((a, b) => a - b), versions, `applied per instance: ${JSON.stringify(applied)}`);
    const { rows } = await db.admin<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
    t.deepEqual(rows.map((r) => r.version), versions);
  });

  test('postgres: when two instances claim more calls at once than there are channels, then exactly the limit is claimed', async (t) => {
    const { store, reopen, cleanup } = await db.makeStore();
    t.teardown(cleanup);
    const other = await reopen();
    t.teardown(() => other.close());
    const ids = Array.from({ length: 12 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    for (const id of ids) await store.insertCall(call(id));
    // Each instance asks for one call at a time, or for all of them at once: the gate lets exactly three through.
    const results = await Promise.all(
      ids.map((_, i) => (i % 2 ? other : store).claimDue(() => T0 + 1, { maxLive: 3, perAccount: 3, ...NO_RATE }, { owner: `i${i % 2}`, until: T0 + 10_000 }, i < 2 ? 12 : 1)),
    );
    t.is(results.reduce((n, r) => n + r.claimed.length, 0), 3);
    t.is(results.filter((r) => r.reason === 'no_channel').length, results.filter((r) => r.claimed.length === 0).length);
    t.is(await store.countLive(), 3);
    t.is(await store.recountLive(), 0, 'the gate counted what a recount finds');
  });

  test('postgres: when one call is claimed by several instances at once, then one claim wins and it is dialed once', async (t) => {
    const { store, reopen, cleanup } = await db.makeStore();
    t.teardown(cleanup);
    const other = await reopen();
    t.teardown(() => other.close());
    await store.insertCall(call('once'));
    const results = await Promise.all([store, other, store, other, store].map((s, i) => s.claimDue(() => T0 + 2, { maxLive: 10, perAccount: 10, ...NO_RATE }, { owner: `i${i}`, until: T0 + 10_000 }, 10)));
    t.is(results.reduce((n, r) => n + r.claimed.length, 0), 1);
    t.like(await store.getCall('once'), { status: 'dialing', attempt: 1 });
    t.is((await store.listEvents('once')).filter((e) => e.name === 'dialing').length, 1);
  });

  test('postgres: when the accounts limiter is hit from two instances at once, then the points add up across both', async (t) => {
    const { store, reopen, cleanup } = await db.makeStore();
    t.teardown(cleanup);
    const other = await reopen();
    t.teardown(() => other.close());
    const clock = createManualClock(T0);
    const [first, second] = [store, other].map((s) => new DbRateLimiter({ store: s, clock, keyPrefix: 'login', points: 5, duration: 60 })) as [
      DbRateLimiter,
      DbRateLimiter,
    ];
    const outcomes = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => (i % 2 ? second : first).consume('203.0.113.7')));
    t.is(outcomes.filter((o) => o.status === 'fulfilled').length, 5);
    t.is(outcomes.filter((o) => o.status === 'rejected').length, 4);
    t.like(await store.getLimit('login:203.0.113.7', T0), { points: 9, expire: T0 + 60_000 });
  });

  test('postgres: when times are read back, then they are numbers, exact to the millisecond', async (t) => {
    const { store, cleanup } = await db.makeStore();
    t.teardown(cleanup);
    const far = 8_000_000_000_123; // year 2223: past 2^32 seconds, still exact as a number
    const inserted = await store.insertCall({ ...call('far'), dueAt: far });
    t.is(inserted.dueAt, far);
    t.is(typeof (await store.listEvents('far'))[0]?.id, 'number');
    t.deepEqual(await store.nextDue(1), [{ id: 'far', dueAt: far }]);
  });

  test('postgres: when the call list is read, then on a large table every statement is an index scan with no full sort', async (t) => {
    const { schema, drop } = await db.freshSchema();
    t.teardown(drop);
    const store = createPostgresStore({ connectionString: db.url, searchPath: schema, max: 1 });
    t.teardown(() => store.close());
    await store.migrate();
    // Plans depend on the table's size: fill it as a busy deployment would (20 accounts, every status), then analyse.
    const pool = createPool({ connectionString: db.url, searchPath: schema, max: 1 });
    t.teardown(() => pool.end());
    const client = await pool.connect();
    t.teardown(() => client.release());
    await client.query(`INSERT INTO accounts (id, email, created_at) SELECT 'acct' || a, 'a' || a || '@example.test', 0 FROM generate_series(0, 19) a`);
    await client.query(
      `INSERT INTO calls (id, to_number, due_at, time_zone, status, created_at, updated_at, account_id)
       SELECT 'c' || i, '+1202555' || lpad((i % 10000)::text, 4, '0'), i * 1000, 'UTC',
              (ARRAY['scheduled', 'completed', 'canceled', 'failed', 'missed', 'no_answer'])[1 + i % 6], 0, 0, 'acct' || (i % 20)
       FROM generate_series(1, 60000) i`,
    );
    await client.query('ANALYZE calls');
    for (const scoped of [true, false]) {
      for (const paged of [true, false]) {
        for (const [text, statusParam] of [[pgUpcomingSql(scoped, paged), false], [pgHistorySql(scoped, paged), true]] as const) {
          const count = Math.max(...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
          const params = Array.from({ length: count }, (_, i) => (i === count - 1 ? 50 : statusParam && i === (scoped ? 1 : 0) ? 'completed' : i === 0 && scoped ? 'acct3' : 30_000_000));
          await client.query(`PREPARE plan_check AS ${text}`);
          const values = params.map((p) => (typeof p === 'string' ? `'${p}'` : String(p))).join(', ');
          const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE plan_check(${values})`)).rows.map((r) => r['QUERY PLAN']).join(' | ');
          await client.query('DEALLOCATE plan_check');
          t.regex(plan, /Index (Only )?Scan/, plan);
          t.notRegex(plan, /Seq Scan|(?<!Incremental )Sort {2}\(/, plan);
        }
      }
    }
  });
});
