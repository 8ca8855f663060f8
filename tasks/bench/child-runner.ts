import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Progress } from './progress.ts';
import type { ScenarioMessage, ScenarioRequest } from './scenario-io.ts';

const PROJECT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ScenarioRun = {
  benchmark: string;
  scenario: string;
  params: unknown;
  /** The child is killed, and the run fails, past this. */
  timeoutMs: number;
  /** Node flags for the child (e.g. `--cpu-prof`). */
  execArgv?: string[];
};

/**
 * Runs scenarios in child processes ({@link ./scenario-child.ts}) one at a time and keeps every process they
 * report, so {@link ScenarioRunner.killAll} can end them all, even after an error or a timeout.
 */
export function createScenarioRunner(deps: { progress: Progress }) {
  /** Every live process of every run under way: scenario children and what they reported. */
  const live = new Set<number>();
  const kill = (pid: number) => {
    live.delete(pid);
    // A pid is reused once its process is gone: only a process of ours (a node running this project) is killed.
    const cmdline = (() => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return ''; // already gone
      }
    })();
    if (!cmdline.includes(PROJECT)) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  };
  return {
    async run<T>(run: ScenarioRun): Promise<T> {
      const child = fork(fileURLToPath(new URL('./scenario-child.ts', import.meta.url)), [], {
        execArgv: run.execArgv ?? [],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const mine = new Set<number>();
      if (child.pid) live.add(child.pid);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        return await new Promise<T>((resolve, reject) => {
          let settled = false;
          const settle = (fn: () => void) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            fn();
          };
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            settle(() => reject(new Error(`${run.benchmark}/${run.scenario} took longer than ${run.timeoutMs / 1000} s: killed`)));
          }, run.timeoutMs);
          child.on('message', (message: ScenarioMessage) => {
            if (message.type === 'progress') deps.progress.detail(message.text);
            else if (message.type === 'pid') {
              mine.add(message.pid);
              live.add(message.pid);
            }
            else if (message.type === 'result') settle(() => resolve(message.value as T));
            else settle(() => reject(new Error(`${run.benchmark}/${run.scenario} failed: ${message.message}`)));
          });
          child.once('exit', (code, signal) =>
            settle(() => reject(new Error(`${run.benchmark}/${run.scenario} exited (${signal ?? code}) without a result`))),
          );
          child.send({ benchmark: run.benchmark, scenario: run.scenario, params: run.params } satisfies ScenarioRequest);
        });
      } finally {
        // The child exits by itself after answering (a profile is written then); a wedged one is killed.
        const grace = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(grace);
        if (child.pid) live.delete(child.pid);
        // Helpers end with their scenario (they exit when its IPC channel closes); any left over are killed.
        for (const pid of mine) kill(pid);
      }
    },
    /** Ends every process still running: scenario children and whatever they reported. */
    killAll(): void {
      for (const pid of [...live]) kill(pid);
    },
  };
}
export type ScenarioRunner = ReturnType<typeof createScenarioRunner>;
