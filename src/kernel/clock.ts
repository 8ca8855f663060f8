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
  /**
   * Resolves after `ms` on this clock, or as soon as `signal` aborts: early and without an error, because an owner
   * that is stopping simply stops waiting (it checks its own state afterwards). Aborting clears the timer.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

/** {@link Clock.sleep} on any clock's timers; both the real clock and the tests' manual clock use it. */
export function sleepOn(timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const abort = () => {
      timers.clearTimeout(handle);
      done();
    };
    const handle = timers.setTimeout(done, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** Node's timers hold at most 2³¹ − 1 ms (24.8 days); a longer delay would fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock. Timers are unref'd so a pending timer never holds the process open on shutdown. A delay beyond
 * {@link MAX_TIMER_MS} is clamped: the timer fires early and its owner (the queue) simply arms again for the rest.
 */
export function createSystemClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  const clock: Clock = {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const timer = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
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
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
  };
  return clock;
}
