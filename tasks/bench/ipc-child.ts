import { fork, type ChildProcess } from 'node:child_process';

/** A forked helper process answering requests over IPC: `{ id, request }` in, `{ id, ok, value | error }` out. */
export type IpcChild<Req> = {
  pid: number;
  /** Sends a request; rejects if no answer comes within `timeoutMs` or the process ends first. */
  call<T>(request: Req, timeoutMs?: number): Promise<T>;
  /** Ends the process: disconnect (it exits by itself), SIGKILL after `graceMs`. */
  end(graceMs?: number): Promise<void>;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
};

/**
 * Forks `file` with an IPC channel. `execArgv` is explicit (default none), so a profiled parent does not profile its
 * helpers by inheritance.
 */
export function forkIpc<Req>(file: string, options: { execArgv?: string[]; name: string }): IpcChild<Req> {
  const child: ChildProcess = fork(file, [], { execArgv: options.execArgv ?? [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const waiter of pending.values()) waiter.reject(new Error(`${options.name} exited (${signal ?? code})`));
      pending.clear();
      resolve();
    }),
  );
  child.on('message', (message: { id: number; ok: boolean; value?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.value);
    else waiter?.reject(new Error(`${options.name}: ${message.error}`));
  });
  return {
    pid: child.pid ?? -1,
    exited,
    call<T>(request: Req, timeoutMs = 120_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (!child.connected) return reject(new Error(`${options.name} is not running`));
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${options.name} did not answer within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, request });
      });
    },
    async end(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The child's side: answers each request with `handle`, and exits when the parent goes (finished, crashed or
 * killed), so no helper outlives its benchmark.
 */
export function serveIpc<Req>(handle: (request: Req) => Promise<unknown>): void {
  process.on('message', (message: { id: number; request: Req }) => {
    handle(message.request).then(
      (value) => process.send?.({ id: message.id, ok: true, value }),
      (err: unknown) => process.send?.({ id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
