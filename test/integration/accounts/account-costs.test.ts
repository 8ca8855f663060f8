import test, { type ExecutionContext } from 'ava';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Config } from '../../../src/config/schema.ts';
import { createPostgresStore } from '../../../src/store/postgres/pg-store.ts';
import { createTestAccount, signInPage } from '../../helpers/accounts.ts';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { withPostgres, type TestDatabase } from '../../helpers/postgres.ts';
import { startTestService, testConfig, type TestService } from '../../helpers/test-service.ts';
import { requestFrom, type Reply } from './source-address.ts';

// New accounts cost something (issue 18, item 1), over real HTTP from real loopback source addresses (127.x.y.z:
// the service judges the socket's address, no forwarded header), on SQLite and on PostgreSQL: the budgets per
// network and for everyone, the mail budget per mailbox, the proof of work and its replay store, the probation.

const T0 = Date.parse('2026-11-21T12:00:00Z');
const PASSWORD = 'a long enough phrase';
const LOOSE = {
  callsPerAccountPerDay: 1000,
  pendingCallsPerAccount: 1000,
  callsPerNumberPerDay: 1000,
  loginsPerAddressPer15Min: 1000,
  loginFailuresPerAccountPer15Min: 1000,
  loginFailuresPerAccountAndAddressPer15Min: 1000,
  registrationsPerAddressPerHour: 1000,
  mailsPerRecipientPerHour: 1000,
};
type Overrides = { limits?: Partial<Config['limits']>; proofOfWork?: Partial<Config['proofOfWork']>; probation?: Partial<Config['probation']> };

/** `n` instances over one store (a fresh PostgreSQL schema, or one SQLite file per instance when n is 1). */
async function boot(t: ExecutionContext, db: TestDatabase | undefined, overrides: Overrides, n = 1) {
  // Time moves only when a test says so, and no timer ever fires: the queue, the keeper and the sweeps stay still
  // (what they do over a week is not what these tests are about).
  const timers = createManualClock(T0);
  let now = T0;
  const clock = { ...timers, now: () => now, advance: (ms: number) => void (now += ms) };
  const schema = db ? await db.freshSchema() : undefined;
  const services: TestService[] = [];
  t.teardown(async () => {
    for (const svc of services) await svc.stop();
    await schema?.drop();
  });
  for (let i = 0; i < n; i++) {
    const { config, dir } = testConfig({
      limits: { ...LOOSE, ...overrides.limits },
      proofOfWork: { enabled: false, afterRequestsPerNetwork: 0, afterRegistrationsPerHour: 0, maxCounter: 200, challengeSeconds: 600, ...overrides.proofOfWork },
      probation: { days: 0, callsPerDay: 1000, unreachedSchedules: 1000, ...overrides.probation },
      auth: { jwtSecret: 'one secret for every instance, 32+ bytes', accessTokenSeconds: 86_400 },
    });
    const store = db && schema ? createPostgresStore({ connectionString: db.url, searchPath: schema.schema, max: 4 }) : undefined;
    if (store) await store.migrate();
    services.push(await startTestService({ config, dir, deps: { clock, telephony: createFakeTelephony(clock).telephony, ...(store ? { store } : {}) } }));
  }
  const svc = services[0] as TestService;
  const register = (from: string, email: string, extra: Record<string, unknown> = {}, on = svc) =>
    requestFrom(on.url, from, { path: '/api/auth/register', json: { email, password: PASSWORD, ...extra } });
  return { svc, services, clock, register };
}

function expectProblem(t: ExecutionContext, res: Reply, status: number, detail: RegExp) {
  t.is(res.status, status, res.text);
  t.is(res.headers['content-type'], 'application/problem+json');
  t.regex(String(res.body.detail), detail);
}

