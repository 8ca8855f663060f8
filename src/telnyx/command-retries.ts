import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { DialLimiter } from '../dialing/dial-limiter.ts';
import { TelephonyError, type Telephony } from '../calls/carrier.ts';

export type RetryPolicy = {
  /** First backoff, doubled each attempt up to `capMs`. */
  baseMs: number;
  capMs: number;
  /** Give up once this much time has passed since the first attempt (dial: inside the 60 s command_id window). */
  budgetMs: number;
};

/**
 * Retries what is worth retrying (429, 408, 5xx, timeouts) with capped exponential backoff and full jitter, honouring
 * the carrier's Retry-After; gives up at once on a permanent error, and when the budget would be overrun.
 * Every attempt reuses the caller's command_id, so the carrier sees repeats of one command, never two commands.
 */
export async function withRetries<T>(
  work: () => Promise<T>,
  deps: {
    clock: Clock;
    random: () => number;
    policy: RetryPolicy;
    onRetry?: (err: TelephonyError, attempt: number, delayMs: number) => void;
    /** Runs before each retry, after the backoff (dials take a slot of the dial rate here). */
    beforeRetry?: () => Promise<void>;
    /** No retry starts after this instant, whatever the budget says. */
    deadline?: number;
  },
): Promise<T> {
  const { clock, policy } = deps;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof TelephonyError) || err.kind !== 'retryable') throw err;
      const backoff = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
      const delay = Math.max(err.retryAfterMs ?? 0, Math.round(deps.random() * backoff));
      const deadline = Math.min(started + policy.budgetMs, deps.deadline ?? Infinity);
      if (clock.now() + delay > deadline) throw err;
      deps.onRetry?.(err, attempt, delay);
      await clock.sleep(delay);
      await deps.beforeRetry?.();
      // Waiting for a rate slot may itself have run past the deadline.
      if (clock.now() > deadline) throw err;
    }
  }
}

/**
 * One dial with retries. Once any attempt may have placed the call (a timeout, a dropped connection, a 5xx), the
 * dial's outcome stays unknown whatever the later attempts say: a refusal of the retry (Telnyx may answer a
 * repeated command_id with a 422) or running out of budget does not prove that no call is ringing.
 */
async function dialWithRetries<T>(attempt: () => Promise<T>, retry: (work: () => Promise<T>) => Promise<T>): Promise<T> {
  let unknownSeen = false;
  try {
    return await retry(async () => {
      try {
        return await attempt();
      } catch (err) {
        if (err instanceof TelephonyError && err.outcomeUnknown) unknownSeen = true;
        throw err;
      }
    });
  } catch (err) {
    if (!unknownSeen || (err instanceof TelephonyError && err.outcomeUnknown)) throw err;
    const words = err instanceof Error ? err.message : String(err);
    throw new TelephonyError(`outcome unknown: an earlier attempt got no answer, then ${words}`, 'permanent', {
      status: err instanceof TelephonyError ? err.status : undefined,
      code: err instanceof TelephonyError ? err.code : undefined,
      cause: err,
      outcomeUnknown: true,
    });
  }
}

/**
 * The telephony port with retries: dials get the dial budget, commands to a live call their own. Questions about
 * a call's state are asked once: the reconciler asks again on its next round.
 */
export function createRetryingTelephony(
  inner: Telephony,
  deps: { clock: Clock; random: () => number; logger: Logger; dial: RetryPolicy; command: RetryPolicy; dialRate?: Pick<DialLimiter, 'acquire'>; staleSlotMs?: number },
): Telephony {
  const onRetry = (what: string) => (err: TelephonyError, attempt: number, delayMs: number) =>
    deps.logger.warn({ what, attempt, delayMs, status: err.status, reason: err.message }, 'carrier error: retrying');
  const run = <T>(what: string, policy: RetryPolicy, work: () => Promise<T>, beforeRetry?: () => Promise<void>, deadline?: number) =>
    withRetries(work, { clock: deps.clock, random: deps.random, policy, onRetry: onRetry(what), beforeRetry, deadline });
  const dialRate = deps.dialRate;
  return {
    dial: async (request) => {
      // A dial whose deadline passed before its first attempt (a recovered dial that waited for a rate slot) may have
      // been placed before a crash; a repeat now is past the command_id window and could place a second call.
      if (request.deadline !== undefined && deps.clock.now() > request.deadline) {
        throw new TelephonyError('outcome unknown: the dial reached its first attempt past its command_id window, so none was sent', 'permanent', {
          outcomeUnknown: true,
        });
      }
      // A slot counts for the second it was taken in; a dial sent well after it (a stalled process, a busy host)
      // would land in a later second at the carrier, beside dials that took that second's slots: take a fresh one.
      if (dialRate && request.slotAt !== undefined && deps.clock.now() - request.slotAt > (deps.staleSlotMs ?? Infinity)) {
        await dialRate.acquire();
      }
      return dialWithRetries(
        () => inner.dial(request),
        (work) => run('dial', deps.dial, work, dialRate && (() => dialRate.acquire()), request.deadline),
      );
    },
    speak: (id, text, commandId) => run('speak', deps.command, () => inner.speak(id, text, commandId)),
    gather: (id, menu, commandId) => run('gather', deps.command, () => inner.gather(id, menu, commandId)),
    hangup: (id, commandId) => run('hangup', deps.command, () => inner.hangup(id, commandId)),
    callStatus: (id) => inner.callStatus(id),
    activeCalls: () => inner.activeCalls(),
  };
}
