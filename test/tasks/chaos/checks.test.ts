import test from 'ava';
import { failures, maxInWindow } from '../../../tasks/chaos/checks.ts';

test('when dials are counted in sliding windows, then the busiest window is found wherever it starts', (t) => {
  t.is(maxInWindow([], 1000), 0);
  t.is(maxInWindow([0, 999, 1000, 1999], 1000), 2);
  t.is(maxInWindow([500, 0, 900, 1400, 1450, 1499], 1000), 5);
  t.is(maxInWindow([0, 1000, 2000, 3000, 4000, 4999], 5000), 6);
});

test('when a chaos figure passes a limit, then the run fails naming it; at the limits it passes', (t) => {
  const ok = { accepted: 10, canceled: 1, lost: 0, dialedTwice: 0, stuck: 0, canceledButDialed: 0, maxDialsIn1s: 30, maxDialsIn5s: 150, maxLive: 250 };
  t.deepEqual(failures(ok, { perSecond: 30, maxLive: 250 }), []);
  t.deepEqual(failures({ ...ok, maxDialsIn1s: 31, lost: 1 }, { perSecond: 30, maxLive: 250 }), ['1 calls lost', '31 dials in one second (limit 30)']);
  t.deepEqual(failures({ ...ok, maxLive: 251, maxDialsIn5s: 151 }, { perSecond: 30, maxLive: 250 }), [
    '151 dials in five seconds (limit 150)',
    '251 calls live at once (limit 250)',
  ]);
});
