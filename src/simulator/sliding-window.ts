/** Counts events in the trailing window, to enforce "at most N in any window" limits such as dials per second. */
export type SlidingWindow = {
  count(now: number): number;
  add(now: number): void;
  /** Milliseconds until one slot frees up; 0 when the window is empty. */
  msUntilSlot(now: number): number;
  clear(): void;
};

/** Creates a sliding window of `windowMs`. */
export function createSlidingWindow(windowMs: number): SlidingWindow {
  let times: number[] = [];
  const prune = (now: number) => {
    const firstLive = times.findIndex((t) => now - t < windowMs);
    times = firstLive === -1 ? [] : times.slice(firstLive);
  };
  return {
    count(now) {
      prune(now);
      return times.length;
    },
    add(now) {
      times.push(now);
    },
    msUntilSlot(now) {
      prune(now);
      const oldest = times[0];
      return oldest === undefined ? 0 : oldest + windowMs - now;
    },
    clear() {
      times = [];
    },
  };
}
