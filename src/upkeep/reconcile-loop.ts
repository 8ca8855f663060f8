import { periodic, type Periodic } from '../kernel/background.ts';
import type { Clock } from '../kernel/clock.ts';
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
  readonly #intervalMs: number;
  readonly #lease: { leases: Pick<Leases, 'tryLease'>; owner: string } | undefined;
  readonly #loop: Periodic;

  constructor(deps: { reconciler: Reconciler; clock: Clock; logger: Logger; intervalMs: number; lease?: { leases: Pick<Leases, 'tryLease'>; owner: string } }) {
    this.#lease = deps.lease;
    this.#reconciler = deps.reconciler;
    this.#clock = deps.clock;
    this.#intervalMs = deps.intervalMs;
    this.#loop = periodic({ clock: deps.clock, logger: deps.logger, what: 'reconciling calls with the carrier', everyMs: deps.intervalMs, round: () => this.#round() });
  }

  /** Starts with a round at once: what a crash left live is checked before anything else waits on it. */
  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** Runs one round now (unless one is under way) and resolves when it is done; tests use it with a manual clock. */
  runNow(): Promise<void> {
    return this.#loop.runNow();
  }

  async #holdsLease(): Promise<boolean> {
    if (!this.#lease) return true;
    const now = this.#clock.now();
    return this.#lease.leases.tryLease(RECONCILE_LEASE, this.#lease.owner, now, now + 3 * this.#intervalMs);
  }

  /** One round; calls seen ended at the carrier but live here bring the next round forward to just past their grace. */
  async #round(): Promise<number | undefined> {
    if (!(await this.#holdsLease())) return undefined;
    const report = await this.#reconciler.reconcile();
    return report.pendingEnds > 0 ? ENDED_SLACK_MS + 100 : undefined;
  }
}
