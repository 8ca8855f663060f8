import type { Clock, TimerHandle } from './clock.ts';
import type { Logger } from './logger.ts';

/** A part with a lifecycle: the service starts its workers in order and stops them in reverse. */
export type Worker = {
  start(): void | Promise<void>;
  /** Stops taking work and resolves once the work under way is done. */
  stop(): Promise<void>;
};

/**
 * Promises under way that a stop must wait for. A failure is logged with `what`, never thrown: background work has
 * no caller to tell.
 */
export class TaskSet {
  readonly #tasks = new Set<Promise<unknown>>();
  readonly #logger: Logger;
  readonly #what: string;

  constructor(logger: Logger, what: string) {
    this.#logger = logger;
    this.#what = what;
  }

  /** Keeps `promise` until it settles; the returned promise never rejects. */
  track<T>(promise: Promise<T>): Promise<T | undefined> {
    const tracked = promise.catch((err: unknown) => {
      this.#logger.error({ err }, `${this.#what} failed`);
      return undefined;
    });
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
    return tracked;
  }

  get size(): number {
    return this.#tasks.size;
  }

  /** Resolves once nothing is under way, including work started by the work it waited for. */
  async whenIdle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }
}

/** A loop run by {@link periodic}; `runNow` runs a round at once (or joins the one under way). */
export type Periodic = {
  start(options?: { now?: boolean }): void;
  stop(): Promise<void>;
  runNow(): Promise<void>;
  /** Resolves when the round under way (if any) ends. */
  settled(): Promise<void>;
};

/**
 * Runs `round` every `everyMs` on the injected clock: the next round is armed when the previous one ends, so rounds
 * never overlap. A round may ask for its successor sooner by returning a delay. A failed round is logged and the
 * loop goes on. `start({ now: false })` waits a period before the first round (its owner ran one itself).
 */
export function periodic(deps: { clock: Clock; logger: Logger; what: string; everyMs: number; round: () => Promise<number | void> }): Periodic {
  const { clock, logger } = deps;
  let running = false;
  let timer: TimerHandle | undefined;
  let current: Promise<void> | undefined;
  const arm = (ms: number) => {
    if (running) timer = clock.setTimeout(run, ms);
  };
  function run(): void {
    if (timer) clock.clearTimeout(timer);
    timer = undefined;
    let next = deps.everyMs;
    current = deps
      .round()
      .then(
        (asked) => {
          if (typeof asked === 'number') next = Math.min(next, asked);
        },
        (err: unknown) => logger.error({ err }, `${deps.what} failed`),
      )
      .finally(() => {
        current = undefined;
        arm(next);
      });
  }
  return {
    start(options = {}) {
      if (running) return;
      running = true;
      if (options.now === false) arm(deps.everyMs);
      else run();
    },
    async stop() {
      running = false;
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
      await current;
    },
    async runNow() {
      if (!current) run();
      await current;
    },
    async settled() {
      await current;
    },
  };
}

/** One timer set to an instant and moved as the instant changes (a due time, a retry): setting it again replaces it. */
export type Alarm = { set(at: number): void; clear(): void; readonly armed: boolean };

export function createAlarm(clock: Clock, fire: () => void): Alarm {
  let timer: TimerHandle | undefined;
  let armedAt = Infinity;
  const clear = () => {
    if (timer) clock.clearTimeout(timer);
    timer = undefined;
    armedAt = Infinity;
  };
  return {
    get armed() {
      return timer !== undefined;
    },
    set(at) {
      if (at === armedAt && timer) return;
      clear();
      if (at === Infinity) return;
      armedAt = at;
      timer = clock.setTimeout(() => {
        timer = undefined;
        armedAt = Infinity;
        fire();
      }, at - clock.now());
    },
    clear,
  };
}

/** How long a background round may hold the event loop before it lets timers and I/O in (issue 20 item 7). */
export const SLICE_MS = 4;

/**
 * A long background round (a sweep over every schedule, a reconciler round over every live call) cut into slices of
 * at most about {@link SLICE_MS} of the event loop: `due()` says when the slice is spent, `yield()` lets pending timers
 * and I/O run and starts the next. A count of items between yields (what this replaces) holds the loop for as long as
 * those items happen to take: 25 schedules took 20–40 ms each time. Measured on the process's monotonic clock, not
 * the injected {@link Clock}: a slice is about the real event loop, and a test's fake time must not change where
 * rounds pause (only when; the work done is the same).
 */
export function timeSlices(sliceMs = SLICE_MS): { due(): boolean; yield(): Promise<void>; pause(): Promise<void> } {
  let start = performance.now();
  const slices = {
    due: () => performance.now() - start >= sliceMs,
    yield: () =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          start = performance.now();
          resolve();
        }),
      ),
    /** Yields only when the slice is spent. */
    pause: () => (slices.due() ? slices.yield() : Promise.resolve()),
  };
  return slices;
}
