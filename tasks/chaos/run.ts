/**
 * `make chaos` (`npm run chaos`): three instances of the service on one fresh PostgreSQL database, behind a
 * round-robin proxy that skips dead backends, with the carrier simulator in its own process. Four accounts schedule
 * 5,000 calls between them, due over about 60 s, through the proxy (some canceled), so claims share the channels
 * among accounts as they would in use; every 10 s one random instance is killed with
 * `kill -9` and started again. Checks, at the carrier and in the database: no call lost, none dialed twice, none
 * stuck, no canceled call dialed, never more than DIALS_PER_SECOND dials in any 1 s nor 5 × that in any 5 s, never
 * more live calls than MAX_CONCURRENT_CALLS. Loopback only; bounded to 5 minutes. Exits 1 when a check fails.
 * Progress: one line per phase change, then every few seconds its count against that phase's own total (scheduling:
 * requests sent of CHAOS_CALLS; waiting: calls still open of those stored). Ctrl-C (or TERM) stops the instances and
 * the carrier and drops the run's database before exiting.
 * Env: CHAOS_CALLS (5000), CHAOS_SPREAD_S (60), TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { sha256 } from '../../src/accounts/account-service.ts';
import { hashPassword } from '../../src/accounts/passwords.ts';
import { FINAL_STATUSES } from '../../src/calls/call.ts';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { createPostgresStore } from '../../src/store/postgres/pg-store.ts';
import { failures, maxInWindow, type ChaosFigures, type DialSeen } from './checks.ts';
import { freePort, Instance } from './instances.ts';
import { startProxy } from './proxy.ts';
import { timed } from './timed.ts';

const CALLS = Number(process.env.CHAOS_CALLS ?? 5000);
const SPREAD_MS = Number(process.env.CHAOS_SPREAD_S ?? 60) * 1000;
const PER_SECOND = 30;
const MAX_LIVE = 400;
const KILL_EVERY_MS = 10_000;
const BUDGET_MS = 290_000;
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const started = Date.now();
const log = (text: string) => process.stdout.write(`[chaos ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A fresh database, migrated, with the activated accounts.
const dbName = `daj_chaos_${randomBytes(5).toString('hex')}`;
const admin = new pg.Pool({ connectionString: ADMIN_URL, max: 2 });
await admin.query(`CREATE DATABASE ${dbName}`);

// Interrupted (Ctrl-C, TERM): the processes this run started are stopped and its database dropped, once.
const instances: Instance[] = [];
const spawned: { carrier?: ReturnType<typeof spawn> } = {};
/** The run's own connections to its database, ended before the drop (else its FORCE breaks them under our feet). */
const pools: { end(): Promise<void> }[] = [];
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the instances and the carrier, dropping database ${dbName}`);
    // The run's main path is still awaiting queries on that database: the drop ends them, and their errors are
    // expected now (a terminated connection, a pool already ended), not a failure to report.
    const expected = (err: unknown) => {
      if (!interrupted) throw err;
    };
    process.on('uncaughtException', expected);
    process.on('unhandledRejection', expected);
    void (async () => {
      await Promise.all(instances.map((i) => i.kill()));
      spawned.carrier?.kill('SIGTERM');
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((err: unknown) => log(`could not drop ${dbName}: ${String(err)}`));
      log('interrupted; nothing left behind');
      process.exit(130);
    })();
  });
}
const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
const store = createPostgresStore({ connectionString: dbUrl, max: 4 });
pools.push({ end: () => store.close() });
await store.migrate();
const ACCOUNTS = 4;
const emails = Array.from({ length: ACCOUNTS }, (_, i) => `chaos-${i}@example.test`);
const password = 'chaos monkey keeps dialing';
const passwordHash = await hashPassword(password, 10);
for (const email of emails) {
  const accountId = `acct-${randomBytes(4).toString('hex')}`;
  await store.insertAccount({ id: accountId, email, passwordHash, createdAt: Date.now() });
  const link = randomBytes(16).toString('base64url');
  await store.insertMailToken({ tokenHash: sha256(link), accountId, purpose: 'activate', passwordHash, createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
  await store.activateWithToken(sha256(link), Date.now());
}

const logDir = mkdtempSync(join(tmpdir(), 'daj-chaos-'));
log(`database ${dbName}; logs in ${logDir}`);

// The carrier, in its own process.
const carrier = spawn(process.execPath, ['tasks/chaos/carrier.ts'], {
  cwd: ROOT_DIR,
  env: { ...process.env, SIM_CHANNELS: String(MAX_LIVE + 50), SIM_ANSWER_DELAY_MS: '800', SIM_SPEAK_MS_PER_CHAR: '5', SIM_HISTORY_LIMIT: '1000' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
spawned.carrier = carrier;
const carrierInfo = await new Promise<{ baseUrl: string; publicKey: string; statsUrl: string }>((resolve, reject) => {
  createInterface({ input: carrier.stdout }).once('line', (line) => resolve(JSON.parse(line) as { baseUrl: string; publicKey: string; statsUrl: string }));
  carrier.once('exit', () => reject(new Error('the carrier did not start')));
});

// The instances, behind the proxy.
const proxy = await startProxy(() => instances.filter((i) => i.alive).map((i) => i.url));
const env = {
  ...process.env,
  STAGE: 'development',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  DATABASE_URL: dbUrl,
  PUBLIC_URL: proxy.url,
  TRUSTED_PROXIES: 'loopback',
  TELNYX_API_KEY: 'chaos-key',
  TELNYX_BASE_URL: carrierInfo.baseUrl,
  TELNYX_PUBLIC_KEY: carrierInfo.publicKey,
  TELNYX_CONNECTION_ID: 'chaos-connection',
  TELNYX_FROM_NUMBER: '+12025550100',
  JWT_SECRET: randomBytes(32).toString('base64url'),
  DIALS_PER_SECOND: String(PER_SECOND),
  MAX_CONCURRENT_CALLS: String(MAX_LIVE),
  CALLS_PER_ACCOUNT_PER_DAY: '0',
  PENDING_CALLS_PER_ACCOUNT: '0',
  // The chaos account is new: no probation (its smaller day would stop the run, not test it).
  PROBATION_DAYS: '0',
  CALLS_PER_NUMBER_PER_DAY: '0',
  LOGINS_PER_ADDRESS: '0',
  LOGIN_FAILURES_PER_ACCOUNT: '0',
  LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: '0',
  NODE_OPTIONS: '',
};
for (let i = 0; i < 3; i++) instances.push(new Instance({ port: await freePort(), env, root: ROOT_DIR, logDir }));
await Promise.all(instances.map((i) => i.start()));
log(`3 instances ready behind ${proxy.url}; carrier at ${carrierInfo.baseUrl}`);

const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  timed(`${method} ${path.replace(/\/[0-9a-f-]{36}$/, '/{id}')} through the proxy`, 30_000, async (signal) => {
    const res = await fetch(`${proxy.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    return { status: res.status, json: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  });
