import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parallelTest, { type ExecutionContext } from 'ava';
import { createPostgresStore } from '../../../src/store/postgres/pg-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { createTestAccount, type TestAccount } from '../../helpers/accounts.ts';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { withPostgres, type TestDatabase } from '../../helpers/postgres.ts';
import { readSse } from '../../helpers/sse-reader.ts';
import { startTestService, testConfig, type TestService } from '../../helpers/test-service.ts';

// Live streams as an attacker and a bystander meet them, over real HTTP: several instances of one PostgreSQL
// database (and one SQLite process). An account's streams are rows in the database, counted under the account's
// lock, so the limit of 8 holds on all instances together; an instance whose slots are full takes one from the
// account holding the most rather than refuse a newcomer.

const serialTest = parallelTest.serial;
const T0 = Date.parse('2026-11-21T12:00:00Z');
const LEASE_MS = 60_000;
const AT = '2026-11-21T20:00:00+01:00';

type Stream = { res: Response; sse: ReturnType<typeof readSse> | undefined; close: () => void };
type Cluster = { services: TestService[]; clock: { now(): number; set(at: number): void }; store: Store; opened: Stream[] };

/** `n` instances over one store (a fresh PostgreSQL schema shared by all, or one SQLite file) on one clock. */
async function boot(t: ExecutionContext, db: TestDatabase | undefined, n: number, perInstance = 500): Promise<Cluster> {
  // Time moves only when a test sets it, and no timer ever fires: renewals happen when a test runs them, as an
  // instance's heartbeat would; an instance whose renewals the test never runs is one that died.
  const timers = createManualClock(T0);
  let now = T0;
  const clock = { ...timers, now: () => now, set: (at: number) => void (now = at) };
  const services: TestService[] = [];
  const opened: Stream[] = [];
  const schema = db ? await db.freshSchema() : undefined;
  t.teardown(async () => {
    for (const stream of opened) stream.close();
    for (const svc of services) await svc.stop();
    await schema?.drop();
  });
  for (let i = 0; i < n; i++) {
    // Without `db` the store is SQLite whichever store the suite runs on (`make test-postgres`): the SQLite tests
    // below are about what one process owning its file may assume.
    const folder = mkdtempSync(join(tmpdir(), 'daj-'));
    const { config, dir } = testConfig(
      {
        live: { streamsPerInstance: perInstance, leaseSeconds: LEASE_MS / 1000 },
        auth: { accessTokenSeconds: 86_400, jwtSecret: 'one secret for every instance, 32+ bytes' },
        ...(db ? {} : { databaseUrl: `sqlite:${join(folder, 'test.db')}` }),
      },
      folder,
    );
    const store = db && schema ? createPostgresStore({ connectionString: db.url, searchPath: schema.schema, max: 4 }) : undefined;
    if (store) await store.migrate();
    services.push(await startTestService({ config, dir, deps: { clock, telephony: createFakeTelephony(clock).telephony, ...(store ? { store } : {}) } }));
  }
  return { services, clock, store: (services[0] as TestService).deps.store, opened };
}

const instance = (cluster: Cluster, i: number) => cluster.services[i % cluster.services.length] as TestService;

/** An account that has scheduled a call (unless `scheduled` is false). */
async function streamer(cluster: Cluster, scheduled = true): Promise<TestAccount> {
  const svc = instance(cluster, 0);
  const who = await createTestAccount(svc.deps);
  if (scheduled) {
    const res = await fetch(`${svc.url}/api/calls`, { method: 'POST', headers: who.headers, body: JSON.stringify({ to: '+12025550123', at: AT }) });
    if (res.status !== 201) throw new Error(`scheduling answered ${res.status}`);
  }
  return who;
}

/** Opens a stream on instance `i`; an answer other than 200 has its body read (a problem). */
async function open(cluster: Cluster, who: TestAccount, i: number): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(`${instance(cluster, i).url}/api/calls/events`, { headers: { authorization: who.headers.authorization as string }, signal: controller.signal });
  const stream = { res, sse: res.status === 200 ? readSse(res) : undefined, close: () => controller.abort() };
  cluster.opened.push(stream);
  return stream;
}

