/**
 * A sliding one-second window over dial starts: at most `perSecond` starts in any 1000 ms, so any 5 s window
 * holds at most 5 × `perSecond` (Telnyx counts its limit over 5 s). Only the last `perSecond` start times are kept.
 */
export function createDialRate(perSecond: number) {
  const starts: number[] = [];
  return {
    /** Milliseconds to wait before the next start is allowed (0: now). */
    waitMs(now: number): number {
      if (starts.length < perSecond) return 0;
      const oldest = starts[starts.length - perSecond] as number;
      return Math.max(0, oldest + 1000 - now);
    },
    record(now: number): void {
      starts.push(now);
      if (starts.length > perSecond) starts.splice(0, starts.length - perSecond);
    },
  };
}
export type DialRate = ReturnType<typeof createDialRate>;
