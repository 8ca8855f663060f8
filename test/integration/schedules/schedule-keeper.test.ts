import test, { type ExecutionContext } from 'ava';
import { suiteStoreFor } from '../../helpers/suite-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { createTestAccount } from '../../helpers/accounts.ts';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock, type ManualClock } from '../../helpers/manual-clock.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';

const MIN = 60_000;
// Sunday 22 Nov 2026, 11:52 UTC: the next quarter hour is 12:00.
const T0 = Date.UTC(2026, 10, 22, 11, 52);
const NO_LIMITS = { callsPerAccountPerDay: 0, pendingCallsPerAccount: 0, callsPerNumberPerDay: 0 };

async function boot(t: ExecutionContext, options: { clock: ManualClock; dir?: string; store?: Store; limits?: Record<string, number> }) {
  const { config, dir } = testConfig({ queue: { maxConcurrentCalls: 1000 }, limits: options.limits ?? NO_LIMITS }, options.dir);
  const store = options.store ?? (await suiteStoreFor(config.databaseUrl));
  const fake = createFakeTelephony(options.clock);
  const svc = await startTestService({ config, dir, keepDir: true, deps: { store, clock: options.clock, telephony: fake.telephony } });
  return { svc, dials: fake.dials, dir, config };
}

async function settle(svc: Awaited<ReturnType<typeof boot>>['svc']) {
  await svc.deps.scheduleKeeper.whenIdle();
  await svc.deps.dialer.whenIdle();
  await svc.deps.scheduleKeeper.whenIdle();
}

async function createSchedule(svc: Awaited<ReturnType<typeof boot>>['svc'], headers: Record<string, string>, body: Record<string, unknown>) {
  const res = await fetch(`${svc.url}/api/schedules`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; nextOccurrences: { at: string }[] };
}

test('when a cron rings every 15 minutes, then through many occurrences exactly one is pending and each is dialed at its instant', async (t) => {
  const clock = createManualClock(T0);
  const { svc, dials } = await boot(t, { clock });
  t.teardown(() => svc.stop());
  const account = await createTestAccount(svc.deps);
  const schedule = await createSchedule(svc, account.headers, { to: '+12025550123', repeat: { cron: '*/15 * * * *' }, timezone: 'America/New_York' });
  t.deepEqual(schedule.nextOccurrences.slice(0, 3).map((o) => o.at), ['2026-11-22T12:00:00.000Z', '2026-11-22T12:15:00.000Z', '2026-11-22T12:30:00.000Z']);
  const pending = async () => (await svc.deps.store.scheduleCalls(schedule.id, 100)).filter((c) => c.status === 'scheduled');
  t.is((await pending()).length, 1);

  for (let i = 0; i < 24; i++) {
    await clock.advanceTo(Date.UTC(2026, 10, 22, 12, 0) + i * 15 * MIN);
    await settle(svc);
    const waiting = await pending();
    t.is(waiting.length, 1, `after occurrence ${i}`);
    t.is(waiting[0]?.dueAt, Date.UTC(2026, 10, 22, 12, 0) + (i + 1) * 15 * MIN);
    // Half-way to the next one, a periodic sweep changes nothing.
    await clock.advance(7 * MIN);
    await settle(svc);
    t.is((await pending()).length, 1);
  }
  t.deepEqual(
    dials.map((d) => d.at),
    Array.from({ length: 24 }, (_, i) => Date.UTC(2026, 10, 22, 12, 0) + i * 15 * MIN),
  );
  const calls = await svc.deps.store.scheduleCalls(schedule.id, 100);
  t.is(calls.length, 25);
  t.is(new Set(calls.map((c) => c.occurrenceAt)).size, 25, 'no occurrence twice');
});

test('when the process dies between claiming an occurrence and creating the next, then a restart creates it once: none lost, none doubled', async (t) => {
  const clock = createManualClock(T0);
  const first = await boot(t, { clock });
  const account = await createTestAccount(first.svc.deps);
  const schedule = await createSchedule(first.svc, account.headers, { to: '+12025550123', repeat: { every: 'day', at: '07:00' }, timezone: 'Europe/Dublin' });
  const [pending] = await first.svc.deps.store.scheduleCalls(schedule.id, 10);
  t.is(pending?.dueAt, Date.UTC(2026, 10, 23, 7, 0));
  // The crash: the occurrence is claimed (as the queue does) and nothing else happens — no keeper, no dial.
  await first.svc.deps.scheduleKeeper.stop();
  await first.svc.deps.dialer.stop();
  await clock.advanceTo(Date.UTC(2026, 10, 23, 7, 0));
  const claimed = await claimedOutOfTurn(first.svc.deps.config.databaseUrl, pending?.id as string, clock.now(), 10);
  t.truthy(claimed.claimed);
  t.deepEqual((await first.svc.deps.store.scheduleCalls(schedule.id, 10)).map((c) => c.status), ['dialing']);
  await first.svc.stop();

  // Two instances come up over the same file at once; each sweeps at start, and once more for good measure.
  await clock.advance(MIN);
  const a = await boot(t, { clock, dir: first.dir });
  const b = await boot(t, { clock, dir: first.dir });
  t.teardown(() => Promise.all([a.svc.stop(), b.svc.stop()]));
  await Promise.all([a.svc.deps.scheduleKeeper.core.sweep(), b.svc.deps.scheduleKeeper.core.sweep()]);
  await Promise.all([settle(a.svc), settle(b.svc)]);
  const calls = await a.svc.deps.store.scheduleCalls(schedule.id, 10);
  t.deepEqual(
    calls.map((c) => [c.status, new Date(c.occurrenceAt as number).toISOString()]),
    [
      ['scheduled', '2026-11-24T07:00:00.000Z'],
      ['dialing', '2026-11-23T07:00:00.000Z'],
    ],
  );
});

