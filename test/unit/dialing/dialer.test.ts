import test from 'ava';
import { rmSync } from 'node:fs';
import { OUTCOME_UNKNOWN_REASON } from '../../../src/calls/reasons.ts';
import { LIVE_STATUSES } from '../../../src/calls/call.ts';
import { randomUUID } from 'node:crypto';
import { createCallService, type CallService } from '../../../src/calls/call-service.ts';
import type { Telephony } from '../../../src/calls/carrier.ts';
import type { Config } from '../../../src/config/schema.ts';
import type { Dialer } from '../../../src/dialing/dialer.ts';
import { queueSignals } from '../../../src/dialing/signals.ts';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { createStore } from '../../../src/store/create-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { createFakeTelephony, type DialRecord } from '../../helpers/fake-telephony.ts';
import { createManualClock, type ManualClock } from '../../helpers/manual-clock.ts';
import { testConfig } from '../../helpers/test-service.ts';
import { composeDialingAlone } from '../../helpers/dialing-alone.ts';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';

type Parts = { store: Store; dialer: Dialer; calls: CallService; config: Config };
type Harness = { deps: Parts; clock: ManualClock; dials: DialRecord[]; dir: string; stop: () => Promise<void> };

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

/**
 * The dialing module alone (compose/dialing.ts) over a real temp SQLite file, with the call service to schedule and
 * cancel, a manual clock and a recording telephony: no HTTP, no inbox, no schedules.
 */
async function dialing(config: Config, clock: ManualClock, telephony: Telephony, store: Store = createStore(config.databaseUrl, ROOT_DIR)): Promise<Parts> {
  await store.migrate();
  const { dialer, bus } = composeDialingAlone(config, store, clock, telephony);
  const calls = createCallService({ store, clock, newId: randomUUID, queue: queueSignals(bus) });
  return { store, dialer, calls, config };
}

async function harness(
  queue: Partial<Config['queue']> = {},
  options: { dir?: string; clock?: ManualClock; callMs?: number; failFor?: Set<string> } = {},
): Promise<Harness> {
  const clock = options.clock ?? createManualClock(T0);
  const { config, dir } = testConfig({ queue: { windowSize: 1000, ...queue }, scheduling: { graceSeconds: 60 } }, options.dir);
  const late: { deps?: Parts } = {};
  const { telephony, dials } = createFakeTelephony(clock, {
    failFor: options.failFor,
    // A callee who talks for `callMs`, then the call ends and frees its channel, as a webhook would report.
    onDial: (dial) => {
      if (options.callMs === undefined) return;
      clock.setTimeout(() => {
        const deps = late.deps as Parts;
        void deps.store.transition(dial.callId, LIVE_STATUSES, 'completed', clock.now()).then(() => deps.dialer.channelFreed());
      }, options.callMs);
    },
  });
  const deps = await dialing(config, clock, telephony);
  late.deps = deps;
  await deps.dialer.start();
  return {
    deps,
    clock,
    dials,
    dir,
    async stop() {
      await deps.dialer.stop();
      await deps.store.close();
    },
  };
}

const schedule = (h: Harness, offsetMs: number, to = '+12025550123') =>
  h.deps.calls.schedule({ to, dueAt: T0 + offsetMs, timeZone: 'UTC', message: null });

test('when a call falls due, then it is dialed at its instant by one timer, not before', async (t) => {
  const h = await harness();
  t.teardown(() => h.stop());
  const call = await schedule(h, 90_000);
  await h.clock.advance(89_999);
  t.is(h.dials.length, 0);
  // The call's timer, and the loop that recounts the live calls every few seconds: nothing per call but the one.
  t.is(h.clock.pending(), 2);
  await h.clock.advance(1);
  t.is(h.dials.length, 1);
  t.like(h.dials[0], { callId: call.id, at: T0 + 90_000 });
  await h.deps.dialer.whenIdle();
  t.like(await h.deps.store.getCall(call.id), { status: 'dialing', latenessMs: 0, attempt: 1, callControlId: `cc-${call.id}` });
});

test('when calls are scheduled out of order, then they are dialed in due order', async (t) => {
  const h = await harness({ maxConcurrentCalls: 10 });
  t.teardown(() => h.stop());
  const c = await schedule(h, 30_000);
  const a = await schedule(h, 10_000);
  const b = await schedule(h, 20_000);
  await h.clock.advance(60_000);
  t.deepEqual(h.dials.map((d) => d.callId), [a.id, b.id, c.id]);
});

