/**
 * The simulator's own clock: the types it needs and Node's real timers. It is a package of its own and must not
 * reach into the service's `src/` (src/kernel/clock.ts), so this is a minimal copy of that contract. The shapes
 * are the same, so the service's clocks and the tests' manual clock pass as the `clock` option unchanged (the
 * types are structural); without that option the simulator runs on {@link createSystemClock}.
 */

/** A handle returned by {@link Clock.setTimeout}; opaque to callers. */
export type TimerHandle = { readonly id: number };

/** Time as a dependency, so a test can drive the simulator (answers, speech, webhooks) with a manual clock. */
export type Clock = {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after `ms` on this clock, or as soon as `signal` aborts (early, without an error; the timer is cleared). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

/** {@link Clock.sleep} on any clock's timers. */
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
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock. Timers are unref'd so a pending timer never holds the process open; a longer delay is clamped. */
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
