import test from 'ava';
import type { Call } from '../../../src/calls/call.ts';
import { createRetries, noRetryBecause } from '../../../src/schedules/retry-calls.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';
import { retryColumns } from '../../../src/calls/retry-policy.ts';
import { noCallLimits } from '../../helpers/no-limits.ts';

const call = (over: Partial<Call>): Call => ({
  id: 'c',
  to: '+12025550123',
  dueAt: 0,
  timeZone: 'UTC',
  message: null,
  status: 'busy',
  reason: null,
  attempt: 1,
  createdAt: 0,
  updatedAt: 0,
  claimedAt: 0,
  latenessMs: 0,
  callControlId: null,
  endedAt: 0,
  answeredBy: null,
  scheduleId: null,
  occurrenceAt: null,
  retryOf: null,
  tryNumber: 1,
  triesTotal: 3,
  retryAfterMinutes: 5,
  retryOnFailed: false,
  ...over,
});

test('when a try ends busy or unanswered with tries left, then it gets a retry; answered, canceled, missed or out of tries, never', (t) => {
  t.is(noRetryBecause(call({ status: 'busy' })), null);
  t.is(noRetryBecause(call({ status: 'no_answer', tryNumber: 2 })), null);
  t.is(noRetryBecause(call({ status: 'no_answer', tryNumber: 3 })), 'no tries left');
  t.is(noRetryBecause(call({ status: 'completed' })), 'ended completed');
  t.is(noRetryBecause(call({ status: 'canceled', reason: 'the number asked not to be called again' })), 'ended canceled');
  t.is(noRetryBecause(call({ status: 'missed' })), 'ended missed');
});

test('when a try fails, then only an opted-in carrier-side failure that a retry might change gets one', (t) => {
  const carrier = { status: 'failed' as const, reason: 'the call ended: normal_temporary_failure (SIP 503)' };
  t.is(noRetryBecause(call(carrier)), 'ended failed', 'not opted in');
  t.is(noRetryBecause(call({ ...carrier, retryOnFailed: true })), null);
  t.is(noRetryBecause(call({ status: 'failed', retryOnFailed: true, reason: 'the call ended: unallocated_number (SIP 404)' })), 'the carrier says the number cannot be reached');
  t.is(noRetryBecause(call({ status: 'failed', retryOnFailed: true, reason: 'the dial outcome is unknown' })), 'failed on our side');
});

test('when a policy is stored on a call, then attempts become tries in all', (t) => {
  t.deepEqual(retryColumns(null), { triesTotal: 1, retryAfterMinutes: null, retryOnFailed: false });
  t.deepEqual(retryColumns({ attempts: 0, afterMinutes: 5 }), { triesTotal: 1, retryAfterMinutes: null, retryOnFailed: false });
  t.deepEqual(retryColumns({ attempts: 2, afterMinutes: 10, onFailed: true }), { triesTotal: 3, retryAfterMinutes: 10, retryOnFailed: true });
});

test('when a call was answered and then failed, then it is never retried, even with failures opted in', (t) => {
  const answered = call({ status: 'failed', retryOnFailed: true, reason: 'the call ended: unspecified', answeredBy: 'human' });
  t.is(noRetryBecause(answered), 'it was answered');
});

test('when the sweep meets tries that get no retry, then it notes why, so they leave its list and cannot crowd out a lost retry', async (t) => {
  const refused = Array.from({ length: 3 }, (_, i) => call({ id: `f${i}`, status: 'failed', reason: 'the call ended: unspecified' }));
  const stopped: string[] = [];
  const store: Parameters<typeof createRetries>[0]['store'] = {
    callsAwaitingRetry: () => Promise.resolve(refused.filter((c) => !stopped.includes(c.id))),
    stopRetries: (id: string) => Promise.resolve(void stopped.push(id)),
    insertRetry: () => Promise.reject(new Error('no retry for a failure not opted in')),
    callOwner: () => Promise.resolve(null),
    getDoNotCall: () => Promise.resolve(undefined),
    getSchedule: () => Promise.resolve(undefined),
  };
  const retries = createRetries({
    store,
    clock: createManualClock(0),
    logger: createMemoryLogger().logger,
    newId: () => 'r',
    queue: { scheduled: () => undefined },
    callLimits: noCallLimits,
  });
  t.is(await retries.sweep(), 0);
  t.deepEqual(stopped, ['f0', 'f1', 'f2']);
});
