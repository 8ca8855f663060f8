import type { Call } from '../calls/call.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { CallClaims, CallStore, DueEntry } from '../calls/call-store.ts';
import type { DialRate } from './dial-rate.ts';
import { createDueWindow, insertSorted } from './due-window.ts';
import { OUTCOME_UNKNOWN_REASON } from '../calls/place-call.ts';

export type QueueOptions = {
  dialsPerSecond: number;
  maxConcurrentCalls: number;
  maxLatenessSeconds: number;
  windowSize: number;
  dialRetryWindowSeconds: number;
  capacityProbeSeconds: number;
};

/** Places a claimed call; `recovered` is a call found mid-dial after a restart, retried with the same command id. */
export type Dispatch = (call: Call, how: 'claimed' | 'recovered') => Promise<void>;

/**
 * The durable timed queue. The database is the queue; this holds only a window of the nearest scheduled calls and
 * one timer set to the first of them. When a call falls due it joins the ready line, which is drained in due order
 * within `dialsPerSecond` (sliding one-second window) and `maxConcurrentCalls` (counted in the database at claim
 * time, so a claim never oversteps it). Claiming is the atomic `scheduled → dialing`, so a call is dialed once even
 * with several instances or a cancel racing it.
 */
export class TimedQueue {
  readonly #store: CallStore & CallClaims;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #options: QueueOptions;
  readonly #dispatch: Dispatch;
  readonly #window;
  readonly #rate: DialRate;
  /** Due calls waiting for a channel or the rate limit, in due order. */
  #ready: DueEntry[] = [];
  #readyIds = new Set<string>();
  #live = 0;
  /**
   * Calls we let be live at once: `maxConcurrentCalls`, lowered when the carrier refuses a dial for want of a
   * channel, and raised back by one per `capacityProbeSeconds` without a refusal.
   */
  #capacity: number;
  #probeTimer: TimerHandle | undefined;
  #running = false;
  #dueTimer: TimerHandle | undefined;
  #dueTimerAt = Infinity;
  #rateTimer: TimerHandle | undefined;
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  #reloading: Promise<void> | undefined;
  /** Calls scheduled while a reload is reading the index, merged in after it. */
  #heldDuringReload: DueEntry[] | undefined;
  #work = new Set<Promise<unknown>>();

  constructor(deps: {
    store: CallStore & CallClaims;
    clock: Clock;
    logger: Logger;
    metrics?: Metrics;
    options: QueueOptions;
    /** Shared with dial retries, so both count against one limit. */
    rate: DialRate;
    dispatch: Dispatch;
  }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#metrics = deps.metrics;
    this.#options = deps.options;
    this.#dispatch = deps.dispatch;
    this.#window = createDueWindow(deps.options.windowSize);
    this.#rate = deps.rate;
    this.#capacity = deps.options.maxConcurrentCalls;
  }

  /** Recovers what a stop or crash left behind, loads the window and arms the timer. */
  async start(): Promise<void> {
    await this.#recover();
    this.#live = await this.#store.countLive();
    this.#running = true;
    await this.#reload();
    this.#onTimer();
  }

