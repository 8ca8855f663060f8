import type { CallLimitsFor } from '../calls/call-store.ts';
import type { QueueSignals } from '../calls/call-service.ts';
import type { SchedulingRules } from '../calls/input/schedule-input.ts';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import { createRetries, type Retries } from '../schedules/retry-calls.ts';
import { createScheduleKeeper, SCHEDULE_SWEEP_MS, ScheduleKeeper } from '../schedules/schedule-keeper.ts';
import { createScheduleService, type ScheduleService } from '../schedules/schedule-service.ts';
import type { Store } from '../store/store.ts';

export type SchedulesPart = { schedules: ScheduleService; scheduleKeeper: ScheduleKeeper; retries: Retries };

/** Repeating schedules and retries: the keeper creates each next occurrence, and retries ride on its sweep. */
export function composeSchedules(deps: {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  rules: SchedulingRules;
  queue: QueueSignals;
  callLimits: CallLimitsFor;
}): SchedulesPart {
  const { store, clock, logger, newId, queue, callLimits } = deps;
  const retries = createRetries({ store, clock, logger, newId, queue, callLimits });
  const keeperCore = createScheduleKeeper({ store, clock, logger, newId, queue, callLimits, maxLatenessMs: deps.config.queue.maxLatenessSeconds * 1000 });
  const scheduleKeeper = new ScheduleKeeper({ core: keeperCore, clock, logger, sweepMs: SCHEDULE_SWEEP_MS, alsoSweep: [() => retries.sweep()] });
  const schedules = createScheduleService({ store, clock, newId, rules: deps.rules, queue, keeper: keeperCore, callLimits });
  return { schedules, scheduleKeeper, retries };
}
