import type { Call } from '../calls/call.ts';
import { OUTCOME_UNKNOWN_REASON } from '../calls/reasons.ts';
import { periodic, TaskSet, type Periodic } from '../kernel/background.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { CallClaims, CallStore } from '../calls/call-store.ts';
import type { Leases } from '../kernel/leases.ts';
import type { DialStore } from './dial-store.ts';
import type { DialLimiter } from './dial-limiter.ts';

/**
 * What to do with a dial found in flight without its instance (a crash, `kill -9`): inside the carrier's command_id
 * window it is sent again with the same command id (a repeat of one command, never a second call); past it a
 * repeat could place a second call while the first rings, so it is left to the reconciler ("outcome unknown"),
 * which asks the carrier.
 */
export function recoveryOf(call: Pick<Call, 'claimedAt'>, now: number, dialWindowMs: number): 'redial' | 'outcome_unknown' {
  return now - (call.claimedAt ?? 0) <= dialWindowMs ? 'redial' : 'outcome_unknown';
}

const TAKE_OVER_PAGE = 100;
/** How long a dial's lease holds without renewal: an instance dead this long has its dials taken over. */
export const DIAL_LEASE_MS = 10_000;

export type DialRecoveryDeps = {
  store: Pick<CallStore, 'update'> & Pick<CallClaims, 'markMissed'> & Pick<DialStore, 'renewDialLeases' | 'takeOverDials'> & Pick<Leases, 'sharedByInstances' | 'expireAllLeases'>;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** This instance's id: the owner its leases carry. */
  owner: string;
  limiter: Pick<DialLimiter, 'acquire'>;
  dispatch: (call: Call, how: 'recovered') => Promise<void>;
  /** Ids of the calls this instance's placer is dialing now. */
  dialing: () => Iterable<string>;
  options: { leaseMs: number; dialWindowMs: number; maxLatenessSeconds: number };
};

/**
 * Leases on in-flight dials. A claimed call is leased to its instance until `leaseMs` on; this renews the leases of
 * the dials this instance is working on, and takes over (at start, then on a shared database every `leaseMs / 5`) the dials whose lease
 * expired: their instance died between claim and answer. Each is redialed with the same command id inside the
 * command_id window, after taking its dial slot, or left to the reconciler past it. Missed calls are ended at start.
 */
export class DialRecovery {
  readonly #deps: DialRecoveryDeps;
  /** Taken-over dials waiting for their slot or being dialed (their leases are renewed too). */
  #held = new Set<string>();
  #running = false;
  readonly #rounds: Periodic;
  readonly #work: TaskSet;

  constructor(deps: DialRecoveryDeps) {
    this.#deps = deps;
    this.#work = new TaskSet(deps.logger, 'a recovered dial');
    this.#rounds = periodic({
      clock: deps.clock,
      logger: deps.logger,
      what: 'renewing or taking over dial leases',
      everyMs: deps.options.leaseMs / 5,
      round: () => this.#renewAndTakeOver(),
    });
  }

  async start(): Promise<void> {
    const { store, clock, logger, metrics, options } = this.#deps;
    // One process per SQLite file: what an earlier run leased is a dead process's, taken over now, not in leaseMs.
    if (!store.sharedByInstances) await store.expireAllLeases();
    const now = clock.now();
    const lateness = options.maxLatenessSeconds;
    const missed = await store.markMissed(now - lateness * 1000, now, `fell due while the service was down, more than ${lateness} s ago`);
    if (missed.length > 0) {
      metrics?.callsMissed.inc(missed.length);
      logger.warn({ count: missed.length }, 'calls missed while the service was down');
    }
    this.#running = true;
    // The round at start is awaited; alone on its store (SQLite) every lease is this process's, so it is enough.
    await this.#renewAndTakeOver().catch((err: unknown) => logger.error({ err }, 'renewing or taking over dial leases failed'));
    if (store.sharedByInstances) this.#rounds.start({ now: false });
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#rounds.stop();
    await this.whenIdle();
  }

  /** Resolves once no renewal, take-over or recovered dial is under way. */
  async whenIdle(): Promise<void> {
    await this.#rounds.settled();
    await this.#work.whenIdle();
  }

  async #renewAndTakeOver(): Promise<void> {
    const { store, clock, owner, options } = this.#deps;
    const mine = [...new Set([...this.#deps.dialing(), ...this.#held])];
    if (mine.length > 0) await store.renewDialLeases(owner, mine, clock.now() + options.leaseMs);
    if (!this.#running) return;
    for (;;) {
      const now = clock.now();
      const taken = await store.takeOverDials(now, { owner, until: now + options.leaseMs }, TAKE_OVER_PAGE);
      for (const call of taken) await this.#recover(call, now);
      if (taken.length < TAKE_OVER_PAGE) return;
    }
  }

  async #recover(call: Call, now: number): Promise<void> {
    const { store, logger, options } = this.#deps;
    // Our own dial, its lease renewed late (a stalled event loop): still ours, still under way.
    if (this.#held.has(call.id) || [...this.#deps.dialing()].includes(call.id)) return;
    if (recoveryOf(call, now, options.dialWindowMs) === 'outcome_unknown') {
      // Past the command_id window a retry could place a second call; the reconciler asks the carrier.
      await store.update(call.id, { reason: OUTCOME_UNKNOWN_REASON }, now);
      return;
    }
    logger.info({ callId: call.id, age: now - (call.claimedAt ?? 0) }, 'taking over a dial its instance left unfinished');
    this.#held.add(call.id);
    void this.#work.track(this.#redial(call).finally(() => this.#held.delete(call.id)));
  }

  /** A taken-over dial once it has its rate slot: the wait may have carried it past the window (then as above). */
  async #redial(call: Call): Promise<void> {
    const { clock, logger, store, options } = this.#deps;
    try {
      // A retried dial is a dial: it takes its slot of the dial rate like any other.
      await this.#deps.limiter.acquire();
      const now = clock.now();
      if (recoveryOf(call, now, options.dialWindowMs) === 'redial') return await this.#deps.dispatch(call, 'recovered');
      logger.warn({ callId: call.id, age: now - (call.claimedAt ?? 0) }, 'a recovered dial waited past its retry window: left to the reconciler');
      await store.update(call.id, { reason: OUTCOME_UNKNOWN_REASON }, now);
    } catch (err) {
      logger.error({ err, callId: call.id }, 'a recovered dial failed');
    }
  }
}