  /** Stops timers and waits for dials and loads under way. Calls stay in the database for the next start. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#dueTimer) this.#clock.clearTimeout(this.#dueTimer);
    if (this.#rateTimer) this.#clock.clearTimeout(this.#rateTimer);
    if (this.#probeTimer) this.#clock.clearTimeout(this.#probeTimer);
    this.#dueTimer = this.#rateTimer = this.#probeTimer = undefined;
    await this.whenIdle();
  }

  /** Resolves once no claim, dial or reload is under way (tests and shutdown wait on this). */
  async whenIdle(): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  /** A call was scheduled (already committed). */
  scheduled(entry: DueEntry): void {
    if (!this.#running) return;
    this.#heldDuringReload?.push(entry);
    if (this.#window.offer(entry)) this.#arm();
    this.#updateGauges();
  }

  /** A call was canceled; drop it from memory (a claim would refuse it anyway). */
  canceled(id: string): void {
    this.#window.remove(id);
    if (this.#readyIds.delete(id)) this.#ready = this.#ready.filter((e) => e.id !== id);
    this.#updateGauges();
  }

  /** A call ended somewhere (its channel is free): recount live calls and carry on with the ready line. */
  channelFreed(): void {
    if (!this.#running) return;
    void this.#track(
      this.#store.countLive().then((live) => {
        this.#live = live;
        this.#pump();
      }),
    );
  }

  /**
   * The carrier refused a dial for want of a channel: the account has fewer channels than `maxConcurrentCalls`
   * says (or another system uses some). Each refusal lowers concurrency by one, to below what was live when it
   * refused; it probes back upwards one call at a time.
   */
  channelRefused(): void {
    const before = this.#capacity;
    this.#capacity = Math.max(1, Math.min(this.#capacity - 1, this.#live - 1));
    if (this.#capacity < before) this.#logger.warn({ capacity: this.#capacity, max: this.#options.maxConcurrentCalls }, 'channel limit: concurrency lowered');
    if (this.#probeTimer) this.#clock.clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    this.#armProbe();
  }

  /** Calls allowed live at once right now (below `maxConcurrentCalls` after a channel-limit refusal). */
  get capacity(): number {
    return this.#capacity;
  }

  #armProbe(): void {
    if (!this.#running || this.#capacity >= this.#options.maxConcurrentCalls) return;
    this.#probeTimer = this.#clock.setTimeout(() => {
      this.#probeTimer = undefined;
      this.#capacity = Math.min(this.#options.maxConcurrentCalls, this.#capacity + 1);
      this.#armProbe();
      this.#pump();
    }, this.#options.capacityProbeSeconds * 1000);
  }

  /** How many due calls wait for a channel or the rate limit. */
  get waiting(): number {
    return this.#ready.length;
  }

  async #recover(): Promise<void> {
    const now = this.#clock.now();
    const lateness = this.#options.maxLatenessSeconds;
    const missed = await this.#store.markMissed(
      now - lateness * 1000,
      now,
      `fell due while the service was down, more than ${lateness} s ago`,
    );
    if (missed.length > 0) {
      this.#metrics?.callsMissed.inc(missed.length);
      this.#logger.warn({ count: missed.length }, 'calls missed while the service was down');
    }
    const stuck = (await this.#store.findStale(['dialing'], now + 1)).filter((call) => call.callControlId === null);
    for (const call of stuck) {
      const age = now - (call.claimedAt ?? 0);
      if (age <= this.#options.dialRetryWindowSeconds * 1000) {
        this.#logger.info({ callId: call.id, age }, 'retrying a dial interrupted by a restart');
        // A retried dial is a dial: it takes its slot of the dial rate like any other (DIALS_PER_SECOND holds at start).
        void this.#track(this.#rate.acquire(this.#clock).then(() => this.#redial(call)));
      } else {
        // Past the command_id window a retry could place a second call; the first may be ringing. The reconciler
        // asks the carrier (its active calls, by client_state) and settles it.
        await this.#store.update(call.id, { reason: OUTCOME_UNKNOWN_REASON }, now);
      }
    }
  }

  /**
   * A recovered dial once it has its rate slot: the wait may have carried it past the command_id window, where a
   * repeat could place a second call while the first rings; then it is left to the reconciler like an older one.
   */
  async #redial(call: Call): Promise<void> {
    const now = this.#clock.now();
    if (now - (call.claimedAt ?? 0) <= this.#options.dialRetryWindowSeconds * 1000) return this.#dispatch(call, 'recovered');
    this.#logger.warn({ callId: call.id, age: now - (call.claimedAt ?? 0) }, 'a recovered dial waited past its retry window: left to the reconciler');
    await this.#store.update(call.id, { reason: OUTCOME_UNKNOWN_REASON }, now);
  }

  #reload(): Promise<void> {
    if (this.#reloading) return this.#reloading;
    this.#heldDuringReload = [];
    const exclude = new Set(this.#readyIds);
    this.#reloading = this.#track(
      this.#store
        .nextDue(this.#options.windowSize, exclude)
        .then((entries) => {
          this.#window.load(entries);
          for (const held of this.#heldDuringReload ?? []) this.#window.offer(held);
        })
        .finally(() => {
          this.#heldDuringReload = undefined;
          this.#reloading = undefined;
          this.#arm();
        }),
    );
    return this.#reloading;
  }

  #arm(): void {
    if (!this.#running) return;
    const first = this.#window.first();
    const at = first ? first.dueAt : Infinity;
    if (at === this.#dueTimerAt && this.#dueTimer) return;
    if (this.#dueTimer) this.#clock.clearTimeout(this.#dueTimer);
    this.#dueTimer = undefined;
    this.#dueTimerAt = at;
    if (at !== Infinity) this.#dueTimer = this.#clock.setTimeout(() => this.#onTimer(), at - this.#clock.now());
  }

  #onTimer(): void {
    if (this.#dueTimer) this.#clock.clearTimeout(this.#dueTimer);
    this.#dueTimer = undefined;
    this.#dueTimerAt = Infinity;
    if (!this.#running) return;
    for (const entry of this.#window.takeDue(this.#clock.now())) {
      if (this.#readyIds.has(entry.id)) continue;
      insertSorted(this.#ready, entry);
      this.#readyIds.add(entry.id);
    }
    this.#refill();
    this.#arm();
    this.#pump();
  }

  /** Reads the next stretch of the index when the window ran dry, unless the ready line is long already. */
  #refill(): void {
    if (this.#window.size === 0 && !this.#window.complete && this.#ready.length < this.#options.windowSize) {
      void this.#reload().then(() => this.#onTimer());
    }
  }

  #pump(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = this.#track(
      this.#drain()
        .catch((err: unknown) => {
          // A claim that failed (database locked, say) must not strand the ready line: try again shortly.
          this.#logger.error({ err }, 'claiming due calls failed; retrying in 1 s');
          if (!this.#rateTimer && this.#running) {
            this.#rateTimer = this.#clock.setTimeout(() => {
              this.#rateTimer = undefined;
              this.#pump();
            }, 1000);
          }
        })
        .finally(() => {
          this.#pumping = undefined;
          this.#updateGauges();
          if (this.#pumpAgain) {
            this.#pumpAgain = false;
            this.#pump();
          }
        }),
    );
  }

  async #drain(): Promise<void> {
    const max = this.#capacity;
    while (this.#running && this.#ready.length > 0) {
      if (this.#live >= max) return; // channelFreed() resumes
      const now = this.#clock.now();
      const wait = this.#rate.waitMs(now);
      if (wait > 0) {
        if (!this.#rateTimer) {
          this.#rateTimer = this.#clock.setTimeout(() => {
            this.#rateTimer = undefined;
            this.#pump();
          }, wait);
        }
        return;
      }
      const entry = this.#ready[0] as DueEntry;
      const result = await this.#store.claim(entry.id, now, max);
      if (result.claimed) {
        this.#dequeue(entry.id);
        this.#rate.record(now);
        this.#live += 1;
        this.#metrics?.dialLateness.observe(Math.max(0, (result.claimed.latenessMs ?? 0) / 1000));
        void this.#track(this.#dispatch(result.claimed, 'claimed'));
      } else if (result.reason === 'no_channel') {
        // Another instance (or a call not yet reported ended) holds the channels: trust the database's count.
        // A channel freed between the claim and the count lets the loop try again at once.
        this.#live = await this.#store.countLive();
        if (this.#live >= max) return;
      } else {
        this.#dequeue(entry.id); // canceled, or claimed by another instance
      }
      this.#refill();
    }
  }

  #dequeue(id: string): void {
    this.#readyIds.delete(id);
    if (this.#ready[0]?.id === id) this.#ready.shift();
    else this.#ready = this.#ready.filter((e) => e.id !== id);
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.catch((err: unknown) => {
      this.#logger.error({ err }, 'timed queue work failed');
    }) as Promise<T>;
    this.#work.add(tracked);
    void tracked.finally(() => this.#work.delete(tracked));
    return tracked;
  }

  #updateGauges(): void {
    this.#metrics?.queueWaiting.set(this.#ready.length);
    this.#metrics?.queueWindow.set(this.#window.size);
  }
}
