import type { Clock } from '../clock.ts';

/**
 * A sliding window over dial starts: at most `perSecond` starts in any `windowMs` (1000 ms plus a small margin for
 * the network jitter between our count and the carrier's), so any 5 s window holds at most 5 × `perSecond`
 * (Telnyx counts its limit over 5 s). Only the last `perSecond` start times are kept. First dials (the queue's
 * claims) and dial retries draw from the same window, so retries never push the carrier over its limit.
 */
export function createDialRate(perSecond: number, windowMs = 1000) {
  const starts: number[] = [];
  const rate = {
    /** Milliseconds to wait before the next start is allowed (0: now). */
    waitMs(now: number): number {
      if (starts.length < perSecond) return 0;
      const oldest = starts[starts.length - perSecond] as number;
      return Math.max(0, oldest + windowMs - now);
    },
    record(now: number): void {
      starts.push(now);
      if (starts.length > perSecond) starts.splice(0, starts.length - perSecond);
    },
    /** Waits for a free slot and takes it. */
    async acquire(clock: Clock): Promise<void> {
      for (;;) {
        const wait = rate.waitMs(clock.now());
        if (wait === 0) {
          rate.record(clock.now());
          return;
        }
        await clock.sleep(wait);
      }
    },
  };
  return rate;
}
export type DialRate = ReturnType<typeof createDialRate>;
