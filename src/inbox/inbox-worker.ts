import { EventEmitter } from 'node:events';
import type { CarrierNotice } from '../calls/carrier-event.ts';
import type { EventHandler } from '../calls/handle-event.ts';
import { periodic, type Periodic } from '../kernel/background.ts';
import type { Clock } from '../kernel/clock.ts';
import { KeyedChains, type Chain } from '../kernel/keyed-chains.ts';
import type { Leases } from '../kernel/leases.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { inboxKey, type InboxByCall, type InboxEvent, type InboxLocks, type WebhookInbox } from './inbox-store.ts';
import { createTurnBatch, createWriteBatch } from '../kernel/turn-batch.ts';

const PAGE = 100;
const SWEEP_PAGE = 1000;
/** Events applied between two yields to the event loop: SQLite's statements are synchronous, so a chain of them never lets a request in otherwise. */
const EVENTS_PER_TURN = 16;
/** Work waiting for a call's lock held by another instance asks again after this. */
const LOCK_WAIT_MS = 200;

export type InboxWorkerOptions = {
  /** How often the inbox is swept for events nobody is applying (another instance died holding them). */
  sweepMs: number;
  /**
   * Calls applied side by side at most (default: 32 alone on the store, 8 on a shared one). Their timeline rows, marks,
   * locks and reads go in one statement per event-loop turn, so this also bounds those batches: with 8, the SQLite
   * worker fell behind the webhook-ingest load once each row waited for a turn's batch. On PostgreSQL the handler's
   * other statements (a call's transition, the flow's reads) still take a pool connection each, and more chains
   * would only queue them for the pool ahead of the scheduling route's, without applying anything sooner.
   */
  parallel: number;
};

type InboxWorkerStore = Pick<WebhookInbox, 'pendingInbox' | 'markAppliedMany'> & InboxByCall & InboxLocks & Pick<Leases, 'sharedByInstances'>;
type Mark = { event: InboxEvent; outcome: string; name: string };

/**
 * Applies stored webhook events in the background: one chain per call ({@link KeyedChains}), so a slow carrier
 * command on one call does not hold up another. On a database shared by instances a chain first takes the call's
 * lock ({@link InboxLocks}: a session advisory lock on PostgreSQL, no write), so whichever instance received a
 * webhook, one instance at a time applies that call's events; it then reads them from the inbox in `occurred_at`
 * order, applies them, gives the lock back, and looks once more (an event another instance stored while the lock was
 * held is this chain's to apply). A lock rather than a database transaction held over the call's events: applying
 * one may send the carrier a command (speak, gather, hang up), which must not run inside an open transaction. {@link accept} is only a
 * wake-up; the inbox is swept at start and, on a shared database, every `sweepMs` for events a dead instance left.
 * An event is marked applied only after its effects, so a crash means it is applied again (effects are idempotent);
 * the marks of the events applied in one event-loop turn are written in one update ({@link #flushMarks}), and on a
 * shared database before the call's lock is given back, so another instance never reads an applied event as pending.
 * On a shared database the chains' locks and pending reads are coalesced per turn too ({@link createTurnBatch}),
 * and so are the handler's call reads and timeline rows (in compose/inbox.ts).
 * A chain yields to the event loop every few events, so the webhook route's requests get in between.
 * `read` (the carrier adapter's codec) turns each stored event into our {@link CarrierNotice}. Emits `applied` with
 * `(event, outcome)` after each event, `failed` with `(event, err)`.
 */
export class InboxWorker extends EventEmitter {
  readonly #store: InboxWorkerStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #handle: EventHandler;
  readonly #read: (event: InboxEvent) => CarrierNotice;
  readonly #owner: string;
  readonly #options: InboxWorkerOptions;
  readonly #chains: KeyedChains;
  readonly #sweeps: Periodic;
  #running = false;
  #firstSweep: Promise<void> | undefined;
  /** Applied events whose marks wait for the next batched update (read-backs skip them meanwhile). */
  #marks: Mark[] = [];
  #marking = new Set<string>();
  #flushing: Promise<void> | undefined;
  #appliedThisTurn = 0;
  /**
   * On a shared database the chains' locks, give-backs and reads of their pending events, each coalesced into one
   * round trip per event-loop turn ({@link createTurnBatch}): 32 chains cost one statement each, not 32. Alone on
   * its store (SQLite) the reads go straight to it: they take microseconds and a batch would only add a turn.
   */
  readonly #lock: (key: string) => Promise<boolean>;
  readonly #unlock: (key: string) => Promise<void>;
  readonly #readPending: (ask: { key: string; limit: number }) => Promise<InboxEvent[]>;