/** The refusal's problem details (a refusal in any other format fails the test here). */
async function problem(stream: Stream) {
  const type = stream.res.headers.get('content-type');
  if (type !== 'application/problem+json') throw new Error(`not a problem: ${stream.res.status} ${type}`);
  return (await stream.res.json()) as { type: string; status: number; detail: string };
}

function suite(name: string, instances: number, db?: TestDatabase) {
  // On PostgreSQL one test at a time: three instances each hold pools and a listening connection.
  const test = db ? serialTest : parallelTest;

  test(`${name}: when one account opens 12 streams at once on ${instances} instance(s), then exactly 8 open and the rest get a 429 problem`, async (t) => {
    const cluster = await boot(t, db, instances);
    const me = await streamer(cluster);
    const streams = await Promise.all(Array.from({ length: 12 }, (_, i) => open(cluster, me, i)));
    const statuses = streams.map((s) => s.res.status);
    t.is(statuses.filter((s) => s === 200).length, 8, statuses.join(' '));
    t.is(statuses.filter((s) => s === 429).length, 4, statuses.join(' '));
    const refused = streams.find((s) => s.res.status === 429) as Stream;
    t.truthy(refused.res.headers.get('retry-after'));
    const body = await problem(refused);
    t.is(body.type, '/problems/limit');
    t.regex(body.detail, /At most 8 live streams per account, on all of the service's instances together/);
    t.is(await cluster.store.countStreamLeases(me.id, cluster.clock.now()), 8);
    t.is(cluster.services.reduce((n, svc) => n + svc.deps.live.countOf(me.id), 0), 8);
    // The next one, on any instance, is refused as well.
    for (let i = 0; i < instances; i++) t.is((await open(cluster, me, i)).res.status, 429);
  });

  test(`${name}: when a client closes one of its account's 8 streams, then its row goes and the account may open another, on any instance`, async (t) => {
    const cluster = await boot(t, db, instances);
    const me = await streamer(cluster);
    const streams: Stream[] = [];
    for (let i = 0; i < 8; i++) streams.push(await open(cluster, me, i));
    t.is((await open(cluster, me, 0)).res.status, 429);
    (streams[4] as Stream).close();
    await instance(cluster, 4).waitForLog((line) => line.msg === 'live stream closed and its row deleted' && line.accountId === me.id);
    t.is(await cluster.store.countStreamLeases(me.id, T0), 7);
    t.is((await open(cluster, me, instances - 1)).res.status, 200);
    t.is((await open(cluster, me, 0)).res.status, 429);
  });

  test(`${name}: when many accounts hold 8 streams each and every slot is taken, then a bystander's first stream opens and the largest holder gives up its oldest`, async (t) => {
    // 16 slots per instance: 2 accounts × 8 per instance fill them all.
    const cluster = await boot(t, db, instances, 16);
    const attackers = await Promise.all(Array.from({ length: 2 * instances }, () => streamer(cluster)));
    const byInstance: { who: TestAccount; stream: Stream }[][] = cluster.services.map(() => []);
    let k = 0;
    for (const who of attackers) {
      for (let j = 0; j < 8; j++, k++) {
        const stream = await open(cluster, who, k);
        t.is(stream.res.status, 200);
        byInstance[k % instances]?.push({ who, stream });
      }
    }
    const target = instance(cluster, 1);
    t.is(target.deps.live.size, 16);
    const before = new Map(attackers.map((a) => [a.id, target.deps.live.countOf(a.id)]));

    const bystander = await streamer(cluster);
    const mine = await open(cluster, bystander, 1);
    t.is(mine.res.status, 200);
    t.is(target.deps.live.countOf(bystander.id), 1);
    t.is(target.deps.live.size, 16, 'still within the instance total');
    // Exactly one stream went, from an account holding the most on this instance, and it was that account's oldest here.
    const most = Math.max(...before.values());
    const losers = attackers.filter((a) => target.deps.live.countOf(a.id) !== before.get(a.id));
    t.is(losers.length, 1);
    const loser = losers[0] as TestAccount;
    t.is(before.get(loser.id), most);
    t.is(target.deps.live.countOf(loser.id), most - 1);
    const oldest = byInstance[1 % instances]?.find((o) => o.who === loser)?.stream;
    await t.throwsAsync(oldest?.sse?.next(() => false) ?? Promise.reject(new Error('none')), { message: 'stream ended' });
    t.true(oldest?.sse?.pending().some((m) => m.comment?.startsWith('closed: this server is full')));
    // The evicted client reconnects: it is not two fewer than anyone, so it is refused rather than evict in turn.
    const again = await open(cluster, loser, 1);
    t.is(again.res.status, 429);
    t.regex((await problem(again)).detail, /Too many live streams are open on this server/);
  });

  test(`${name}: when an account that never scheduled a call opens a stream, then a 403 problem says to schedule one; once it has, the stream opens`, async (t) => {
    const cluster = await boot(t, db, 1);
    const idle = await streamer(cluster, false);
    const refused = await open(cluster, idle, 0);
    t.is(refused.res.status, 403);
    const body = await problem(refused);
    t.is(body.type, '/problems/forbidden');
    t.regex(body.detail, /once the account has scheduled a call: schedule one/);
    t.is(await cluster.store.countStreamLeases(idle.id, T0), 0);
    const svc = instance(cluster, 0);
    t.is((await fetch(`${svc.url}/api/calls`, { method: 'POST', headers: idle.headers, body: JSON.stringify({ to: '+12025550124', at: AT }) })).status, 201);
    t.is((await open(cluster, idle, 0)).res.status, 200);
  });
}

// Declared first: the PostgreSQL tests are registered once the server answered (see withPostgres).
await withPostgres(parallelTest, (db) => {
  suite('postgres, 3 instances', 3, db);

  serialTest('postgres, 3 instances: when the instance holding an account\'s 8 streams dies, then they count until their rows expire, then the account streams elsewhere', async (t) => {
    const cluster = await boot(t, db, 3);
    const [alive, other, dead] = cluster.services as [TestService, TestService, TestService];
    const me = await streamer(cluster);
    const held: Stream[] = [];
    for (let i = 0; i < 8; i++) held.push(await open(cluster, me, 2));
    t.is(dead.deps.live.countOf(me.id), 8);
    // From here on the third instance never renews: it died. The others' heartbeats go on.
    const heartbeat = async (at: number) => {
      cluster.clock.set(at);
      await alive.deps.live.renew();
      await other.deps.live.renew();
    };
    t.is((await open(cluster, me, 0)).res.status, 429);
    await heartbeat(T0 + LEASE_MS / 2);
    t.is((await open(cluster, me, 1)).res.status, 429, 'half way to expiry its rows still count');
    await heartbeat(T0 + LEASE_MS);
    t.is(await cluster.store.countStreamLeases(me.id, T0 + LEASE_MS), 0, 'expired: no longer counted, and swept');
    const elsewhere = await Promise.all(Array.from({ length: 9 }, (_, i) => open(cluster, me, i % 2)));
    t.deepEqual(elsewhere.map((s) => s.res.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 429]);
    // Were the dead instance only stalled, its next renewal finds its rows gone and closes those streams.
    await dead.deps.live.renew();
    t.is(dead.deps.live.countOf(me.id), 0);
    await t.throwsAsync(held[0]?.sse?.next(() => false) ?? Promise.reject(new Error('none')), { message: 'stream ended' });
    t.is(await cluster.store.countStreamLeases(me.id, T0 + LEASE_MS), 8);
  });
});

suite('sqlite', 1);

serialTest('sqlite: when the earlier run of the process left stream rows, then they do not count against their account', async (t) => {
  const cluster = await boot(t, undefined, 1);
  const me = await streamer(cluster);
  // What a run killed with kill -9 leaves: its rows, unexpired, under its own instance id.
  for (let i = 0; i < 8; i++) t.is(await cluster.store.openStreamLease({ accountId: me.id, instanceId: 'earlier-run', streamId: `old-${i}`, openedAt: T0, expiresAt: T0 + LEASE_MS }, 8), undefined);
  t.is((await open(cluster, me, 0)).res.status, 200);
  t.is(await cluster.store.countStreamLeases(me.id, T0), 1);
});
