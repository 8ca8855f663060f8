import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { timed } from './timed.ts';

export { freePort } from '../free-port.ts';

/** One `node src/main.ts` on a fixed port, killed with SIGKILL and started again on the same port. */
export class Instance {
  readonly port: number;
  readonly url: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #root: string;
  readonly #logDir: string;
  #child: ChildProcess | undefined;
  #starts = 0;
  alive = false;

  constructor(options: { port: number; env: NodeJS.ProcessEnv; root: string; logDir: string }) {
    this.port = options.port;
    this.url = `http://127.0.0.1:${options.port}`;
    this.#env = options.env;
    this.#root = options.root;
    this.#logDir = options.logDir;
  }

  /** Starts the process and resolves once `/ready` answers 200 (or after 20 s, with an error). */
  async start(): Promise<void> {
    const log = openSync(join(this.#logDir, `instance-${this.port}-${++this.#starts}.log`), 'a');
    const child = spawn(process.execPath, ['src/main.ts'], {
      cwd: this.#root,
      env: { ...this.#env, PORT: String(this.port) },
      stdio: ['ignore', log, log],
    });
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) this.alive = false;
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const ready = await timed(`instance on ${this.port}: GET /ready`, 5000, (signal) => fetch(`${this.url}/ready`, { signal })).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) {
        this.alive = true;
        return;
      }
      if (child.exitCode !== null) throw new Error(`instance on ${this.port} exited at start (see ${this.#logDir})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`instance on ${this.port} not ready after 20 s`);
  }

  /** kill -9: no shutdown, no cleanup, whatever it was doing. */
  kill(): Promise<void> {
    const child = this.#child;
    this.alive = false;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** A graceful stop at the end of the run. */
  stop(): Promise<void> {
    const child = this.#child;
    this.alive = false;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
