import test from 'ava';
import { createRetryingTelephony, withRetries } from '../../../src/telnyx/command-retries.ts';
import { TelephonyError, type Telephony } from '../../../src/calls/carrier.ts';
import { createManualClock, flush } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';

const policy = { baseMs: 100, capMs: 800, budgetMs: 5000 };

test('when errors are retryable, then waits grow exponentially with full jitter up to the cap, then it succeeds', async (t) => {
  const clock = createManualClock(0);
  const delays: number[] = [];
  let calls = 0;
  const result = withRetries(
    async () => {
      await Promise.resolve();
      calls += 1;
      if (calls < 6) throw new TelephonyError('busy', 'retryable', { status: 503 });
      return 'ok';
    },
    { clock, random: () => 1, policy, onRetry: (_err, _attempt, delay) => delays.push(delay) },
  );
  for (let i = 0; i < 10 && calls < 6; i++) {
    await flush();
    await clock.advance(800);
  }
  t.is(await result, 'ok');
  t.deepEqual(delays, [100, 200, 400, 800, 800]);
});

test('when jitter draws low, then the wait is a fraction of the backoff; Retry-After is a floor', async (t) => {
  const clock = createManualClock(0);
  const delays: number[] = [];
  let calls = 0;
  const result = withRetries(
    async () => {
      await Promise.resolve();
      calls += 1;
      if (calls === 1) throw new TelephonyError('x', 'retryable');
      if (calls === 2) throw new TelephonyError('slow down', 'retryable', { status: 429, retryAfterMs: 1000 });
      return calls;
    },
    { clock, random: () => 0.5, policy, onRetry: (_e, _a, d) => delays.push(d) },
  );
  await flush();
  await clock.advance(50);
  await clock.advance(1000);
  t.is(await result, 3);
  t.deepEqual(delays, [50, 1000]);
});

test('when the error is permanent, then it is thrown at once', async (t) => {
  const clock = createManualClock(0);
  let calls = 0;
  await t.throwsAsync(
    withRetries(
      async () => {
        await Promise.resolve();
        calls += 1;
        throw new TelephonyError('Invalid phone number', 'permanent', { status: 422 });
      },
      { clock, random: () => 1, policy },
    ),
    { message: 'Invalid phone number' },
  );
  t.is(calls, 1);
});

test('when the next wait would overrun the budget, then the last error is thrown instead of waiting', async (t) => {
  const clock = createManualClock(0);
  let calls = 0;
  const result = withRetries(
    async () => {
      await Promise.resolve();
      calls += 1;
      throw new TelephonyError(`attempt ${calls}`, 'retryable');
    },
    { clock, random: () => 1, policy: { baseMs: 1000, capMs: 4000, budgetMs: 5000 } },
  );
  const settled = result.catch((err: Error) => err.message);
  for (let i = 0; i < 10; i++) await clock.advance(4000);
  // Waits of 1 s and 2 s fit in 5 s; the third (4 s) would end at 7 s.
  t.is(await settled, 'attempt 3');
  t.is(calls, 3);
});

test('when a deadline comes before the budget ends, then no retry starts after it', async (t) => {
  const clock = createManualClock(0);
  let calls = 0;
  const result = withRetries(
    async () => {
      await Promise.resolve();
      calls += 1;
      throw new TelephonyError(`attempt ${calls}`, 'retryable');
    },
    // A recovered dial: claimed long ago, so its command id window closes 1.5 s from now, well inside the budget.
    { clock, random: () => 1, policy: { baseMs: 1000, capMs: 1000, budgetMs: 55_000 }, deadline: 1500 },
  );
  const settled = result.catch((err: Error) => err.message);
  for (let i = 0; i < 5; i++) await clock.advance(1000);
  t.is(await settled, 'attempt 2');
  t.is(calls, 2);
});

function retryingOver(dial: () => Promise<{ callControlId: string }>) {
  const clock = createManualClock(0);
  const inner: Telephony = {
    dial,
    speak: async () => {},
    gather: async () => {},
    hangup: async () => {},
    callStatus: () => Promise.resolve(undefined),
    activeCalls: () => Promise.resolve([]),
  };
  const telephony = createRetryingTelephony(inner, { clock, random: () => 0, logger: createMemoryLogger().logger, dial: policy, command: policy });
  return { clock, telephony };
}

