import type { Clock } from '../kernel/clock.ts';
import { TelephonyError } from './carrier.ts';

/** How a carrier request is retried: capped exponential backoff within a time budget. */
export type BackoffPolicy = {
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
    policy: BackoffPolicy;
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
