import type { Clock } from '../kernel/clock.ts';
import { LimitError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import { OPTED_OUT_REASON } from '../calls/reasons.ts';
import type { DoNotCallList } from '../calls/do-not-call-list.ts';
import type { RetryStore } from './retry-store.ts';
import type { ScheduleStore } from './schedule-store.ts';
import type { Call } from '../calls/call.ts';
import type { QueueSignals } from '../calls/call-service.ts';
import type { CallLimitsFor } from '../calls/call-store.ts';

/** Endings no retry could change: the number is wrong or refuses us. Telnyx `hangup_cause` values. */
const HOPELESS_CAUSES = ['unallocated_number', 'invalid_number_format', 'call_rejected', 'number_changed', 'incompatible_destination'];
/** How long after its ending a try is still retried by the sweep (a crash longer than this loses the retry). */
const SWEEP_HORIZON_MS = 6 * 3_600_000;

/**
 * Why `call` gets no further try, or null when it does. Only busy and unanswered calls are retried (and, opted in, a
 * failure the carrier reported on hangup with a cause a retry might change); never an answered, canceled, missed
 * or opted-out call, nor one our side failed (its outcome unknown: it may have rung).
 */
export function noRetryBecause(call: Call): string | null {
  if (call.tryNumber >= call.triesTotal) return 'no tries left';
  // Someone picked up (and heard the call, or some of it): whatever ended it, calling again is not a retry.
  if (call.answeredBy !== null) return 'it was answered';
  if (call.status === 'busy' || call.status === 'no_answer') return null;
  if (call.status === 'failed' && call.retryOnFailed) {
    const reason = call.reason ?? '';
    if (!reason.startsWith('the call ended')) return 'failed on our side';
    if (HOPELESS_CAUSES.some((cause) => reason.includes(cause))) return 'the carrier says the number cannot be reached';
    return null;
  }
  return `ended ${call.status}`;
}

/**
 * Retries (`retry: {attempts, afterMinutes}` on a call or a schedule): a try that ended busy or unanswered gets the
 * next one `afterMinutes` after its ending, as a new call linked to the chain's first (`retryOf`, `tryNumber`).
 * Created once (unique (retry_of, try_number)) whether from the ending itself or from the sweep that catches a
 * crash in between; counted by the same abuse limits as any call, and never to a number on the do-not-call list,
 * nor for a schedule that was paused or stopped meanwhile.
 */
export function createRetries(deps: {
  store: RetryStore & Pick<DoNotCallList, 'getDoNotCall'> & Pick<ScheduleStore, 'getSchedule'>;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  queue: Pick<QueueSignals, 'scheduled'>;
  /** Abuse limits for the next try, the same as for any call, decided as the store inserts it. */
  callLimits: CallLimitsFor;
}) {
  const { store, clock, logger } = deps;

  const note = (call: Call, reason: string) => store.stopRetries(call.id, clock.now(), reason);

  /** Called when a call ends; creates its next try if it gets one. */
  async function ended(call: Call): Promise<Call | undefined> {
    const refused = noRetryBecause(call);
    if (refused !== null) {
      // A try with tries left that gets none says why, and so leaves the sweep's list (it would crowd out the rest).
      if (refused !== 'no tries left') await note(call, refused);
      return undefined;
    }
    if (await store.getDoNotCall(call.to)) {
      await note(call, OPTED_OUT_REASON);
      return undefined;
    }
    if (call.scheduleId) {
      const schedule = await store.getSchedule(call.scheduleId);
      if (schedule && schedule.status !== 'active') {
        await note(call, `the schedule is ${schedule.status}`);
        return undefined;
      }
    }
    const dueAt = Math.max(call.endedAt ?? clock.now(), clock.now()) + (call.retryAfterMinutes ?? 1) * 60_000;
    const owner = await store.callOwner(call.id);
    let retry: Call | undefined;
    try {
      retry = await store.insertRetry({
      id: deps.newId(),
      to: call.to,
      dueAt,
      timeZone: call.timeZone,
      message: call.message,
      createdAt: clock.now(),
      accountId: owner,
      scheduleId: call.scheduleId,
      occurrenceAt: call.occurrenceAt,
      retryOf: call.retryOf ?? call.id,
      tryNumber: call.tryNumber + 1,
      triesTotal: call.triesTotal,
      retryAfterMinutes: call.retryAfterMinutes,
      retryOnFailed: call.retryOnFailed,
      }, owner !== null ? deps.callLimits(owner, call.to, dueAt) : undefined);
    } catch (err) {
      if (!(err instanceof LimitError)) throw err;
      await note(call, `a limit refused the retry: ${err.message}`);
      return undefined;
    }
    if (retry) {
      deps.queue.scheduled({ id: retry.id, dueAt: retry.dueAt });
      logger.info({ callId: call.id, retryId: retry.id, try: retry.tryNumber, of: retry.triesTotal, dueAt }, 'retry scheduled');
    }
    return retry;
  }

  return {
    ended,
    /** Creates the retries a crash left out (ended calls with tries left and no next try); returns how many. */
    async sweep(): Promise<number> {
      let created = 0;
      for (const call of await store.callsAwaitingRetry(clock.now() - SWEEP_HORIZON_MS, 200)) {
        if (await ended(call)) created += 1;
      }
      return created;
    },
  };
}
export type Retries = ReturnType<typeof createRetries>;
