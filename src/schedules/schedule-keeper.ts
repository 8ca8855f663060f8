import type { Call } from '../calls/call.ts';
import type { QueueSignals } from '../calls/call-service.ts';
import type { CallLimitsFor } from '../calls/call-store.ts';
import { OPTED_OUT_REASON } from '../calls/reasons.ts';
import { retryColumns } from '../calls/retry-policy.ts';
import { periodic, TaskSet, timeSlices, type Periodic } from '../kernel/background.ts';
import type { Clock } from '../kernel/clock.ts';
import { LimitError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { ScheduleStore } from './schedule-store.ts';
import type { DoNotCallList } from '../calls/do-not-call-list.ts';
import type { Schedule } from './schedule.ts';
import { occurrencesOf } from './schedule-bounds.ts';

export type KeeperDeps = {
  store: Pick<ScheduleStore, 'getSchedule' | 'schedulesNeedingOccurrence' | 'insertOccurrence' | 'updateSchedule' | 'endSchedulesTo'> & Pick<DoNotCallList, 'getDoNotCall'>;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  queue: Pick<QueueSignals, 'scheduled'>;
  /** Abuse limits for each occurrence, the same as for single calls, decided as the store inserts it. */
  callLimits: CallLimitsFor;
  /** Past this, an occurrence is not created any more (the queue's `maxLatenessSeconds`). */
  maxLatenessMs: number;
};

const SWEEP_PAGE = 500;
/**
 * The SQLite store does its work synchronously inside async methods, so a long sweep would resolve promise after
 * promise without ever letting the event loop serve a request (a first start over 10,000 schedules held /ready for
 * 22 s). The sweep works in slices of a few milliseconds ({@link timeSlices}) and lets timers and I/O run between them.
 */
/** How often the keeper looks for schedules without their next occurrence (and calls owed a retry). */
export const SCHEDULE_SWEEP_MS = 30_000;

/**
 * Makes sure every active schedule has its next occurrence as a scheduled call — at start, whenever an occurrence
 * leaves `scheduled`, and on a periodic sweep (which also catches a crash between a claim and the next occurrence).
 * Idempotent: the store creates an occurrence only after the schedule's cursor, with the schedule locked and a
 * unique key on (schedule, occurrence time), so instances racing here create it once.
 *
 * Choices (see the README): an occurrence further in the past than the allowed lateness is not created; the
 * schedule goes on from the first occurrence within it, and records that it skipped (one note, not a row per missed
 * occurrence). An occurrence the abuse limits refuse is skipped with the limit's reason, and the schedule waits
 * for that occurrence's time to pass before creating the next.
 */
export function createScheduleKeeper(deps: KeeperDeps) {
  const { store, clock, logger } = deps;

  async function end(schedule: Schedule, reason: string): Promise<void> {
    await store.updateSchedule(schedule.id, { status: 'ended', endReason: reason, nextAt: null, holdUntil: null }, clock.now());
    logger.info({ scheduleId: schedule.id, reason }, 'schedule ended');
  }

  /** Creates the schedule's next occurrence if it needs one; returns the call created, if any. */
  async function ensure(schedule: Schedule): Promise<Call | undefined> {
    const now = clock.now();
    if (schedule.status !== 'active') return undefined;
    if (schedule.holdUntil !== null && now < schedule.holdUntil) return undefined;
    if (await store.getDoNotCall(schedule.to)) {
      await store.endSchedulesTo(schedule.to, now, OPTED_OUT_REASON);
      return undefined;
    }
    const after = Math.max(schedule.afterAt, schedule.holdUntil ?? -Infinity);
    let [next] = occurrencesOf(schedule, after, 1);
    let skipped: string | null = null;
    const floor = now - deps.maxLatenessMs;
    if (next !== undefined && next < floor) {
      [next] = occurrencesOf(schedule, floor - 1, 1);
      skipped = `occurrences from ${new Date(occurrencesOf(schedule, after, 1)[0] as number).toISOString()} passed while the service was down`;
    }
    if (next === undefined) {
      await end(schedule, 'its last occurrence has passed');
      return undefined;
    }
    let call: Call | undefined;
    try {
      call = await store.insertOccurrence(
        {
          id: deps.newId(),
          to: schedule.to,
          dueAt: next,
          timeZone: schedule.timeZone,
          message: schedule.message,
          createdAt: now,
          accountId: schedule.accountId,
          scheduleId: schedule.id,
          occurrenceAt: next,
          ...retryColumns(schedule.retry),
        },
        deps.callLimits(schedule.accountId, schedule.to, next),
      );
    } catch (err) {
      if (!(err instanceof LimitError)) throw err;
      // Skipped, with the reason kept on the schedule for its owner to see; tried again once it has passed.
      await store.updateSchedule(schedule.id, { holdUntil: next, nextAt: next, skipReason: err.message, skipAt: next }, now);
      logger.info({ scheduleId: schedule.id, at: next, reason: err.message }, 'schedule occurrence skipped by a limit');
      return undefined;
    }
    if (call && skipped) await store.updateSchedule(schedule.id, { skipReason: skipped, skipAt: now }, now);
    if (call) deps.queue.scheduled({ id: call.id, dueAt: call.dueAt });
    return call;
  }

  return {
    ensure,
    async ensureById(id: string): Promise<Call | undefined> {
      const schedule = await store.getSchedule(id);
      return schedule ? ensure(schedule) : undefined;
    },
    /** Every active schedule without a pending occurrence gets one; returns how many were created. */
    async sweep(): Promise<number> {
      const slices = timeSlices();
      let created = 0;
      let afterId = '';
      for (;;) {
        const page = await store.schedulesNeedingOccurrence(clock.now(), SWEEP_PAGE, afterId);
        for (const schedule of page) {
          await slices.pause();
          try {
            if (await ensure(schedule)) created += 1;
          } catch (err) {
            logger.error({ err, scheduleId: schedule.id }, 'could not create a schedule occurrence');
          }
        }
        if (page.length < SWEEP_PAGE) break;
        afterId = (page[page.length - 1] as Schedule).id;
      }
      return created;
    },
  };
}
export type ScheduleKeeperCore = ReturnType<typeof createScheduleKeeper>;

/**
 * The keeper's lifecycle: a sweep at start (after the queue's recovery marked old occurrences missed), one every
 * `sweepMs`, and a prompt `ensure` when the queue claims an occurrence. Other sweeps (retries) ride on the same tick.
 */
export class ScheduleKeeper {
  readonly #core: ScheduleKeeperCore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #alsoSweep: (() => Promise<unknown>)[];
  readonly #sweeps: Periodic;
  readonly #work: TaskSet;
  #running = false;

  constructor(deps: { core: ScheduleKeeperCore; clock: Clock; logger: Logger; sweepMs: number; alsoSweep?: (() => Promise<unknown>)[] }) {
    this.#core = deps.core;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#alsoSweep = deps.alsoSweep ?? [];
    this.#work = new TaskSet(deps.logger, 'schedule keeper work');
    this.#sweeps = periodic({ clock: deps.clock, logger: deps.logger, what: 'schedule sweep', everyMs: deps.sweepMs, round: () => this.#sweep() });
  }

  get core(): ScheduleKeeperCore {
    return this.#core;
  }

  /** Starts sweeping: the first sweep runs in the background (a first start may have thousands to create). */
  start(): Promise<void> {
    this.#running = true;
    this.#sweeps.start();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#sweeps.stop();
    await this.whenIdle();
  }

  async whenIdle(): Promise<void> {
    await this.#sweeps.settled();
    await this.#work.whenIdle();
  }

  /** A call left `scheduled` (claimed, canceled, missed): an occurrence's schedule needs its next one. */
  occurrenceLeft(call: Pick<Call, 'scheduleId' | 'retryOf'>): void {
    if (!this.#running || !call.scheduleId || call.retryOf) return;
    void this.#work.track(this.#core.ensureById(call.scheduleId));
  }

  async #sweep(): Promise<void> {
    const started = this.#clock.now();
    const results = await Promise.allSettled([this.#core.sweep(), ...this.#alsoSweep.map((sweep) => sweep())]);
    for (const r of results) if (r.status === 'rejected') this.#logger.error({ err: r.reason as unknown }, 'schedule sweep failed');
    const [occurrences, retries] = results.map((r) => (r.status === 'fulfilled' ? Number(r.value) : 0));
    if (occurrences || retries) this.#logger.info({ occurrences, retries, ms: this.#clock.now() - started }, 'schedule sweep created calls');
  }
}
