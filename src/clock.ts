/** A handle returned by {@link Clock.setTimeout}; opaque to callers. */
export type TimerHandle = { readonly id: number };

/**
 * Time as a dependency: the service never reads `Date.now()` or calls `setTimeout` directly,
 * so tests can drive the queue and the simulator by advancing a manual clock.
 */
export type Clock = {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
};

/** The real clock. Timers are unref'd so a pending timer never holds the process open on shutdown. */
export function createSystemClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const timer = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, ms));
      timer.unref();
      timers.set(id, timer);
      return { id };
    },
    clearTimeout(handle) {
      const timer = timers.get(handle.id);
      if (timer) {
        clearTimeout(timer);
        timers.delete(handle.id);
      }
    },
  };
}
