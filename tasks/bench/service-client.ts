import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/schema.ts';
import type { BenchServiceOptions } from './bench-service.ts';
import { forkIpc } from './ipc-child.ts';

export type ServiceRequest =
  | { op: 'start-bare'; kind: 'koa-200' | 'koa-json' | 'koa-verify'; publicKey?: string }
  | { op: 'start-service'; options: BenchServiceOptions; ringing?: [callId: string, callControlId: string][] }
  | { op: 'schedule'; calls: { to: string; dueAt: number; message?: string }[] }
  | { op: 'loop-delay'; reset: boolean }
  | { op: 'stop' };

/** The service process's event-loop delay since the last reset (node's `monitorEventLoopDelay`, 1 ms resolution). */
export type LoopDelay = { samples: number; p50Ms: number; p99Ms: number; maxMs: number };

export type ServiceHost = {
  pid: number;
  url: string;
  /** The queue settings in force (the service's config after overrides), for predictions; absent for bare Koa. */
  queue: Config['queue'] | undefined;
  /** A bearer token of the service's bench account (absent for bare Koa). */
  token: string | undefined;
  schedule(calls: { to: string; dueAt: number; message?: string }[]): Promise<string[]>;
  /** The event loop's delay since the last reset; `reset` starts a new window. */
  loopDelay(reset: boolean): Promise<LoopDelay>;
  /** Stops gracefully (bounded), then ends the process; with `profileDir`, the main thread's profile path. */
  stop(): Promise<string | undefined>;
};

/**
 * Starts the server under test in its own process ({@link ./service-host.ts}). With `profileDir` it runs under
 * `node --cpu-prof`, and {@link ServiceHost.stop} returns the main thread's profile.
 */
export async function startServiceHost(
  start: Extract<ServiceRequest, { op: 'start-service' | 'start-bare' }>,
  options: { profileDir?: string } = {},
): Promise<ServiceHost> {
  const execArgv = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
  const child = forkIpc<ServiceRequest>(fileURLToPath(new URL('./service-host.ts', import.meta.url)), { name: 'service host', execArgv });
  try {
    const { url, queue, token } = await child.call<{ url: string; queue?: Config['queue']; token?: string }>(start, 60_000);
    return {
      pid: child.pid,
      url,
      queue,
      token,
      // Bounded, but long enough for 10,000 committed inserts on a busy machine.
      schedule: (calls) => child.call<string[]>({ op: 'schedule', calls }, 600_000),
      loopDelay: (reset) => child.call<LoopDelay>({ op: 'loop-delay', reset }, 10_000),
      async stop() {
        // A service that stalled does not answer: it is killed after the grace period.
        await child.call({ op: 'stop' }, 10_000).catch(() => undefined);
        await child.end(options.profileDir ? 15_000 : 3000);
        if (!options.profileDir) return undefined;
        const profiles = (await readdir(options.profileDir)).filter((f) => new RegExp(`^CPU\\..*\\.${child.pid}\\.0\\.\\d+\\.cpuprofile$`).test(f));
        return profiles[0] === undefined ? undefined : join(options.profileDir, profiles[0]);
      },
    };
  } catch (err) {
    await child.end();
    throw err;
  }
}