  constructor(deps: {
    store: InboxWorkerStore;
    clock: Clock;
    logger: Logger;
    metrics?: Metrics;
    handle: EventHandler;
    /** Reads a stored carrier event into the domain's terms (the carrier adapter's codec). */
    read: (event: InboxEvent) => CarrierNotice;
    /** This instance's id, for its logs (one process alone on its store may leave it out). */
    owner?: string;
    options?: Partial<InboxWorkerOptions>;
  }) {
    super();
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#metrics = deps.metrics;
    this.#handle = deps.handle;
    this.#read = deps.read;
    const store = deps.store;
    this.#lock = createTurnBatch(async (keys: readonly string[]) => {
      const taken = await store.tryLockInbox(keys);
      return keys.map((k) => taken.has(k));
    });
    this.#unlock = createWriteBatch((keys: readonly string[]) => store.unlockInbox(keys));
    this.#readPending = store.sharedByInstances
      ? createTurnBatch(async (asks: readonly { key: string; limit: number }[]) => {
          const byKey = new Map<string, InboxEvent[]>();
          for (const event of await store.pendingInboxForKeys(
            asks.map((a) => a.key),
            Math.max(...asks.map((a) => a.limit)),
          )) {
            const key = inboxKey(event);
            byKey.set(key, [...(byKey.get(key) ?? []), event]);
          }
          return asks.map((a) => (byKey.get(a.key) ?? []).slice(0, a.limit));
        })
      : ({ key, limit }) => store.pendingInboxFor(key, limit);
    this.#owner = deps.owner ?? 'this-process';
    this.#options = { sweepMs: 3_000, parallel: deps.store.sharedByInstances ? 8 : 32, ...deps.options };
    this.#chains = new KeyedChains({
      parallel: this.#options.parallel,
      pass: (key, chain) => this.#pass(key, chain),
      again: (chain) => chain.work.length > 0 || (chain.dirty && this.#running),
    });
    this.#sweeps = periodic({
      clock: deps.clock,
      logger: deps.logger,
      what: 'reading unapplied events',
      everyMs: this.#options.sweepMs,
      round: () => this.#sweep(),
    });
  }

  /** Starts, and applies what an earlier run (or a dead instance) left unapplied. */
  start(): void {
    this.#running = true;
    this.#firstSweep = this.#sweepAll()
      .catch((err: unknown) => this.#logger.error({ err }, 'reading unapplied events failed'))
      .finally(() => {
        this.#firstSweep = undefined;
        // Alone on its store (SQLite) nobody else can leave events behind: the sweep at start is enough.
        if (this.#running && this.#store.sharedByInstances) this.#sweeps.start({ now: false });
      });
  }

  /** Stops taking events (those already stored wait in the inbox) and lets chains finish. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#sweeps.stop();
    await this.whenIdle();
  }

  /** A newly stored event: wake its call's chain. */
  accept(event: Pick<InboxEvent, 'callId' | 'callControlId' | 'eventId'>): void {
    if (this.#running) this.#chains.wake(inboxKey(event));
  }

  /**
   * Runs `work` on the call's chain, under its lock, after the events stored before it, so it never overlaps their
   * effects on any instance (the reconciler's nudge and a greeting's end would both speak the first words).
   */
  serialise<T>(callId: string, work: () => Promise<T>): Promise<T> {
    return this.#chains.run(callId, work);
  }

  /** Resolves once no chain runs, no sweep is under way (a sweep may wake chains: they are waited for too) and every mark is written. */
  async whenIdle(): Promise<void> {
    do {
      await this.#chains.whenIdle(() => this.#firstSweep);
      await this.#sweeps.settled();
      await this.#flushMarks();
    } while (this.#chains.size > 0 || this.#firstSweep || this.#marks.length > 0);
  }

  /**
   * Writes the marks of the events applied so far in one update, then reports them (`applied`, the lag metric). A
   * failed write leaves them unapplied in the inbox: the next read or sweep applies them again, harmlessly.
   */
  #flushMarks(): Promise<void> {
    this.#flushing ??= (async () => {
      // Let every chain of this turn add its marks first.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.#marks.length > 0) {
        const marks = this.#marks.splice(0);
        const now = this.#clock.now();
        try {
          await this.#store.markAppliedMany(
            marks.map((m) => ({ eventId: m.event.eventId, outcome: m.outcome })),
            now,
          );
        } catch (err) {
          this.#logger.error({ err, events: marks.length }, 'marking events applied failed; they are applied again later');
          for (const m of marks) this.#marking.delete(m.event.eventId);
          continue;
        }
        for (const { event, outcome, name } of marks) {
          this.#marking.delete(event.eventId);
          this.#metrics?.webhookApplyLag.observe(Math.max(0, now - event.receivedAt) / 1000);
          this.#logger.debug({ eventId: event.eventId, event: name, callId: event.callId, outcome }, 'event applied');
          this.emit('applied', event, outcome);
        }
      }
    })().finally(() => {
      this.#flushing = undefined;
      // A mark added after the loop's last look is not left waiting for the next event.
      if (this.#marks.length > 0) void this.#flushMarks();
    });
    return this.#flushing;
  }

  /** The key's unapplied events, less those applied here whose marks are not written yet. */
  async #pendingFor(key: string, limit: number): Promise<{ events: InboxEvent[]; full: boolean }> {
    const read = await this.#readPending({ key, limit });
    return { events: read.filter((e) => !this.#marking.has(e.eventId)), full: read.length === limit };
  }

  /** Every unapplied event, at start. */
  async #sweepAll(): Promise<void> {
    let after: InboxEvent | undefined;
    for (;;) {
      const page = await this.#store.pendingInbox(SWEEP_PAGE, after);
      for (const event of page) this.accept(event);
      after = page[page.length - 1];
      if (page.length < SWEEP_PAGE || !this.#running) return;
    }
  }

  /** Wakes the chains of calls whose events nobody applied since the last sweep. */
  async #sweep(): Promise<void> {
    const stale = await this.#store.staleInboxKeys(this.#clock.now() - this.#options.sweepMs, SWEEP_PAGE);
    for (const key of stale) if (this.#running) this.#chains.wake(key);
  }

  async #pass(key: string, chain: Chain): Promise<void> {
    // One process alone on its database (SQLite): the chain itself keeps a call's events in order, and every new
    // event comes through accept(); the lock and the look after giving it back would be round trips for nothing.
    const shared = this.#store.sharedByInstances;
    while (chain.work.length > 0 || (chain.dirty && this.#running)) {
      let locked = !shared;
      if (shared) {
        try {
          locked = await this.#lock(key);
        } catch (err) {
          this.#logger.error({ err, key, owner: this.#owner }, 'taking a call lock failed; the sweep tries again');
        }
      }
      if (!locked) {
        // Another instance applies this call's events; it looks at the inbox again after giving the lock back. Work waits.
        chain.dirty = false;
        if (chain.work.length === 0 || !this.#running) {
          for (const work of chain.work.splice(0)) await work();
          return;
        }
        await this.#clock.sleep(LOCK_WAIT_MS);
        continue;
      }
      try {
        if (chain.dirty && this.#running) {
          chain.dirty = false;
          await this.#applyPending(key);
        }
        const work = chain.work.shift();
        // Work runs even when stopping: its caller awaits it (stop waits for the chains).
        if (work) await work();
      } finally {
        if (shared) {
          // Marks first: the next holder of the lock must not read this pass's events as pending.
          await this.#flushMarks();
          await this.#unlock(key).catch((err: unknown) => this.#logger.error({ err, key, owner: this.#owner }, 'giving back a call lock failed'));
        }
      }
      // An event stored by an instance that found the lock taken is ours to apply now.
      if (shared && this.#running && !chain.dirty) {
        chain.dirty = (await this.#pendingFor(key, PAGE).catch(() => ({ events: [] }))).events.length > 0;
      }
    }
  }

  /** Applies the key's unapplied events in order; one that fails is left for the next sweep, the rest go on. */
  async #applyPending(key: string): Promise<void> {
    const failed = new Set<string>();
    for (;;) {
      const { events, full } = await this.#pendingFor(key, PAGE + failed.size);
      for (const event of events.filter((e) => !failed.has(e.eventId))) {
        if (!this.#running) return;
        if (!(await this.#apply(event))) failed.add(event.eventId);
        // A yield every few events (and so between pages): SQLite's statements never give the event loop back.
        if (++this.#appliedThisTurn >= EVENTS_PER_TURN) {
          this.#appliedThisTurn = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      if (!full) return;
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
    this.#marking.add(event.eventId);
    this.#marks.push({ event, outcome, name });
    void this.#flushMarks();
    return true;
  }
}