test('when the service was down past several occurrences, then the old pending one is missed and the schedule goes on with its next future occurrence, without a row per skipped day', async (t) => {
  const clock = createManualClock(T0);
  const first = await boot(t, { clock });
  const account = await createTestAccount(first.svc.deps);
  const schedule = await createSchedule(first.svc, account.headers, { to: '+12025550123', repeat: { every: 'day', at: '07:00' }, timezone: 'Europe/Dublin' });
  await first.svc.stop();
  // Down from Sunday noon to Thursday 07:05: within the allowed lateness (15 min) of Thursday's 07:00.
  await clock.advanceTo(Date.UTC(2026, 10, 26, 7, 5));
  const again = await boot(t, { clock, dir: first.dir });
  t.teardown(() => again.svc.stop());
  await settle(again.svc);
  await clock.advance(0); // the queue's timer for the late occurrence, due already
  await settle(again.svc);
  const calls = await again.svc.deps.store.scheduleCalls(schedule.id, 10);
  t.deepEqual(
    calls.map((c) => [c.status, new Date(c.occurrenceAt as number).toISOString()]),
    [
      ['scheduled', '2026-11-27T07:00:00.000Z'],
      ['dialing', '2026-11-26T07:00:00.000Z'],
      ['missed', '2026-11-23T07:00:00.000Z'],
    ],
  );
  t.is(again.dials.length, 1, "Thursday's, five minutes late, is dialed");
  t.like(await again.svc.deps.store.getSchedule(schedule.id), { skipReason: 'occurrences from 2026-11-24T07:00:00.000Z passed while the service was down' });
});

test('when a limit refuses an occurrence, then it is skipped with the reason on the schedule, and the schedule goes on once that time has passed', async (t) => {
  const clock = createManualClock(T0);
  const { svc } = await boot(t, { clock, limits: { callsPerAccountPerDay: 0, pendingCallsPerAccount: 0, callsPerNumberPerDay: 2 } });
  t.teardown(() => svc.stop());
  const account = await createTestAccount(svc.deps);
  const schedule = await createSchedule(svc, account.headers, { to: '+12025550123', repeat: { cron: '0 */4 * * *' }, timezone: 'UTC' });
  // 12:00 and 16:00 ring; 20:00 would be a third call to the number within 24 h.
  await clock.advanceTo(Date.UTC(2026, 10, 22, 12, 0));
  await settle(svc);
  await clock.advanceTo(Date.UTC(2026, 10, 22, 16, 0));
  await settle(svc);
  const skipped = await svc.deps.store.getSchedule(schedule.id);
  t.like(skipped, { status: 'active', holdUntil: Date.UTC(2026, 10, 22, 20, 0), skipAt: Date.UTC(2026, 10, 22, 20, 0) });
  t.regex(skipped?.skipReason ?? '', /already has 2 calls due within 24 hours/);
  t.is((await svc.deps.store.scheduleCalls(schedule.id, 10)).filter((c) => c.status === 'scheduled').length, 0);
  // The first time the day's limit lets a call through again: 16:00 the next day. 12:00 is exactly 24 h after the
  // first call, and the day around a call includes both its ends, so it still counts both.
  // Step by step, each refusal settled before the next is due: on PostgreSQL a sweep's work is real I/O, which the
  // manual clock does not wait for (it lets only queued callbacks run), so one long jump would outrun the sweeps.
  for (const hour of [20, 24, 28, 32, 36]) {
    await clock.advanceTo(Date.UTC(2026, 10, 22, hour, 0));
    await settle(svc);
  }
  await clock.advanceTo(Date.UTC(2026, 10, 23, 12, 1));
  await settle(svc);
  const calls = (await svc.deps.store.scheduleCalls(schedule.id, 10)).map((c) => new Date(c.occurrenceAt as number).toISOString());
  // 20:00, 00:00, 04:00, 08:00 and 12:00 were each refused in turn (never created); 16:00 waits.
  t.deepEqual(calls, ['2026-11-23T16:00:00.000Z', '2026-11-22T16:00:00.000Z', '2026-11-22T12:00:00.000Z']);
});
