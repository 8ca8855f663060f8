import parallelTest, { type ExecutionContext } from 'ava';
import type { Config } from '../../../src/config/schema.ts';
import { createPostgresStore } from '../../../src/store/postgres/pg-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { createTestAccount, type TestAccount } from '../../helpers/accounts.ts';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { withPostgres, type TestDatabase } from '../../helpers/postgres.ts';
import { startTestService, testConfig, type TestService } from '../../helpers/test-service.ts';

// The abuse limits under a burst, as an attacker would try them: many requests at once, spread over several
// instances of one PostgreSQL database (and over one SQLite process), each request over real HTTP. Every limit is
// decided in the transaction that inserts the row, under locks on the account and the number, so the counts below
// are exact, not "about".

const serialTest = parallelTest.serial;
const T0 = Date.parse('2026-11-21T12:00:00Z');
const DEFAULT_LIMITS = { callsPerAccountPerDay: 20, pendingCallsPerAccount: 10, callsPerNumberPerDay: 3, callsPerNumberPerAccountPerDay: 1 };
const LOOSE = { callsPerAccountPerDay: 1000, pendingCallsPerAccount: 1000, callsPerNumberPerDay: 1000 };
const VICTIM = '+12025550199';

type Cluster = { services: TestService[]; clock: { now(): number; set(at: number): void }; store: Store };

/** `n` instances over one store each (a fresh PostgreSQL schema shared by all, or one SQLite file), on one manual clock. */
async function boot(t: ExecutionContext, limits: Partial<Config['limits']>, db: TestDatabase | undefined, n: number): Promise<Cluster> {
  // Time moves only when a test says so, and no timer ever fires: the instances' queues and sweeps stay still, and
  // the test runs the schedule keepers itself, all at once, as their sweeps would.
  const timers = createManualClock(T0);
  let now = T0;
  const clock = { ...timers, now: () => now, set: (at: number) => void (now = at) };
  const services: TestService[] = [];
  const schema = db ? await db.freshSchema() : undefined;
  t.teardown(async () => {
    for (const svc of services) await svc.stop();
    await schema?.drop();
  });
  for (let i = 0; i < n; i++) {
    const { config, dir } = testConfig({ limits: { ...LOOSE, ...limits }, auth: { accessTokenSeconds: 86_400, jwtSecret: 'one secret for every instance, 32+ bytes' } });
    const store = db && schema ? createPostgresStore({ connectionString: db.url, searchPath: schema.schema, max: 6 }) : undefined;
    if (store) await store.migrate();
    // The instances do not dial here (the queue is not what these tests are about): their clock never reaches the calls.
    services.push(await startTestService({ config, dir, deps: { clock, telephony: createFakeTelephony(clock).telephony, ...(store ? { store } : {}) } }));
  }
  return { services, clock, store: (services[0] as TestService).deps.store };
}

