/**
 * Counts events in a trailing window, to enforce "at most N in any window" limits such as Telnyx's dial rate.
 * The window length is passed on every call because it is a knob that may change while running.
 */
export type SlidingWindow = {
  count(now: number, windowMs: number): number;
  add(now: number): void;
  /** Milliseconds until the oldest event in the window leaves it (a slot frees up); 0 when the window is empty. */
  msUntilSlot(now: number, windowMs: number): number;
  clear(): void;
};

/** Creates an empty sliding window. */
export function createSlidingWindow(): SlidingWindow {
  let times: number[] = [];
  const prune = (now: number, windowMs: number) => {
    const firstLive = times.findIndex((t) => now - t < windowMs);
    times = firstLive === -1 ? [] : times.slice(firstLive);
  };
  return {
    count(now, windowMs) {
      prune(now, windowMs);
      return times.length;
    },
    add(now) {
      times.push(now);
    },
    msUntilSlot(now, windowMs) {
      prune(now, windowMs);
      const oldest = times[0];
      return oldest === undefined ? 0 : oldest + windowMs - now;
    },
    clear() {
      times = [];
    },
  };
}
