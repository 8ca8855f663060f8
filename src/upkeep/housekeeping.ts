import { schedule, type ScheduledTask } from 'node-cron';
import { LIVE_STATUSES, type Call } from '../calls/call.ts';
import { commandId } from '../calls/command-id.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { CallStore } from '../calls/call-store.ts';
import type { Telephony } from '../calls/carrier.ts';
import type { Leases } from '../kernel/leases.ts';
import { TaskSet } from '../kernel/background.ts';

export type HousekeepingOptions = { stuckSchedule: string; stuckAfterMinutes: number; purgeSchedule: string; retentionDays: number };

/** The two housekeeping jobs, as plain functions so tests run them with a manual clock. */
export function createHousekeeping(deps: {
  store: CallStore;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  options: HousekeepingOptions;
  channelFreed: () => void;
  /** Asked about each stuck call, and told to hang up one still alive. */
  telephony: Pick<Telephony, 'callStatus' | 'hangup'>;
  /**
   * How long after its claim a call can at most be alive at the carrier: dial window + ring timeout + the
   * `time_limit_secs` every dial carries + grace. Past it the row ends whatever the carrier answers.
   */
  maxCallMs: number;
}) {
  const { store, clock, logger, options } = deps;

  /** Hangs the call up at the carrier if it is still alive there; false when the carrier could not be asked. */
  async function hangUpIfAlive(call: Call): Promise<{ reachable: boolean; hungUp: boolean }> {
    if (!call.callControlId) return { reachable: true, hungUp: false };
    try {
      const carrier = await deps.telephony.callStatus(call.callControlId);
      if (!carrier?.alive) return { reachable: true, hungUp: false };
      await deps.telephony.hangup(call.callControlId, commandId('hangup', call.id, call.attempt, 'stuck'));
      return { reachable: true, hungUp: true };
    } catch (err) {
      logger.warn({ err, callId: call.id }, 'maintenance: the carrier could not be asked about a stuck call');
      return { reachable: false, hungUp: false };
    }
  }

  return {
    /**
     * Ends calls that have heard nothing from the carrier for too long. Each is first looked up at the carrier and
     * hung up there if still alive, so a stuck row never hides a live call; one the carrier cannot be asked about
     * waits for the next run, unless it was claimed longer ago than any call can live (`maxCallMs`): then Telnyx's
     * own time limit has ended it, and keeping the row would hold a channel for ever.
     */
    async endStuck(): Promise<number> {
      const now = clock.now();
      const stale = await store.findStale(LIVE_STATUSES, now - options.stuckAfterMinutes * 60_000);
      let ended = 0;
      for (const call of stale) {
        const { reachable, hungUp } = await hangUpIfAlive(call);
        const outlived = now - (call.claimedAt ?? call.updatedAt) > deps.maxCallMs;
        if (!reachable && !outlived) continue;
        const reason =
          `no word from the carrier for ${options.stuckAfterMinutes} minutes while ${call.status.replace('_', ' ')}` +
          (hungUp ? '; hung up at the carrier' : '') +
          (reachable ? '' : '; the carrier could not be asked, and its time limit has ended the call by now');
        if (await store.transition(call.id, [call.status], 'failed', clock.now(), { reason })) ended += 1;
      }
      if (ended > 0) {
        deps.metrics?.maintenance.inc({ job: 'end-stuck' }, ended);
        deps.metrics?.callsEnded.inc({ status: 'failed' }, ended);
        deps.channelFreed();
      }
      logger.info({ job: 'end-stuck', ended }, 'maintenance: stuck calls ended');
      return ended;
    },
    /** Deletes finished calls and their timelines after the retention period. */
    async purge(): Promise<number> {
      const purged = await store.purgeFinished(clock.now() - options.retentionDays * 86_400_000);
      deps.metrics?.maintenance.inc({ job: 'purge' }, purged);
      logger.info({ job: 'purge', purged }, 'maintenance: finished calls purged');
      return purged;
    },
  };
}
export type Housekeeping = ReturnType<typeof createHousekeeping>;

/**
 * Runs the maintenance jobs on their cron schedules (node-cron, no overlap); stoppable and awaited on shutdown.
 * With `lease`, each run happens on one instance only: every instance's cron fires, the first to take the job's
 * lease (held a minute, longer than a run's spread between instances) runs it.
 */
export class HousekeepingJobs {
  readonly #maintenance: Housekeeping;
  readonly #options: HousekeepingOptions;
  readonly #logger: Logger;
  #tasks: ScheduledTask[] = [];
  readonly #running: TaskSet;
  readonly #lease: { leases: Pick<Leases, 'tryLease'>; owner: string; clock: Clock } | undefined;

  constructor(deps: { maintenance: Housekeeping; options: HousekeepingOptions; logger: Logger; lease?: { leases: Pick<Leases, 'tryLease'>; owner: string; clock: Clock } }) {
    this.#lease = deps.lease;
    this.#maintenance = deps.maintenance;
    this.#options = deps.options;
    this.#logger = deps.logger;
    this.#running = new TaskSet(deps.logger, 'housekeeping job');
  }

  start(): void {
    const run = (name: string, job: () => Promise<number>) => async () => {
      const lease = this.#lease;
      const held = lease ? () => lease.leases.tryLease(`job:${name}`, lease.owner, lease.clock.now(), lease.clock.now() + 60_000) : () => Promise.resolve(true);
      const promise = held()
        .then((mine) => (mine ? job() : 0))
        .catch((err: unknown) => this.#logger.error({ err, job: name }, 'maintenance job failed'));
      await this.#running.track(promise);
    };
    this.#tasks = [
      schedule(this.#options.stuckSchedule, run('end-stuck', () => this.#maintenance.endStuck()), { name: 'end-stuck', noOverlap: true }),
      schedule(this.#options.purgeSchedule, run('purge', () => this.#maintenance.purge()), { name: 'purge', noOverlap: true }),
    ];
  }

  async stop(): Promise<void> {
    for (const task of this.#tasks) await task.destroy();
    this.#tasks = [];
    await this.#running.whenIdle();
  }
}
