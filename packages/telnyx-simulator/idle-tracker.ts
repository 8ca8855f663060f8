/** Counts outstanding work so a test can await "nothing more will happen by itself" instead of sleeping. */
export type IdleTracker = {
  /** Marks one piece of work as started; call the returned function (once) when it is over. */
  begin(): () => void;
  /** Resolves when no work is outstanding; at once if none is. */
  whenIdle(): Promise<void>;
  readonly pending: number;
};

/** Creates an idle tracker. */
export function createIdleTracker(): IdleTracker {
  let pending = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (pending !== 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  return {
    begin() {
      pending++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        pending--;
        settle();
      };
    },
    whenIdle() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    get pending() {
      return pending;
    },
  };
}
