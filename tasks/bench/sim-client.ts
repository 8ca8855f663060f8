import { fileURLToPath } from 'node:url';
import type { SimulatorKnobs } from 'telnyx-simulator';
import { forkIpc } from './ipc-child.ts';

export type SimStarted = { baseUrl: string; publicKeyBase64: string; sinkUrl: string };
/** A command as the simulator received it, trimmed to what the benchmarks read. */
export type SimCommand = { kind: string; at: number; status: number; deduplicated: boolean; clientState: string | null };
export type SimRequest =
  | { op: 'start'; knobs: Partial<SimulatorKnobs>; seed: string }
  | { op: 'configure'; knobs: Partial<SimulatorKnobs> }
  | { op: 'commands'; kind?: SimCommand['kind'] }
  | { op: 'stop' };

export type SimHost = SimStarted & {
  pid: number;
  configure(knobs: Partial<SimulatorKnobs>): Promise<void>;
  commands(kind?: SimCommand['kind']): Promise<SimCommand[]>;
  /** Stops the simulator and ends its process (killed if it does not go in time). */
  stop(): Promise<void>;
};

/** Starts the carrier simulator in its own process ({@link ./sim-host.ts}) with the given knobs and signing seed. */
export async function startSimHost(options: { knobs: Partial<SimulatorKnobs>; seed: string }): Promise<SimHost> {
  const child = forkIpc<SimRequest>(fileURLToPath(new URL('./sim-host.ts', import.meta.url)), { name: 'simulator host' });
  try {
    const started = await child.call<SimStarted>({ op: 'start', knobs: options.knobs, seed: options.seed }, 30_000);
    return {
      ...started,
      pid: child.pid,
      configure: (knobs) => child.call<null>({ op: 'configure', knobs }).then(() => undefined),
      commands: (kind) => child.call<SimCommand[]>({ op: 'commands', ...(kind ? { kind } : {}) }),
      async stop() {
        await child.call({ op: 'stop' }, 5000).catch(() => undefined);
        await child.end();
      },
    };
  } catch (err) {
    await child.end();
    throw err;
  }
}