/** Sends every request at once, request i to instance i mod n; the statuses in order. */
async function burst(cluster: Cluster, requests: { who: TestAccount; path: string; body: unknown }[]): Promise<number[]> {
  const responses = await Promise.all(
    requests.map(async ({ who, path, body }, i) => {
      const svc = cluster.services[i % cluster.services.length] as TestService;
      const res = await fetch(`${svc.url}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  return responses;
}
const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;
const callAt = (to: string, minute: number) => ({ to, at: new Date(T0 + 3_600_000 + minute * 60_000).toISOString() });

/** Calls to `to` that count for its limit (not canceled), every instance's, read from the database. */
async function callsTo(store: Store, to: string) {
  return (await store.listCalls({ limit: 100 })).filter((c) => c.to === to && c.status !== 'canceled');
}

function suite(name: string, instances: number, db?: TestDatabase) {
  // On PostgreSQL one test at a time: three instances each hold a pool and a listening connection, and the server
  // (shared with every other test file) takes 100 connections.
  const test = db ? serialTest : parallelTest;
  test(`${name}: when one account sends 40 calls at once, then exactly the pending limit is accepted and the rest refused with 429`, async (t) => {
    const cluster = await boot(t, DEFAULT_LIMITS, db, instances);
    const me = await createTestAccount((cluster.services[0] as TestService).deps);
    const statuses = await burst(cluster, Array.from({ length: 40 }, (_, i) => ({ who: me, path: '/api/calls', body: callAt(`+120255501${String(i).padStart(2, '0')}`, i) })));
    t.is(count(statuses, 201), 10, statuses.join(' '));
    t.is(count(statuses, 429), 30);
    t.is((await cluster.store.listCalls({ accountId: me.id, limit: 100 })).length, 10);
  });

  test(`${name}: when 12 accounts each schedule one call to one number at once, then exactly the per-number limit is created`, async (t) => {
    const cluster = await boot(t, DEFAULT_LIMITS, db, instances);
    const deps = (cluster.services[0] as TestService).deps;
    const accounts = await Promise.all(Array.from({ length: 12 }, () => createTestAccount(deps)));
    const statuses = await burst(cluster, accounts.map((who, i) => ({ who, path: '/api/calls', body: callAt(VICTIM, i) })));
    t.is(count(statuses, 201), 3, statuses.join(' '));
    t.is(count(statuses, 429), 9);
    t.is((await callsTo(cluster.store, VICTIM)).length, 3);
  });

  test(`${name}: when 12 accounts each start an every-minute schedule to one number at once, then the number gets exactly its limit of calls in the day`, async (t) => {
    const cluster = await boot(t, DEFAULT_LIMITS, db, instances);
    const deps = (cluster.services[0] as TestService).deps;
    const accounts = await Promise.all(Array.from({ length: 12 }, () => createTestAccount(deps)));
    const statuses = await burst(cluster, accounts.map((who) => ({ who, path: '/api/schedules', body: { to: VICTIM, repeat: { cron: '* * * * *' }, timezone: 'UTC' } })));
    t.is(count(statuses, 429) + count(statuses, 201), 12, statuses.join(' '));
    t.is((await callsTo(cluster.store, VICTIM)).length, 3, 'the first occurrences: exactly the limit, whatever raced');
    // Through the day: each round, the calls due are over (missed counts, as a call that rang would), and every
    // instance's keeper sweeps at once to create the next occurrences (a refused one is held until its time has
    // passed, then tried again). None may pass the number's limit.
    for (const minutes of [2, 10, 60, 600, 1400]) {
      cluster.clock.set(T0 + minutes * 60_000);
      await cluster.store.markMissed(cluster.clock.now(), cluster.clock.now(), 'test: the minute passed');
      await Promise.all(cluster.services.map((svc) => svc.deps.scheduleKeeper.core.sweep()));
    }
    const calls = await callsTo(cluster.store, VICTIM);
    t.is(calls.length, 3, `calls to the number within the day: ${calls.map((c) => new Date(c.dueAt).toISOString()).join(', ')}`);
  });

  test(`${name}: when 3 calls to a number are due at T and 3 more at exactly T + 24 h, then the second three are refused (the day is closed at both ends)`, async (t) => {
    const cluster = await boot(t, DEFAULT_LIMITS, db, instances);
    const deps = (cluster.services[0] as TestService).deps;
    const accounts = await Promise.all(Array.from({ length: 6 }, () => createTestAccount(deps)));
    const at = (ms: number) => ({ to: VICTIM, at: new Date(ms).toISOString() });
    const first = await burst(cluster, accounts.slice(0, 3).map((who) => ({ who, path: '/api/calls', body: at(T0 + 3_600_000) })));
    t.deepEqual(first, [201, 201, 201]);
    const second = await burst(cluster, accounts.slice(3).map((who) => ({ who, path: '/api/calls', body: at(T0 + 3_600_000 + 86_400_000) })));
    t.deepEqual(second, [429, 429, 429]);
  });

  test(`${name}: when one account books a number twice within a day at once, then one is accepted until a call of its to the number is answered`, async (t) => {
    const cluster = await boot(t, DEFAULT_LIMITS, db, instances);
    const me = await createTestAccount((cluster.services[0] as TestService).deps);
    const statuses = await burst(cluster, [0, 1, 2].map((i) => ({ who: me, path: '/api/calls', body: callAt(VICTIM, 10 + i * 60) })));
    t.is(count(statuses, 201), 1, statuses.join(' '));
    // Once a call of this account to the number has been answered (completed), the account may book more of its day.
    const [mine] = await callsTo(cluster.store, VICTIM);
    await cluster.store.transition(mine?.id ?? '', ['scheduled'], 'completed', T0);
    t.is((await burst(cluster, [{ who: me, path: '/api/calls', body: callAt(VICTIM, 200) }]))[0], 201);
  });

  test(`${name}: when one account creates 60 schedules at once, then exactly 50 are created`, async (t) => {
    const cluster = await boot(t, {}, db, instances);
    const me = await createTestAccount((cluster.services[0] as TestService).deps);
    const statuses = await burst(
      cluster,
      Array.from({ length: 60 }, (_, i) => ({ who: me, path: '/api/schedules', body: { to: `+120255502${String(i).padStart(2, '0')}`, repeat: { every: 'day', at: '07:00' }, timezone: 'UTC' } })),
    );
    t.is(count(statuses, 201), 50, statuses.join(' '));
    t.is(count(statuses, 429), 10);
    t.is((await cluster.store.listSchedules(me.id, 100)).length, 50);
  });
}

// Declared first: the PostgreSQL tests are registered once the server answered (see withPostgres).
await withPostgres(parallelTest, (db) => suite('postgres, 3 instances', 3, db));
suite('sqlite', 1);