/** Says `text()` every `everyMs` until stopped: a long phase shows it is alive, with its count against its total. */
const every = (everyMs: number, text: () => string) => {
  const timer = setInterval(() => log(text()), everyMs);
  return () => clearInterval(timer);
};
const auths: Record<string, string>[] = [];
for (const email of emails) {
  const tokenAnswer = await api('POST', '/api/auth/token', { email, password });
  if (tokenAnswer.status !== 200) throw new Error(`sign-in failed: ${tokenAnswer.status}`);
  auths.push({ authorization: `Bearer ${String(tokenAnswer.json?.access_token)}` });
}

// Every 10 s one random instance is killed with kill -9 and started again.
let kills = 0;
let killing = true;
const killer = (async () => {
  while (killing) {
    await sleep(KILL_EVERY_MS);
    if (!killing) return;
    const victim = instances[Math.floor(Math.random() * instances.length)] as Instance;
    await victim.kill();
    kills++;
    log(`kill -9 the instance on ${victim.port} (kill ${kills})`);
    await victim.start().catch((err: unknown) => log(`restart failed: ${String(err)}`));
  }
})();

// 5,000 calls due over about 60 s, from 20 s on; every 20th canceled at once.
const firstDue = Date.now() + 20_000;
const accepted: string[] = [];
const canceled = new Set<string>();
let refused = 0;
let lastDue = firstDue;
let unknown = 0;
let next = 0;
log(`scheduling ${CALLS} calls through the proxy`);
const stopScheduling = every(5000, () => `scheduling: ${Math.min(next, CALLS)}/${CALLS} sent (${accepted.length} accepted, ${refused} refused, ${unknown} unknown)`);
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < CALLS) {
      const i = next++;
      // Due as planned, or a second from now when scheduling on a loaded machine has fallen behind the plan.
      const dueAt = Math.max(firstDue + Math.floor((i * SPREAD_MS) / CALLS), Date.now() + 1000);
      lastDue = Math.max(lastDue, dueAt);
      const at = new Date(dueAt).toISOString();
      const to = `+1202555${String(1000 + (i % 5000)).padStart(4, '0')}`;
      const auth = auths[i % ACCOUNTS] as Record<string, string>;
      const answer = await api('POST', '/api/calls', { to, at, timezone: 'UTC' }, { ...auth, 'idempotency-key': `chaos-${i}` }).catch(() => ({
        status: 0,
        json: undefined,
      }));
      if (answer.status === 502 || answer.status === 0) {
        unknown++; // the instance died with the request: stored or not, the client cannot tell
        continue;
      }
      if (answer.status !== 201 || typeof answer.json?.id !== 'string') {
        refused++;
        if (refused <= 3) log(`schedule refused: ${answer.status} ${JSON.stringify(answer.json)}`);
        continue;
      }
      accepted.push(answer.json.id);
      if (i % 20 === 7) {
        const cancel = await api('DELETE', `/api/calls/${answer.json.id}`, undefined, auth).catch(() => ({ status: 0 }));
        if (cancel.status === 200) canceled.add(answer.json.id);
      }
    }
  }),
);
stopScheduling();
log(`scheduled ${accepted.length}, due over ${((lastDue - firstDue) / 1000).toFixed(1)} s (refused ${refused}, outcome unknown to the client ${unknown}), canceled ${canceled.size}`);

