import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSystemClock, type Clock } from './clock.ts';
import type { Config } from './config/schema.ts';
import type { InstanceInfo } from './http/routes/health-routes.ts';
import { createViews, type Views } from './http/views.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createStore } from './store/create-store.ts';
import type { Store } from './store/store.ts';
import { createCallService, type CallService } from './calls/call-service.ts';
import { createCallPlacer } from './calls/place-call.ts';
import type { SchedulingRules } from './calls/schedule-input.ts';
import { createMaintenance, MaintenanceJobs, type Maintenance } from './queue/maintenance.ts';
import { TimedQueue } from './queue/timed-queue.ts';
import { TelephonyError, type Telephony } from './telephony/telephony.ts';

/** The project's root folder (templates, config and relative database paths are found from here). */
export const ROOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Everything the app and its workers need, built once by {@link buildDeps}. */
export type Deps = {
  config: Config;
  logger: Logger;
  clock: Clock;
  newId: () => string;
  store: Store;
  metrics: Metrics;
  views: Views;
  instance: InstanceInfo;
  rules: SchedulingRules;
  telephony: Telephony;
  /** True when calls go to the built-in carrier simulator rather than Telnyx. */
  simulated: boolean;
  queue: TimedQueue;
  calls: CallService;
  maintenance: Maintenance;
  jobs: MaintenanceJobs;
};

export type DepsOverrides = Partial<Pick<Deps, 'logger' | 'clock' | 'newId' | 'store' | 'metrics' | 'views' | 'instance' | 'telephony'>> & {
  isTty?: boolean;
};

/**
 * The composition root: builds each part once and wires them explicitly. Tests pass overrides (a manual clock,
 * a logger writing to memory, a store on a temp file) and get the same app.
 */
export function buildDeps(config: Config, overrides: DepsOverrides = {}): Deps {
  const clock = overrides.clock ?? createSystemClock();
  const newId = overrides.newId ?? randomUUID;
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, pretty: config.logPretty && overrides.isTty === true });
  const pkg = JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string };
  const store = overrides.store ?? createStore(config.databaseUrl, ROOT_DIR);
  const metrics = overrides.metrics ?? createMetrics();
  const telephony = overrides.telephony ?? unconfiguredTelephony();

  // The queue dispatches to the placer, and the placer frees channels on the queue: tie the knot explicitly.
  const channelFreed = () => queue.channelFreed();
  const placeCall = createCallPlacer({ store, clock, logger, metrics, telephony, channelFreed });
  const queue: TimedQueue = new TimedQueue({ store, clock, logger, metrics, options: config.queue, dispatch: placeCall });
  const maintenance = createMaintenance({ store, clock, logger, metrics, options: config.maintenance, channelFreed });
  return {
    config,
    logger,
    clock,
    newId,
    store,
    metrics,
    views: overrides.views ?? createViews({ templatesDir: join(ROOT_DIR, 'templates') }),
    instance: overrides.instance ?? { instanceId: newId(), hostname: hostname(), version: pkg.version, startedAt: clock.now() },
    rules: config.scheduling,
    telephony,
    simulated: false,
    queue,
    calls: createCallService({ store, clock, newId, queue }),
    maintenance,
    jobs: new MaintenanceJobs({ maintenance, options: config.maintenance, logger }),
  };
}

/** Until a carrier is wired in, every dial fails cleanly with a reason instead of pretending to call. */
function unconfiguredTelephony(): Telephony {
  const refuse = () => Promise.reject(new TelephonyError('no carrier is configured', 'permanent'));
  return { dial: refuse, speak: refuse, hangup: refuse };
}
