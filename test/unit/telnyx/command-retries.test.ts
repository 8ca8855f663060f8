import test from 'ava';
import { TelephonyError, type Telephony } from '../../../src/calls/carrier.ts';
import { createRetryingTelephony } from '../../../src/telnyx/command-retries.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';

const policy = { baseMs: 100, capMs: 800, budgetMs: 5000 };

test('when a speak is refused 503 once, then it is sent again and succeeds; a refused dial passes through untried again', async (t) => {
  const clock = createManualClock(0);
  let speaks = 0;
  let dials = 0;
  const inner: Telephony = {
    dial: () => {
      dials += 1;
      return Promise.reject(new TelephonyError('Service unavailable', 'retryable', { status: 503 }));
    },
    speak: () => {
      speaks += 1;
      return speaks === 1 ? Promise.reject(new TelephonyError('Service unavailable', 'retryable', { status: 503 })) : Promise.resolve();
    },
    gather: () => Promise.resolve(),
    hangup: () => Promise.resolve(),
    callStatus: () => Promise.resolve(undefined),
    activeCalls: () => Promise.resolve([]),
  };
  const { logger, waitFor } = createMemoryLogger();
  const telephony = createRetryingTelephony(inner, { clock, random: () => 1, logger, command: policy });
  const spoken = telephony.speak('v3:a', 'hello', 'k');
  await clock.advance(100);
  await spoken;
  t.is(speaks, 2);
  await waitFor((line) => line.what === 'speak' && line.msg === 'carrier error: retrying');
  await t.throwsAsync(telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'd' }), { instanceOf: TelephonyError });
  t.is(dials, 1);
});