test('when the window is smaller than the backlog, then later calls are loaded from the index as it drains', async (t) => {
  const h = await harness({ windowSize: 3, maxConcurrentCalls: 100 });
  t.teardown(() => h.stop());
  const ids: string[] = [];
  for (let i = 10; i >= 1; i--) ids.unshift((await schedule(h, i * 1000)).id);
  await h.clock.advance(10_000);
  t.deepEqual(h.dials.map((d) => d.callId), ids);
  t.true(h.dials.every((d, i) => d.at === T0 + (i + 1) * 1000));
});

test('when a call is canceled before it is due, then it is never dialed', async (t) => {
  const h = await harness();
  t.teardown(() => h.stop());
  const call = await schedule(h, 5000);
  await h.deps.calls.cancel(call.id);
  await h.clock.advance(10_000);
  t.is(h.dials.length, 0);
  t.is((await h.deps.store.getCall(call.id))?.status, 'canceled');
});

test('when cancel races the claim, then one wins and the loser hears a conflict', async (t) => {
  const h = await harness();
  t.teardown(() => h.stop());
  const call = await schedule(h, 1000);
  await h.clock.advanceTo(T0 + 1000 - 1);
  // Fire the timer and cancel in the same turn: the claim's transaction and the cancel's transaction interleave.
  const advancing = h.clock.advance(1);
  const cancel = h.deps.calls.cancel(call.id).then(
    () => 'canceled',
    (err: Error) => err.message,
  );
  const [outcome] = await Promise.all([cancel, advancing]);
  await h.deps.dialer.whenIdle();
  const final = await h.deps.store.getCall(call.id);
  if (outcome === 'canceled') {
    t.is(final?.status, 'canceled');
    t.is(h.dials.length, 0);
  } else {
    t.regex(outcome, /is dialing and can no longer be canceled/);
    t.is(final?.status, 'dialing');
    t.is(h.dials.length, 1);
  }
});

test('when a call is already dialing, then cancel says conflict; when it is unknown, then not found', async (t) => {
  const h = await harness();
  t.teardown(() => h.stop());
  const call = await schedule(h, 1000);
  await h.clock.advance(1000);
  await t.throwsAsync(h.deps.calls.cancel(call.id), { message: 'The call is dialing and can no longer be canceled.' });
  await t.throwsAsync(h.deps.calls.cancel('nope'), { message: 'Call nope was not found.' });
  const other = await schedule(h, 9000);
  await h.deps.calls.cancel(other.id);
  await t.throwsAsync(h.deps.calls.cancel(other.id), { message: 'The call is already canceled.' });
});

test('when 200 calls fall due in the same second, then no one-second window holds more than dialsPerSecond', async (t) => {
  const h = await harness({ dialsPerSecond: 30, dialRateMarginMs: 0, maxConcurrentCalls: 1000 });
  t.teardown(() => h.stop());
  for (let i = 0; i < 200; i++) await schedule(h, 10_000 + (i % 1000));
  await h.clock.advance(30_000);
  t.is(h.dials.length, 200);
  const times = h.dials.map((d) => d.at);
  for (const start of times) t.true(times.filter((at) => at >= start && at < start + 1000).length <= 30);
  for (const start of times) t.true(times.filter((at) => at >= start && at < start + 5000).length <= 150);
  // The rate is used to the full and no more: dial k starts exactly one second after dial k − 30.
  for (let k = 30; k < times.length; k++) t.is(times[k], (times[k - 30] ?? 0) + 1000);
  // So lateness grows as the rate predicts: the first 30 are on time, the last waits about 200 / 30 − 1 seconds.
  const calls = await h.deps.store.listCalls({ limit: 300, statuses: ['dialing'] });
  const lateness = calls.map((c) => c.latenessMs ?? -1).sort((a, b) => a - b);
  t.is(lateness[29], 0);
  t.true((lateness[30] ?? 0) > 0);
  t.true((lateness[199] ?? 0) >= 5000 && (lateness[199] ?? 0) < 7000);
});

test('when 200 calls fall due at once with two channels, then never more than two are live and all are dialed in order', async (t) => {
  const h = await harness({ dialsPerSecond: 30, maxConcurrentCalls: 2 }, { callMs: 3000 });
  t.teardown(() => h.stop());
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) ids.push((await schedule(h, 10_000, `+1202555${String(1000 + i).padStart(4, '0')}`)).id);
  let maxLive = 0;
  for (let step = 0; step < 1000 && h.dials.length < 200; step++) {
    await h.clock.advance(500);
    maxLive = Math.max(maxLive, await h.deps.store.countLive());
  }
  t.is(h.dials.length, 200);
  t.is(maxLive, 2);
  t.deepEqual(h.dials.map((d) => d.callId).sort(), [...ids].sort());
  // Every call lasts 3 s, so two channels mean dial k starts no sooner than 3 s after dial k − 2.
  for (let i = 2; i < h.dials.length; i++) t.true((h.dials[i]?.at ?? 0) >= (h.dials[i - 2]?.at ?? 0) + 3000);
});

