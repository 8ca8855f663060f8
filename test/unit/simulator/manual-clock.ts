import type { Clock, TimerHandle } from '../../../src/clock.ts';

/** A clock that moves only when told, so ring timeouts and backoffs are reached without waiting. */
export type ManualClock = Clock & {
  /** Moves time forward, firing due timers in order (timers they set that fall due are fired too). */
  advance(ms: number): void;
  readonly pendingTimers: number;
};

/**
 * Creates a manual clock. It starts at the real time because the SDK checks webhook timestamps against
 * `Date.now()` with five minutes' tolerance.
 */
export function createManualClock(start = Date.now()): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { due: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { due: now + Math.max(0, ms), fn });
      return { id };
    },
    clearTimeout(handle: TimerHandle) {
      timers.delete(handle.id);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        let earliest: [number, { due: number; fn: () => void }] | undefined;
        for (const entry of timers) {
          if (entry[1].due <= target && (!earliest || entry[1].due < earliest[1].due)) earliest = entry;
        }
        if (!earliest) break;
        timers.delete(earliest[0]);
        now = earliest[1].due;
        earliest[1].fn();
      }
      now = target;
    },
    get pendingTimers() {
      return timers.size;
    },
  };
}
