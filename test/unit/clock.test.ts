import test from 'ava';
import { createSystemClock, MAX_TIMER_MS } from '../../src/clock.ts';

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
