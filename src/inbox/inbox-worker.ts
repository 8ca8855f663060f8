import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { Leases } from '../kernel/leases.ts';
import type { InboxEvent, WebhookInbox } from './inbox-store.ts';
import type { CarrierNotice } from '../calls/carrier-event.ts';
import type { EventHandler } from '../calls/handle-event.ts';
import { inboxKey, type InboxByCall } from './inbox-store.ts';

const PAGE = 100;
const SWEEP_PAGE = 1000;
/** Work waiting for a call's lease held by another instance asks again after this. */
const LEASE_WAIT_MS = 200;

/** Per chain key: events may be waiting in the inbox (`dirty`), and work to run on the chain. */
type Chain = { dirty: boolean; work: (() => Promise<void>)[]; running: Promise<void> | undefined };

export type EventWorkerOptions = {
  /** How long a call's lease holds without renewal (renewed every third of it while this instance applies). */
  leaseMs: number;
  /** How often the inbox is swept for events nobody is applying (another instance died holding them). */
  sweepMs: number;
  /**
   * Calls applied side by side at most: each holds database round trips, and hundreds at once only queue for the
   * pool's connections (ahead of the webhook route's inserts) without applying anything sooner.
   */
  parallel: number;
};

/**
 * Applies stored webhook events in the background: one chain per call, calls side by side so a slow carrier command
 * on one call does not hold up another. A chain first takes the call's lease in the database (`inbox:<key>`), so
 * whichever instance received a webhook, one instance at a time applies that call's events; it then reads them from
 * the inbox in `occurred_at` order, applies them, releases the lease, and looks once more (an event another
 * instance stored while the lease was held is this chain's to apply). The webhook handler's {@link accept} is only
 * a wake-up; the inbox is swept at start and, on a shared database, every `sweepMs` for events a dead instance left.
 * An event is marked applied only after its effects, so a crash means it is applied again (effects are idempotent).
 * `read` (the Telnyx adapter) turns each stored event into our {@link CarrierNotice}. Emits `applied` with
 * `(event, outcome)` after each event, `failed` with `(event, err)`.
 */
export class EventWorker extends EventEmitter {
  readonly #store: Pick<WebhookInbox, 'pendingInbox' | 'markApplied'> & InboxByCall & Leases;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #handle: EventHandler;
  readonly #read: (event: InboxEvent) => CarrierNotice;
  readonly #owner: string;
  readonly #options: EventWorkerOptions;
  #running = false;
  #chains = new Map<string, Chain>();
  /** Keys whose lease this instance holds now (renewed by the timer). */
  #held = new Set<string>();
  #timer: TimerHandle | undefined;
  #sweeping: Promise<void> | undefined;
  #active = 0;
  #turns: (() => void)[] = [];

  constructor(deps: {
    store: Pick<WebhookInbox, 'pendingInbox' | 'markApplied'> & InboxByCall & Leases;
    clock: Clock;
    logger: Logger;
    metrics?: Metrics;
    handle: EventHandler;
    /** Reads a stored carrier event into the domain's terms (the carrier adapter's reader). */
    read: (event: InboxEvent) => CarrierNotice;
    /** This instance's id: the owner of the leases it takes (one process alone on its store may leave it out). */
    owner?: string;
    options?: Partial<EventWorkerOptions>;
  }) {
    super();
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#metrics = deps.metrics;
    this.#handle = deps.handle;
    this.#read = deps.read;
    this.#owner = deps.owner ?? 'this-process';
    this.#options = { leaseMs: 10_000, sweepMs: 3_000, parallel: 8, ...deps.options };
  }

  /** Starts, and applies what an earlier run (or a dead instance) left unapplied. */
  start(): void {
    this.#running = true;
    this.#sweep(true);
  }

  /** Stops taking events (those already stored wait in the inbox) and lets chains finish. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.whenIdle();
  }

  /** A newly stored event: wake its call's chain. */
  accept(event: Pick<InboxEvent, 'callId' | 'callControlId' | 'eventId'>): void {
    this.#wake(inboxKey(event));
  }

  #wake(key: string): void {
    if (!this.#running) return;
    this.#chain(key).dirty = true;
    this.#startChain(key);
  }