// Until every accepted call is final, or the budget runs out.
const finalList = FINAL_STATUSES.map((s) => `'${s}'`).join(', ');
const db = new pg.Pool({ connectionString: dbUrl, max: 2 });
pools.push(db);
let open = Infinity;
const stored = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM calls')).rows[0]?.n ?? 0);
log(`waiting for the ${stored} stored calls to end (at most ${Math.round((BUDGET_MS - (Date.now() - started)) / 1000)} s more)`);
let lastSaid = 0;
while (Date.now() - started < BUDGET_MS) {
  open = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM calls WHERE status NOT IN (${finalList})`)).rows[0]?.n ?? 0);
  if (open === 0) break;
  if (Date.now() - lastSaid >= 10_000) {
    lastSaid = Date.now();
    log(`waiting: ${open}/${stored} calls still open`);
  }
  await sleep(2000);
}
killing = false;
await killer;
log(`every call final: ${open === 0}; ${kills} instances killed`);

// The figures.
const carrierStats = (await timed('GET the carrier\'s stats', 30_000, async (signal) => (await fetch(carrierInfo.statsUrl, { signal })).json())) as { dials: DialSeen[]; maxLiveCalls: number; callsPlaced: number };
const rows = (await db.query<{ id: string; status: string; to_number: string }>('SELECT id, status, to_number FROM calls')).rows;
// Calls stored whose 201 never reached the client (its instance died first) are the service's too: counted with the rest.
const acceptedSet = new Set(accepted);
const unacknowledged = rows.filter((r) => !acceptedSet.has(r.id)).map((r) => r.id);
const statusOf = new Map(rows.map((r) => [r.id, r.status]));
const legs = new Map<string, number>();
const requested = new Set<string>();
for (const dial of carrierStats.dials) {
  requested.add(dial.callId);
  if (dial.placed) legs.set(dial.callId, (legs.get(dial.callId) ?? 0) + 1);
}
const lateness = (await db.query<{ p50: number; p99: number; max: number }>(
  `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lateness_ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY lateness_ms) AS p99,
     max(lateness_ms) AS max FROM calls WHERE lateness_ms IS NOT NULL`,
)).rows[0];
const firstDial = Math.min(...carrierStats.dials.map((d) => d.at));
const lastDial = Math.max(...carrierStats.dials.map((d) => d.at));
const final = new Set<string>(FINAL_STATUSES);
const all = [...accepted, ...unacknowledged];
const numberOf = new Map(rows.map((r) => [r.id, r.to_number]));
const legsPerNumber = new Map<string, number>();
for (const [id, n] of legs) legsPerNumber.set(numberOf.get(id) ?? id, (legsPerNumber.get(numberOf.get(id) ?? id) ?? 0) + n);
const byStatus: Record<string, number> = {};
for (const id of accepted) byStatus[statusOf.get(id) ?? 'absent'] = (byStatus[statusOf.get(id) ?? 'absent'] ?? 0) + 1;
const times = carrierStats.dials.map((d) => d.at);
const figures: ChaosFigures = {
  accepted: accepted.length,
  canceled: canceled.size,
  lost: all.filter((id) => statusOf.get(id) !== 'canceled' && (!statusOf.has(id) || !legs.has(id))).length,
  // Per call, and per number (every call of the run has its own number): a request repeated into a second call counts.
  dialedTwice: Math.max([...legs.values()].filter((n) => n > 1).length, [...legsPerNumber.values()].filter((n) => n > 1).length),
  stuck: all.filter((id) => !final.has(statusOf.get(id) ?? '')).length,
  canceledButDialed: [...canceled].filter((id) => requested.has(id) || statusOf.get(id) !== 'canceled').length,
  maxDialsIn1s: maxInWindow(times, 1000),
  maxDialsIn5s: maxInWindow(times, 5000),
  maxLive: Math.max(carrierStats.maxLiveCalls, ...carrierStats.dials.map((d) => d.live)),
};
const failed = failures(figures, { perSecond: PER_SECOND, maxLive: MAX_LIVE });

await Promise.all(instances.map((i) => i.stop()));
carrier.kill('SIGTERM');
proxy.server.close();
await store.close();
await db.end();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.end();

const seconds = Math.round((Date.now() - started) / 1000);
process.stdout.write(
  `\nChaos run: ${seconds} s, ${kills} kill -9s, proxy retried ${proxy.stats.retried} requests on another instance\n` +
    `calls accepted ${figures.accepted} (+${unacknowledged.length} stored whose answer was lost with its instance), canceled ${figures.canceled}, dial requests at the carrier ${times.length}, legs placed ${carrierStats.callsPlaced}\n` +
    `final statuses: ${JSON.stringify(byStatus)}; calls due over ${((lastDue - firstDue) / 1000).toFixed(1)} s\n` +
    `claim lateness p50 ${Math.round(lateness?.p50 ?? 0)} ms, p99 ${Math.round(lateness?.p99 ?? 0)} ms, max ${lateness?.max ?? 0} ms; ` +
    `dials from ${((firstDial - firstDue) / 1000).toFixed(1)} s to ${((lastDial - firstDue) / 1000).toFixed(1)} s after the first call was due\n` +
    `lost ${figures.lost}, dialed twice ${figures.dialedTwice}, stuck ${figures.stuck}, canceled but dialed ${figures.canceledButDialed}\n` +
    `most dials in any 1 s: ${figures.maxDialsIn1s} (limit ${PER_SECOND}); in any 5 s: ${figures.maxDialsIn5s} (limit ${PER_SECOND * 5}); ` +
    `most live calls: ${figures.maxLive} (limit ${MAX_LIVE})\n` +
    (failed.length === 0 ? 'PASS\n' : `FAIL: ${failed.join('; ')}\n`),
);
process.exit(failed.length === 0 ? 0 : 1);
