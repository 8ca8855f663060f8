import test from 'ava';
import { createSystemClock, MAX_TIMER_MS } from '../../../src/kernel/clock.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';

test('when a timer is set beyond what Node can hold, then it is clamped instead of firing at once with a warning', async (t) => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const clock = createSystemClock();
  let fired = false;
  const handle = clock.setTimeout(() => (fired = true), 40 * 86_400_000);
  t.teardown(() => clock.clearTimeout(handle));
  // Node reports an overflowing delay on the next tick; let those ticks pass.
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  t.false(fired);
  t.deepEqual(warnings.filter((w) => w === 'TimeoutOverflowWarning'), []);
  t.is(MAX_TIMER_MS, 2 ** 31 - 1);
});

test('when something sleeps on the clock, then it wakes when the clock reaches the time, not before', async (t) => {
  const clock = createManualClock(0);
  let woke = false;
  const sleeping = clock.sleep(1000).then(() => (woke = true));
  await clock.advance(999);
  t.false(woke);
  await clock.advance(1);
  await sleeping;
  t.true(woke);
  t.is(clock.pending(), 0);
});

test('when a sleep is aborted, then it resolves at once and its timer is cleared; an aborted signal does not sleep', async (t) => {
  const clock = createManualClock(0);
  const stopping = new AbortController();
  const sleeping = clock.sleep(60_000, stopping.signal);
  t.is(clock.pending(), 1);
  stopping.abort();
  await sleeping;
  t.is(clock.pending(), 0);
  t.is(clock.now(), 0);
  await clock.sleep(60_000, stopping.signal);
  t.is(clock.pending(), 0);
});

test('when the real clock sleeps, then it resolves after the delay, or at once on abort', async (t) => {
  // The real clock's timers are unref'd (they never hold a process open), so something else must keep this one alive.
  const keepAlive = setInterval(() => undefined, 1000);
  t.teardown(() => clearInterval(keepAlive));
  const clock = createSystemClock();
  const started = Date.now();
  await clock.sleep(5);
  t.true(Date.now() >= started + 4);
  const stopping = new AbortController();
  const sleeping = clock.sleep(60_000, stopping.signal);
  stopping.abort();
  await sleeping;
  t.true(Date.now() < started + 60_000);
});
