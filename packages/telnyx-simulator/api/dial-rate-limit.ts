import type { SimulatorKnobs } from '../simulator-options.ts';
import { createSlidingWindow } from './sliding-window.ts';
import { telnyxErrors } from './telnyx-errors.ts';

/** Admits or refuses dials by Telnyx's rate limit and says so in its headers. */
export type DialRateLimit = {
  /** Counts a dial in the window and returns the headers for its answer; throws the `429` when over the limit. */
  admit(now: number, knobs: Readonly<SimulatorKnobs>): Record<string, string>;
  /** Headers describing the window as it stands, without counting anything (for refusals decided elsewhere). */
  headers(now: number, knobs: Readonly<SimulatorKnobs>): Record<string, string>;
};

/** Dials allowed per window: `dialsPerSecond` over `rateLimitWindowMs`, at least one. */
export function dialsPerWindow(knobs: Readonly<SimulatorKnobs>): number {
  return Math.max(1, Math.round((knobs.dialsPerSecond * knobs.rateLimitWindowMs) / 1000));
}

/**
 * A sliding window over admitted dials. Telnyx's headers (developers.telnyx.com, "Rate limiting"):
 * `x-ratelimit-limit` the limit in force, `x-ratelimit-remaining` what is left in the current window,
 * `x-ratelimit-reset` seconds until it resets; here, for a sliding window, until the oldest dial leaves it and a
 * slot frees (the whole window when it is empty). A refusal repeats that figure in `Retry-After`.
 */
export function createDialRateLimit(): DialRateLimit {
  const window = createSlidingWindow();
  const describe = (now: number, k: Readonly<SimulatorKnobs>) => {
    const limit = dialsPerWindow(k);
    const used = window.count(now, k.rateLimitWindowMs);
    const untilSlot = used === 0 ? k.rateLimitWindowMs : window.msUntilSlot(now, k.rateLimitWindowMs);
    const reset = Math.max(1, Math.ceil(untilSlot / 1000));
    return { limit, used, reset };
  };
  const headersOf = (limit: number, remaining: number, reset: number) => ({
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, remaining)),
    'x-ratelimit-reset': String(reset),
  });
  return {
    admit(now, k) {
      const { limit, used, reset } = describe(now, k);
      if (used >= limit) {
        const headers = { ...headersOf(limit, 0, reset), 'retry-after': String(reset) };
        throw telnyxErrors.tooManyRequests(k.rateLimitErrorCode, `Dial rate limit exceeded: at most ${limit} dials per ${k.rateLimitWindowMs / 1000} s.`, headers);
      }
      window.add(now);
      const after = describe(now, k);
      return headersOf(limit, limit - after.used, after.reset);
    },
    headers(now, k) {
      const { limit, used, reset } = describe(now, k);
      return headersOf(limit, limit - used, reset);
    },
  };
}
