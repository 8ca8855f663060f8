/** What a scenario, running in its own child process, can tell the runner while it works. */
export type ScenarioIo = {
  /** Updates the progress line's detail. */
  progress(text: string): void;
  /** A process this scenario started (beyond its own children over IPC): the runner kills it at the end if it lives. */
  spawned(pid: number): void;
};

/** Messages from a scenario child to the runner. */
export type ScenarioMessage =
  | { type: 'progress'; text: string }
  | { type: 'pid'; pid: number }
  | { type: 'result'; value: unknown }
  | { type: 'error'; message: string };

/** The one message the runner sends a scenario child. */
export type ScenarioRequest = { benchmark: string; scenario: string; params: unknown };
