/**
 * A scenario child: one process per measured scenario, so each starts from a cold heap with no timers, sockets or
 * retries left over by the one before (the inline mode with a slow carrier leaves plenty). It runs one scenario
 * named by the runner, sends back the result, and exits.
 */
import type { ScenarioIo, ScenarioMessage, ScenarioRequest } from './scenario-io.ts';

type ScenarioTable = Record<string, (params: never, io: ScenarioIo) => Promise<unknown>>;

const MODULES: Record<string, () => Promise<{ scenarios: ScenarioTable }>> = {
  'webhook-ingest': () => import('./webhook-ingest-scenarios.ts'),
  'slow-carrier': () => import('./slow-carrier-scenarios.ts'),
  scheduling: () => import('./scheduling-scenarios.ts'),
  'timer-precision': () => import('./timer-precision-scenarios.ts'),
  scale: () => import('./scale-scenarios.ts'),
  schedules: () => import('./schedules-scenarios.ts'),
  'job-queues': () => import('./job-queues-scenarios.ts'),
};

const send = (message: ScenarioMessage) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));

const io: ScenarioIo = {
  progress: (text) => void send({ type: 'progress', text }),
  spawned: (pid) => void send({ type: 'pid', pid }),
};

async function run(request: ScenarioRequest): Promise<unknown> {
  const load = MODULES[request.benchmark];
  if (!load) throw new Error(`unknown benchmark ${request.benchmark}`);
  const scenario = (await load()).scenarios[request.scenario];
  if (!scenario) throw new Error(`unknown scenario ${request.benchmark}/${request.scenario}`);
  return scenario(request.params as never, io);
}

process.once('message', (request: ScenarioRequest) => {
  run(request)
    .then(
      (value) => send({ type: 'result', value }),
      (err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    )
    // Exit at once: a scenario may leave work behind on purpose (a bounded run cut short), and --cpu-prof writes
    // its profile on exit.
    .finally(() => process.exit(0));
});
process.on('disconnect', () => process.exit(1));
