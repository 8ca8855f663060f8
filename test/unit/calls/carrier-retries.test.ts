import test from 'ava';
import { withRetries } from '../../../src/calls/carrier-retries.ts';
import { TelephonyError } from '../../../src/calls/carrier.ts';
import { createManualClock, flush } from '../../helpers/manual-clock.ts';

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