test('when a dial times out and its retry is refused 422 (a repeated command_id), then the outcome is unknown, not refused', async (t) => {
  let attempts = 0;
  const { clock, telephony } = retryingOver(async () => {
    attempts += 1;
    await Promise.resolve();
    if (attempts === 1) throw new TelephonyError('Telnyx did not answer in time', 'retryable', { outcomeUnknown: true });
    throw new TelephonyError('Invalid command_id: already used', 'permanent', { status: 422 });
  });
  const result = telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'k' });
  const settled = t.throwsAsync(result, { instanceOf: TelephonyError });
  await clock.advance(1000);
  const err = await settled;
  t.is(attempts, 2);
  t.true(err.outcomeUnknown);
  t.is(err.status, 422);
  t.regex(err.message, /^outcome unknown: an earlier attempt got no answer, then Invalid command_id/);
});

test('when every attempt of a dial is refused 429 until the budget ends, then the outcome is known: nothing was placed', async (t) => {
  const { clock, telephony } = retryingOver(async () => {
    await Promise.resolve();
    throw new TelephonyError('Too many requests', 'retryable', { status: 429, retryAfterMs: 2000 });
  });
  const settled = t.throwsAsync(telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'k' }), { instanceOf: TelephonyError });
  await clock.advance(10_000);
  const err = await settled;
  t.false(err.outcomeUnknown);
  t.is(err.status, 429);
});

test('when a dial is refused outright, then the refusal is passed on unchanged', async (t) => {
  const { telephony } = retryingOver(() => Promise.reject(new TelephonyError('Invalid phone number', 'permanent', { status: 422 })));
  const err = await t.throwsAsync(telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'k' }), { instanceOf: TelephonyError });
  t.false(err.outcomeUnknown);
  t.is(err.message, 'Invalid phone number');
});

test('when a dial would make its first attempt past its deadline, then nothing is sent and the outcome is unknown', async (t) => {
  let attempts = 0;
  const { clock, telephony } = retryingOver(async () => {
    attempts += 1;
    await Promise.resolve();
    return { callControlId: 'v3:late' };
  });
  // A dial recovered after a restart, which waited for its rate slot until after claim + window: an earlier attempt
  // may have placed the call, and a repeat past Telnyx's command_id window would place a second one.
  const err = await t.throwsAsync(telephony.dial({ callId: 'c', to: '+12025550123', commandId: 'k', deadline: clock.now() - 1 }), {
    instanceOf: TelephonyError,
  });
  t.is(attempts, 0);
  t.true(err.outcomeUnknown);
});

test('when a dial goes out long after its claim took its rate slot, then it takes a fresh slot first; a prompt one does not', async (t) => {
  const clock = createManualClock(10_000);
  const slots: number[] = [];
  const sent: number[] = [];
  const telephony = createRetryingTelephony(
    {
      dial: async () => {
        sent.push(clock.now());
        await Promise.resolve();
        return { callControlId: 'v3:x' };
      },
    } as unknown as Telephony,
    {
      clock,
      random: () => 0,
      logger: createMemoryLogger().logger,
      dial: policy,
      command: policy,
      dialRate: { acquire: () => Promise.resolve(void slots.push(clock.now())) },
      staleSlotMs: 50,
    },
  );
  // The claim's slot was stamped 40 ms ago: close enough to the carrier's count, no second slot.
  await telephony.dial({ callId: 'a', to: '+12025550123', commandId: 'ka', slotAt: clock.now() - 40 });
  t.deepEqual(slots, []);
  // A stalled process sends 400 ms after its slot: counted then, it could crowd another second at the carrier.
  await telephony.dial({ callId: 'b', to: '+12025550123', commandId: 'kb', slotAt: clock.now() - 400 });
  t.deepEqual(slots, [10_000]);
  t.is(sent.length, 2);
});