test('when the service restarts with calls pending, then they fire on time from the same file', async (t) => {
  const clock = createManualClock(T0);
  const first = await harness({}, { clock });
  const call = await schedule(first, 60_000);
  await first.stop();
  await clock.advance(30_000);
  const second = await harness({}, { clock, dir: first.dir });
  t.teardown(async () => {
    await second.stop();
    rmSync(first.dir, { recursive: true, force: true });
  });
  await clock.advance(30_000);
  t.deepEqual(second.dials.map((d) => [d.callId, d.at]), [[call.id, T0 + 60_000]]);
});

test('when calls fell due while the service was down, then recent ones fire at start and old ones end missed', async (t) => {
  const clock = createManualClock(T0);
  const first = await harness({ maxLatenessSeconds: 900 }, { clock });
  const old = await schedule(first, 10_000);
  const recent = await schedule(first, 10 * 60_000);
  await first.stop();
  await clock.advanceTo(T0 + 16 * 60_000); // down for 16 minutes: `old` is 15 min 50 s late, `recent` 6 min
  const second = await harness({ maxLatenessSeconds: 900 }, { clock, dir: first.dir });
  t.teardown(async () => {
    await second.stop();
    rmSync(first.dir, { recursive: true, force: true });
  });
  await clock.advance(0);
  await second.deps.dialer.whenIdle();
  t.deepEqual(second.dials.map((d) => d.callId), [recent.id]);
  t.like(await second.deps.store.getCall(recent.id), { status: 'dialing', latenessMs: 6 * 60_000 });
  t.like(await second.deps.store.getCall(old.id), { status: 'missed' });
  t.regex((await second.deps.store.getCall(old.id))?.reason ?? '', /while the service was down/);
});

test('when a crash left a call mid-dial, then it is redialed with the same command id inside the window, else left dialing for the reconciler', async (t) => {
  const clock = createManualClock(T0);
  const first = await harness({ dialRetryWindowSeconds: 55 }, { clock });
  // Due in an hour, so the first queue leaves them alone; the test plays the crash: claims committed, no carrier id.
  const young = await schedule(first, 3_600_000);
  const old = await schedule(first, 3_600_000);
  await claimedOutOfTurn(first.deps.config.databaseUrl, old.id, T0, 10);
  await clock.advance(40_000);
  await claimedOutOfTurn(first.deps.config.databaseUrl, young.id, clock.now(), 10);
  await first.stop();
  await clock.advance(30_000); // young was claimed 30 s ago, old 70 s ago
  const second = await harness({ dialRetryWindowSeconds: 55 }, { clock, dir: first.dir });
  t.teardown(async () => {
    await second.stop();
    rmSync(first.dir, { recursive: true, force: true });
  });
  await second.deps.dialer.whenIdle();
  t.deepEqual(second.dials.map((d) => d.callId), [young.id]);
  const { commandId } = await import('../../../src/calls/command-id.ts');
  t.is(second.dials[0]?.commandId, commandId('dial', young.id, 1));
  // Past the window a retry could place a second call, and the first may be ringing: only the carrier can tell.
  t.like(await second.deps.store.getCall(old.id), { status: 'dialing', reason: OUTCOME_UNKNOWN_REASON });
  await second.stop();
  await clock.advance(60_000);
  const third = await harness({ dialRetryWindowSeconds: 55 }, { clock, dir: first.dir });
  t.teardown(() => third.stop());
  t.like(await third.deps.store.getCall(young.id), { status: 'dialing', callControlId: `cc-${young.id}` });
  t.is(third.dials.length, 0);
});