/** A challenge from the service, solved as a program would (altcha-lib's solver), as the `altcha` field's value. */
async function solved(svc: TestService): Promise<string> {
  const challenge = (await (await fetch(`${svc.url}/api/auth/challenge`)).json()) as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error('not solved');
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

function suite(name: string, db?: TestDatabase) {
  const serial = db ? test.serial : test;

  serial(`${name}: when registrations from many addresses of one /24 pass the network's hourly budget, then 429; another /24 still registers, until the global budget`, async (t) => {
    const { register, clock } = await boot(t, db, { limits: { registrationsPerAddressPerHour: 1, registrationsPerNetworkPerHour: 3, registrationsPerHour: 5 } });
    for (let host = 1; host <= 3; host++) t.is((await register(`127.0.1.${host}`, `one-${host}@example.test`)).status, 202, `127.0.1.${host}`);
    const refused = await register('127.0.1.4', 'one-4@example.test');
    expectProblem(t, refused, 429, /from your network \(127\.0\.1\.0\/24\) this hour/);
    t.true(Number(refused.headers['retry-after']) > 3500);
    // The same address again hits its own budget first (the per-address limit is kept).
    expectProblem(t, await register('127.0.1.1', 'one-5@example.test'), 429, /from your address/);

    t.is((await register('127.0.2.1', 'two-1@example.test')).status, 202, 'another /24 has its own budget');
    t.is((await register('127.0.3.1', 'three-1@example.test')).status, 202);
    // Five registrations went through this hour: the sixth is refused from a network never seen.
    expectProblem(t, await register('127.0.4.1', 'four-1@example.test'), 429, /all the new registrations it takes in an hour/);
    clock.advance(3_600_000);
    t.is((await register('127.0.4.1', 'four-1@example.test')).status, 202, 'a new hour, a new budget');
  });

  serial(`${name}: when a plus-tagged or dotted address asks for mail, then it shares its base mailbox's mail budget`, async (t) => {
    const { svc, register } = await boot(t, db, { limits: { mailsPerRecipientPerHour: 2 } });
    const outbox = svc.deps.outbox;
    if (!outbox) throw new Error('the test service keeps mail in its outbox');
    t.is((await register('127.0.7.1', 'pat@gmail.com')).status, 202);
    t.is((await register('127.0.7.2', 'pat+1@gmail.com')).status, 202);
    // Every answer is the same (no enumeration), but only two mails leave for the one mailbox.
    t.is((await register('127.0.7.3', 'p.a.t+2@googlemail.com')).status, 202);
    t.is((await register('127.0.7.4', 'Pat+3@Gmail.com')).status, 202);
    t.is((await requestFrom(svc.url, '127.0.7.5', { path: '/api/auth/reset-request', json: { email: 'pat@gmail.com' } })).status, 202);
    t.is((await register('127.0.7.6', 'sam+1@example.test')).status, 202, 'another mailbox has its own budget');
    await svc.deps.mailer.drain();
    t.deepEqual(outbox.list().map((m) => m.to).sort(), ['pat+1@gmail.com', 'pat@gmail.com', 'sam+1@example.test'], 'the account keeps the address as typed');
  });

  serial(`${name}: when a network passes the proof-of-work threshold, then a request without a solution gets a clear 429, a solved one passes and a replayed one is refused`, async (t) => {
    const { services, register } = await boot(t, db, { proofOfWork: { enabled: true, afterRequestsPerNetwork: 1, afterRegistrationsPerHour: 1000 } }, db ? 2 : 1);
    const [a, b] = [services[0] as TestService, (services[1] ?? services[0]) as TestService];
    t.is((await register('127.0.8.1', 'first@example.test')).status, 202, 'below the threshold: no work');
    const asked = await register('127.0.8.2', 'second@example.test');
    expectProblem(t, asked, 429, /proof of work: a challenge from GET \/api\/auth\/challenge, solved, as the field `altcha`/);
    t.is(asked.body.type, '/problems/limit');
    expectProblem(t, await register('127.0.8.2', 'second@example.test', { altcha: 'bm90IGEgc29sdXRpb24=' }), 400, /does not count/);

    const proof = await solved(a);
    t.is((await register('127.0.8.2', 'second@example.test', { altcha: proof })).status, 202);
    // The same solution again, on this instance or (PostgreSQL) another: refused, field `altcha`.
    const replayed = await register('127.0.8.3', 'third@example.test', { altcha: proof }, b);
    expectProblem(t, replayed, 400, /does not count/);
    t.deepEqual(replayed.body.errors, [{ path: 'altcha', message: 'was already used: solve a new challenge' }]);
    t.is((await register('127.0.8.3', 'third@example.test', { altcha: await solved(b) }, b)).status, 202);
    // A reset request from the same network needs one as well.
    expectProblem(t, await requestFrom(a.url, '127.0.8.4', { path: '/api/auth/reset-request', json: { email: 'first@example.test' } }), 429, /proof of work/);
  });

  serial(`${name}: when the network's budget is spent, then the answer says so at once rather than asking for work that could not help`, async (t) => {
    const { svc, register } = await boot(t, db, { limits: { registrationsPerNetworkPerHour: 2 }, proofOfWork: { enabled: true, afterRequestsPerNetwork: 1, afterRegistrationsPerHour: 1000 } });
    t.is((await register('127.0.9.1', 'a@example.test')).status, 202);
    t.is((await register('127.0.9.2', 'b@example.test', { altcha: await solved(svc) })).status, 202);
    expectProblem(t, await register('127.0.9.3', 'c@example.test'), 429, /from your network \(127\.0\.9\.0\/24\) this hour/);
  });

  serial(`${name}: when a new account has a schedule to a number it has not reached, then a second such schedule is refused with 403 until it reaches one or the probation ends`, async (t) => {
    const { svc, clock } = await boot(t, db, { probation: { days: 7, callsPerDay: 10, unreachedSchedules: 1 } });
    const me = await createTestAccount(svc.deps);
    const schedule = (to: string) =>
      fetch(`${svc.url}/api/schedules`, { method: 'POST', headers: me.headers, body: JSON.stringify({ to, repeat: { every: 'day', at: '09:00' }, timezone: 'UTC' }) });
    const first = await schedule('+12025550141');
    t.is(first.status, 201, await first.clone().text());
    for (const to of ['+12025550142', '+12025550141']) {
      const res = await schedule(to);
      t.is(res.status, 403);
      const problem = (await res.json()) as { detail: string; errors: { path: string; message: string }[] };
      t.regex(problem.detail, /New accounts \(until 2026-11-28 for yours\) may have one schedule to numbers they have not reached/);
      t.is(problem.errors[0]?.path, 'to');
    }
    // A number that answered one of the account's calls is reached: schedules to it are fine.
    const call = await svc.deps.store.insertCall({ id: 'answered-1', to: '+12025550143', dueAt: T0 - 3_600_000, timeZone: 'UTC', message: null, createdAt: T0 - 7_200_000, accountId: me.id });
    t.truthy(await svc.deps.store.transition(call.id, ['scheduled'], 'completed', T0 - 3_000_000));
    t.is((await schedule('+12025550143')).status, 201);
    clock.advance(7 * 86_400_000);
    me.headers.authorization = `Bearer ${await svc.deps.tokens.accessToken(me.id, 3600)}`;
    t.is((await schedule('+12025550142')).status, 201, 'after the probation the rule is the ordinary one');
  });

  serial(`${name}: when a new account saves a second schedule to an unreached number on the page, then the form says why beside the number, with 403`, async (t) => {
    const { svc } = await boot(t, db, { probation: { days: 7, callsPerDay: 10, unreachedSchedules: 1 } });
    const page = await signInPage(svc.deps, svc.url);
    const form = { repeat: 'weekday', time: '07:00', timezone: 'Europe/Dublin', message: '', retryAttempts: '0', retryAfter: '10', startsOn: '', endsOn: '', cron: '', date: '', action: 'save' };
    t.is((await page.post('/schedules', { ...form, to: '+12025550161' })).status, 303);
    const res = await page.post('/schedules', { ...form, to: '+12025550162' });
    t.is(res.status, 403);
    t.regex(await res.text(), /your account is new \(until 2026-11-28\): it may have one schedule to numbers it has not reached with an answered call/);
  });

  serial(`${name}: when a new account schedules more calls in a day than its probation allows, then 429 saying so`, async (t) => {
    const { svc } = await boot(t, db, { probation: { days: 7, callsPerDay: 2, unreachedSchedules: 1 } });
    const me = await createTestAccount(svc.deps);
    const call = (minute: number) =>
      fetch(`${svc.url}/api/calls`, { method: 'POST', headers: me.headers, body: JSON.stringify({ to: `+120255501${50 + minute}`, at: `2026-11-21T13:${10 + minute}:00Z` }) });
    t.is((await call(1)).status, 201);
    t.is((await call(2)).status, 201);
    const res = await call(3);
    t.is(res.status, 429);
    t.regex(((await res.json()) as { detail: string }).detail, /Your account is new \(until 2026-11-28\): it may schedule 2 calls in any 24 hours/);
  });
}

// Declared first: the PostgreSQL tests are registered once the server answered (see withPostgres).
await withPostgres(test, (db) => suite('postgres', db));
suite('sqlite');
