import { sleepOn, type Clock, type TimerHandle } from '../clock.ts';

// The package's tests do not import the service's test/helpers/manual-clock.ts (it is built on src/kernel/clock.ts):
// this is a copy on the package's own clock, so the package and its tests stand alone.

type Timer = { id: number; at: number; fn: () => void };

/** Lets the event loop run queued callbacks and promise continuations (store calls, HTTP-free workers). */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * The tests' one clock: it moves only when told. `advance` fires due timers in time order, letting promise work
 * settle between them, so the timed queue, ring timeouts and backoffs are reached in milliseconds with no sleeps.
 * It starts at a fixed moment; tests that talk to the Telnyx SDK start it at `Date.now()`, because the SDK checks
 * webhook timestamps against the real time (five minutes' tolerance).
 */
export function createManualClock(start = Date.UTC(2026, 10, 21, 12, 0, 0)) {
  let now = start;
  let nextId = 1;
  let timers: Timer[] = [];
  const clock: Clock & {
    advance(ms: number): Promise<void>;
    advanceTo(at: number): Promise<void>;
    /** How many timers are set and not yet fired or cleared. */
    pending(): number;
  } = {
    now: () => now,
    setTimeout(fn, ms): TimerHandle {
      const timer = { id: nextId++, at: now + Math.max(0, ms), fn };
      timers.push(timer);
      return { id: timer.id };
    },
    clearTimeout(handle) {
      timers = timers.filter((t) => t.id !== handle.id);
    },
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
    async advance(ms) {
      await clock.advanceTo(now + ms);
    },
    async advanceTo(target) {
      await flush();
      for (;;) {
        const due = timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.fn();
        await flush();
      }
      now = Math.max(now, target);
      await flush();
    },
    pending: () => timers.length,
  };
  return clock;
}
export type ManualClock = ReturnType<typeof createManualClock>;
