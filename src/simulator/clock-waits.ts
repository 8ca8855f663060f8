import type { Clock, TimerHandle } from '../clock.ts';

/** Waits on an injected clock that can all be released at once, so stopping never leaves a request hanging. */
export type ClockWaits = {
  wait(ms: number): Promise<void>;
  /** Resolves every pending wait now and cancels its timer. */
  releaseAll(): void;
};

/** Creates a set of releasable waits on `clock`. */
export function createClockWaits(clock: Clock): ClockWaits {
  const pending = new Set<{ timer: TimerHandle; resolve: () => void }>();
  return {
    wait(ms) {
      return new Promise((resolve) => {
        const entry = {
          timer: clock.setTimeout(() => finish(), ms),
          resolve: () => {
            clock.clearTimeout(entry.timer);
            finish();
          },
        };
        const finish = () => {
          pending.delete(entry);
          resolve();
        };
        pending.add(entry);
      });
    },
    releaseAll() {
      for (const entry of [...pending]) entry.resolve();
    },
  };
}