  /**
   * Runs `work` on the call's chain, under its lease, after the events stored before it, so it never overlaps their
   * effects on any instance (the reconciler's nudge and a greeting's end would both speak the first words).
   */
  serialise<T>(callId: string, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const chain = this.#chain(callId);
      chain.dirty = true;
      chain.work.push(() => work().then(resolve, reject));
      this.#startChain(callId);
    });
  }

  async whenIdle(): Promise<void> {
    while (this.#sweeping || this.#chains.size > 0) {
      await Promise.allSettled([this.#sweeping, ...[...this.#chains.values()].map((c) => c.running)]);
    }
  }

  #chain(key: string): Chain {
    let chain = this.#chains.get(key);
    if (!chain) {
      chain = { dirty: false, work: [], running: undefined };
      this.#chains.set(key, chain);
    }
    return chain;
  }

  #startChain(key: string): void {
    const chain = this.#chain(key);
    chain.running ??= this.#run(key, chain).finally(() => {
      chain.running = undefined;
      if (chain.work.length > 0 || (chain.dirty && this.#running)) this.#startChain(key);
      else this.#chains.delete(key);
    });
  }

  /**
   * Renews held leases and wakes the chains of calls with events nobody applies: at start every unapplied one, then
   * every `sweepMs` those stored before the last sweep (a live instance applies its own within milliseconds).
   */
  #sweep(first = false): void {
    this.#sweeping = (async () => {
      // One process per SQLite file: what an earlier run leased is a dead process's.
      if (first && !this.#store.sharedByInstances) await this.#store.expireAllLeases();
      if (this.#held.size > 0) await this.#store.renewLeases(this.#owner, [...this.#held], this.#clock.now() + this.#options.leaseMs);
      if (!first) {
        for (const key of await this.#store.staleInboxKeys(this.#clock.now() - this.#options.sweepMs, SWEEP_PAGE)) this.#wake(key);
        return;
      }
      let after: InboxEvent | undefined;
      for (;;) {
        const page = await this.#store.pendingInbox(SWEEP_PAGE, after);
        for (const event of page) this.accept(event);
        after = page[page.length - 1];
        if (page.length < SWEEP_PAGE || !this.#running) return;
      }
    })()
      .catch((err: unknown) => this.#logger.error({ err }, 'reading unapplied events failed'))
      .finally(() => {
        this.#sweeping = undefined;
        // Alone on its store (SQLite) nobody else can leave events behind: the sweep at start is enough.
        if (this.#running && this.#store.sharedByInstances) this.#timer = this.#clock.setTimeout(() => this.#sweep(), Math.min(this.#options.sweepMs, this.#options.leaseMs / 3));
      });
  }

  async #run(key: string, chain: Chain): Promise<void> {
    // Let the caller (the webhook handler) answer first; the chain starts on a later turn.
    await Promise.resolve();
    if (this.#active >= this.#options.parallel) await new Promise<void>((resolve) => this.#turns.push(resolve));
    else this.#active++;
    try {
      await this.#pass(key, chain);
    } finally {
      // Hands its turn straight to a waiting chain, or frees it.
      const next = this.#turns.shift();
      if (next) next();
      else this.#active--;
    }
  }

  async #pass(key: string, chain: Chain): Promise<void> {
    const lease = `inbox:${key}`;
    // One process alone on its database (SQLite): the chain itself keeps a call's events in order, and every new
    // event comes through accept(); the lease and the look after releasing it would be three writes per pass for nothing.
    const shared = this.#store.sharedByInstances;
    while (chain.work.length > 0 || (chain.dirty && this.#running)) {
      let leased = !shared;
      if (shared) {
        try {
          leased = await this.#store.tryLease(lease, this.#owner, this.#clock.now(), this.#clock.now() + this.#options.leaseMs);
        } catch (err) {
          this.#logger.error({ err, key }, 'taking a call lease failed; the sweep tries again');
        }
      }
      if (!leased) {
        // Another instance applies this call's events; it looks at the inbox again after releasing. Work waits.
        chain.dirty = false;
        if (chain.work.length === 0 || !this.#running) {
          for (const work of chain.work.splice(0)) await work();
          return;
        }
        await this.#clock.sleep(LEASE_WAIT_MS);
        continue;
      }
      if (shared) this.#held.add(key);
      try {
        if (chain.dirty && this.#running) {
          chain.dirty = false;
          await this.#applyPending(key);
        }
        const work = chain.work.shift();
        // Work runs even when stopping: its caller awaits it (stop waits for the chains).
        if (work) await work();
      } finally {
        this.#held.delete(key);
        if (shared) await this.#store.releaseLease(lease, this.#owner).catch((err: unknown) => this.#logger.error({ err, key }, 'releasing a call lease failed'));
      }
      // An event stored by an instance that found the lease taken is ours to apply now.
      if (shared && this.#running && !chain.dirty) {
        chain.dirty = (await this.#store.pendingInboxFor(key, 1).catch(() => [])).length > 0;
      }
    }
  }

  /** Applies the key's unapplied events in order; one that fails is left for the next sweep, the rest go on. */
  async #applyPending(key: string): Promise<void> {
    const failed = new Set<string>();
    for (;;) {
      const page = (await this.#store.pendingInboxFor(key, PAGE + failed.size)).filter((e) => !failed.has(e.eventId));
      for (const event of page) {
        if (!this.#running) return;
        if (!(await this.#apply(event))) failed.add(event.eventId);
      }
      if (page.length < PAGE) return;
    }
  }

  async #apply(event: InboxEvent): Promise<boolean> {
    let outcome: string;
    let name: string;
    try {
      const notice = this.#read(event);
      name = notice.name;
      outcome = await this.#handle(notice);
    } catch (err) {
      // Carrier errors are handled inside; what reaches here is the store failing. Leave the event unapplied in the
      // inbox for the next sweep, and let the chain go on rather than stall the call.
      this.#logger.error({ err, eventId: event.eventId }, 'applying an event failed; left for the next sweep');
      this.emit('failed', event, err);
      return false;
    }
    const now = this.#clock.now();
    try {
      await this.#store.markApplied(event.eventId, now, outcome);
    } catch (err) {
      // Left unapplied in the inbox: the next sweep applies it again, harmlessly.
      this.#logger.error({ err, eventId: event.eventId }, 'marking an event applied failed');
    }
    this.#metrics?.webhookApplyLag.observe(Math.max(0, now - event.receivedAt) / 1000);
    this.#logger.debug({ eventId: event.eventId, event: name, callId: event.callId, outcome }, 'event applied');
    this.emit('applied', event, outcome);
    return true;
  }
}