test('when calls recovered mid-dial wait for rate slots past their command_id window, then those are not dialed but left to the reconciler', async (t) => {
  const clock = createManualClock(T0);
  const queue = { dialRetryWindowSeconds: 55, dialsPerSecond: 1, maxConcurrentCalls: 10 };
  const first = await harness(queue, { clock });
  const calls = [];
  for (let i = 0; i < 4; i++) calls.push(await schedule(first, 3_600_000));
  for (const call of calls) await claimedOutOfTurn(first.deps.config.databaseUrl, call.id, T0, 10);
  await first.stop();
  // The crash came at the claims; 53 s later the restart dials one a second (plus the rate's margin): at 53 s and
  // 54.02 s inside the 55 s window, the third's slot (55.04 s) and the fourth's come past it.
  await clock.advance(53_000);
  const second = await harness(queue, { clock, dir: first.dir });
  t.teardown(async () => {
    await second.stop();
    rmSync(first.dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 5; i++) await clock.advance(1100);
  await second.deps.dialer.whenIdle();
  t.is(second.dials.length, 2);
  for (const dial of second.dials) t.true(dial.at - T0 <= 55_000, `dialed ${dial.at - T0} ms after its claim`);
  const late = calls.filter((c) => !second.dials.some((d) => d.callId === c.id));
  t.is(late.length, 2);
  for (const call of late) t.like(await second.deps.store.getCall(call.id), { status: 'dialing', reason: OUTCOME_UNKNOWN_REASON });
});

test('when a dial fails permanently, then the call ends failed with the reason and frees its channel', async (t) => {
  const h = await harness({ maxConcurrentCalls: 1 }, { failFor: new Set(['+12025550199']) });
  t.teardown(() => h.stop());
  const bad = await schedule(h, 1000, '+12025550199');
  const good = await schedule(h, 1500);
  await h.clock.advance(2000);
  await h.deps.dialer.whenIdle();
  t.like(await h.deps.store.getCall(bad.id), { status: 'failed', reason: 'dial failed: Invalid destination number' });
  t.is((await h.deps.store.getCall(good.id))?.status, 'dialing');
});

test('when a dial is retried, then the retry takes a slot of the same dial rate as first dials', async (t) => {
  const h = await harness({ dialsPerSecond: 2, dialRateMarginMs: 0, maxConcurrentCalls: 10 });
  t.teardown(() => h.stop());
  const { createDialLimiter } = await import('../../../src/dialing/dial-limiter.ts');
  const limiter = createDialLimiter({ store: h.deps.store, clock: h.clock, perSecond: 2, windowMs: 1000 });
  await schedule(h, 0);
  await schedule(h, 0, '+12025550124');
  await h.clock.advance(0);
  await h.deps.dialer.whenIdle();
  t.is(h.dials.length, 2);
  let acquired = false;
  const waiting = limiter.acquire().then(() => (acquired = true));
  await h.clock.advance(999);
  t.false(acquired);
  await h.clock.advance(1);
  await waiting;
  t.true(acquired);
  // The retry's slot counts: one more start now fills the window until a second later.
  t.deepEqual(await h.deps.store.takeDialSlots(() => h.clock.now(), 2, 2, 1000), { taken: 1, waitMs: 1000 });
});

test('when a claim fails on the database, then the queue tries again instead of stranding the call', async (t) => {
  const clock = createManualClock(T0);
  const { config, dir } = testConfig({ queue: { windowSize: 1000 } });
  const { createSqliteStore } = await import('../../../src/store/sqlite/sqlite-store.ts');
  const { join } = await import('node:path');
  const real = createSqliteStore({ path: join(dir, 'flaky.db') });
  let failures = 1;
  const store = {
    ...real,
    claimDue: async (...args: Parameters<typeof real.claimDue>) => {
      if (failures-- > 0) throw new Error('database is locked');
      return real.claimDue(...args);
    },
  };
  const fake = createFakeTelephony(clock);
  const deps = await dialing(config, clock, fake.telephony, store);
  await deps.dialer.start();
  t.teardown(async () => {
    await deps.dialer.stop();
    await deps.store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const call = await deps.calls.schedule({ to: '+12025550123', dueAt: T0 + 1000, timeZone: 'UTC', message: null });
  await clock.advance(1000);
  t.is(fake.dials.length, 0);
  await clock.advance(1000);
  t.deepEqual(fake.dials.map((d) => d.callId), [call.id]);
});

test('when the carrier refuses a dial for want of a channel, then concurrency drops below what was live and grows back one per probe period', async (t) => {
  const h = await harness({ maxConcurrentCalls: 4, capacityProbeSeconds: 30, dialsPerSecond: 100 });
  t.teardown(() => h.stop());
  for (let i = 0; i < 6; i++) await schedule(h, 1000, `+1202555012${i}`);
  await h.clock.advance(1000);
  await h.deps.dialer.whenIdle();
  t.is(h.dials.length, 4);
  h.deps.dialer.channelRefused();
  t.is(h.deps.dialer.capacity, 3);
  // Two calls end: with capacity 3 and two live, one more is dialed, not two.
  for (const dial of h.dials.slice(0, 2)) await h.deps.store.transition(dial.callId, LIVE_STATUSES, 'completed', h.clock.now());
  h.deps.dialer.channelFreed();
  await h.clock.advance(0);
  await h.deps.dialer.whenIdle();
  t.is(h.dials.length, 5);
  await h.clock.advance(30_000);
  await h.deps.dialer.whenIdle();
  t.is(h.deps.dialer.capacity, 4);
  t.is(h.dials.length, 6);
});
