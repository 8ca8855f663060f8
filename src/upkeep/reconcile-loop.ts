import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Leases } from '../kernel/leases.ts';
import { ENDED_SLACK_MS, type Reconciler } from './reconciler.ts';

/** The job lease the reconciling instance holds: one instance at a time asks the carrier, ends and nudges calls. */
export const RECONCILE_LEASE = 'job:reconcile';

/**
 * Runs the reconciler at start and then every `intervalMs` on the injected clock (the next round is armed when the
 * previous one ends, so rounds never overlap). When a round saw calls ended at the carrier that are still live
 * here, the next round comes as soon as their grace is over, so their channels are freed in seconds whatever the
 * interval. With `lease`, a round runs only on the instance holding the reconcile lease (renewed by each round; an
 * instance that dies loses it after three intervals), so several instances never end, nudge or hang up a call
 * twice. Stoppable; `stop` awaits the round under way.
 */
export class ReconcileLoop {
  readonly #reconciler: Reconciler;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #timer: TimerHandle | undefined;
  #round: Promise<void> | undefined;
  #running = false;
  readonly #lease: { leases: Pick<Leases, 'tryLease'>; owner: string } | undefined;

  constructor(deps: { reconciler: Reconciler; clock: Clock; logger: Logger; intervalMs: number; lease?: { leases: Pick<Leases, 'tryLease'>; owner: string } }) {
    this.#lease = deps.lease;
    this.#reconciler = deps.reconciler;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#intervalMs = deps.intervalMs;
  }

  /** Starts with a round at once: what a crash left live is checked before anything else waits on it. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  /** Runs one round now (unless one is under way) and resolves when it is done; tests use it with a manual clock. */
  async runNow(): Promise<void> {
    if (!this.#round) this.#run();
    await this.#round;
  }

  async #holdsLease(): Promise<boolean> {
    if (!this.#lease) return true;
    const now = this.#clock.now();
    return this.#lease.leases.tryLease(RECONCILE_LEASE, this.#lease.owner, now, now + 3 * this.#intervalMs);
  }

  #run(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    let next = this.#intervalMs;
    this.#round = this.#holdsLease()
      .then((held) => (held ? this.#reconciler.reconcile() : { pendingEnds: 0 }))
      .then(
        (report) => {
          if (report.pendingEnds > 0) next = Math.min(next, ENDED_SLACK_MS + 100);
        },
        (err: unknown) => this.#logger.error({ err }, 'reconciling calls with the carrier failed'),
      )
      .finally(() => {
        this.#round = undefined;
        if (this.#running) this.#timer = this.#clock.setTimeout(() => this.#run(), next);
      });
  }
}
