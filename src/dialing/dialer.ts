import type { Call } from '../calls/call.ts';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { CallClaims, DueEntry } from '../calls/call-store.ts';
import type { DialStore } from './dial-store.ts';
import type { Leases } from '../kernel/leases.ts';
import type { Capacity } from './capacity.ts';
import type { DialLimiter } from './dial-limiter.ts';
import type { DialRecovery } from './recovery.ts';
import { createDueWindow, insertSorted } from './due-window.ts';

export type QueueOptions = { windowSize: number; leaseMs: number };

/** Places a claimed call; `recovered` is a call found mid-dial after its instance died, retried with the same command id. */
export type Dispatch = (call: Call, how: 'claimed' | 'recovered') => Promise<void>;

/** When a claim found every channel taken, the next try, unless a freed channel (ours or a signal) comes first. */
const NO_CHANNEL_RETRY_MS = 1000;
/**
 * With other instances on the database, the window is read again this often: a signal lost with the connection
 * that carried it, or a due call whose claim another instance gave up, is picked up within this.
 */
const RESYNC_MS = 10_000;

/**
 * The durable timed queue. The database is the queue; this holds only a window of the nearest scheduled calls and
 * one timer set to the first of them. When a call falls due it joins the ready line, drained in due order. Each
 * claim is one transaction that checks, for every instance on the database together, the live calls against the
 * capacity and the dial rate, and leases the call to this instance: a call is dialed once, and the limits hold,
 * however many instances race for it. Recovery of dead instances' dials is {@link DialRecovery}'s.
 */
export class TimedQueue {
  readonly #store: CallClaims & DialStore & Pick<Leases, 'sharedByInstances'>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #options: QueueOptions;
  readonly #dispatch: Dispatch;
  readonly #capacity: Capacity;
  readonly #limiter: Pick<DialLimiter, 'limits'>;
  readonly #recovery: DialRecovery;
  readonly #owner: string;
  readonly #window;
  /** Due calls waiting for a channel or a dial slot, in due order. */
  #ready: DueEntry[] = [];
  #readyIds = new Set<string>();
  #live = 0;
  #running = false;
  #dueTimer: TimerHandle | undefined;
  #dueTimerAt = Infinity;
  #waitTimer: TimerHandle | undefined;
  #resyncTimer: TimerHandle | undefined;
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  #reloading: Promise<void> | undefined;
  /** Calls scheduled while a reload is reading the index, merged in after it. */
  #heldDuringReload: DueEntry[] | undefined;
  #work = new Set<Promise<unknown>>();

  constructor(deps: {
    store: CallClaims & DialStore & Pick<Leases, 'sharedByInstances'>;
    clock: Clock;
    logger: Logger;
    metrics?: Metrics;
    options: QueueOptions;
    capacity: Capacity;
    limiter: Pick<DialLimiter, 'limits'>;
    recovery: DialRecovery;
    /** This instance's id: the owner of the leases its claims take. */
    owner: string;
    dispatch: Dispatch;
  }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#metrics = deps.metrics;
    this.#options = deps.options;
    this.#dispatch = deps.dispatch;
    this.#capacity = deps.capacity;
    this.#limiter = deps.limiter;
    this.#recovery = deps.recovery;
    this.#owner = deps.owner;
    this.#window = createDueWindow(deps.options.windowSize);
  }

  /** Recovers what a stop or crash left behind, loads the window and arms the timer. */
  async start(): Promise<void> {
    await this.#recovery.start();
    this.#live = await this.#store.countLive();
    this.#running = true;
    this.#capacity.start();
    await this.#reload();
    this.#onTimer();
    this.#armResync();
  }

  #armResync(): void {
    if (!this.#running || !this.#store.sharedByInstances) return;
    this.#resyncTimer = this.#clock.setTimeout(() => {
      this.#resyncTimer = undefined;
      this.resync();
      this.#armResync();
    }, RESYNC_MS);
  }

  /** Stops timers and waits for dials and loads under way. Calls stay in the database for the next start. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#dueTimer) this.#clock.clearTimeout(this.#dueTimer);
    if (this.#waitTimer) this.#clock.clearTimeout(this.#waitTimer);
    if (this.#resyncTimer) this.#clock.clearTimeout(this.#resyncTimer);
    this.#dueTimer = this.#waitTimer = this.#resyncTimer = undefined;
    this.#capacity.stop();
    await this.#recovery.stop();
    await this.whenIdle();
  }

  /** Resolves once no claim, dial or reload is under way (tests and shutdown wait on this). */
  async whenIdle(): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
    await this.#recovery.whenIdle();
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  /** A call was scheduled (already committed), here or on another instance. */
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

  /** Signals may have been missed (another instance's schedules): read the window again. */
  resync(): void {
    if (!this.#running) return;
    void this.#reload().then(() => this.#onTimer());
  }

  /** The carrier refused a dial for want of a channel: see {@link Capacity.refused}. */
  channelRefused(): void {
    this.#capacity.refused(this.#live);
  }

  /** Calls allowed live at once right now (below `maxConcurrentCalls` after a channel-limit refusal). */
  get capacity(): number {
    return this.#capacity.limit;
  }

  /** How many due calls wait for a channel or the rate limit. */
  get waiting(): number {
    return this.#ready.length;
  }

  /** Capacity raised back after a refusal: try the ready line again. */
  capacityRaised(): void {
    this.#pump();
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

  /** Tries the ready line again in `ms` (a dial slot frees, or a channel might have). */
  #retryIn(ms: number): void {
    if (this.#waitTimer || !this.#running) return;
    this.#waitTimer = this.#clock.setTimeout(() => {
      this.#waitTimer = undefined;
      this.#pump();
    }, ms);
  }

  /**
   * Waits for channelFreed(). Alone on the database every end is ours to hear; with other instances a freed-channel
   * signal can be lost with its instance, so the line is also tried again every second.
   */
  #whenChannelFrees(): void {
    if (this.#store.sharedByInstances) this.#retryIn(NO_CHANNEL_RETRY_MS);
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
          // A claim that failed (database unreachable, say) must not strand the ready line: try again shortly.
          this.#logger.error({ err }, 'claiming due calls failed; retrying in 1 s');
          this.#retryIn(1000);
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
    while (this.#running && this.#ready.length > 0) {
      const max = this.#capacity.limit;
      if (this.#live >= max) return this.#whenChannelFrees();
      const now = this.#clock.now();
      // The database hands out the earliest due call nobody else is claiming: usually the head of this line, but
      // with other instances racing for the same calls each gets a different one.
      const result = await this.#store.claimNextDial(
        () => this.#clock.now(),
        { maxLive: max, ...this.#limiter.limits },
        { owner: this.#owner, until: now + this.#options.leaseMs },
      );
      if (result.claimed) {
        this.#dequeue(result.claimed.id);
        this.#window.remove(result.claimed.id);
        this.#live += 1;
        this.#metrics?.dialLateness.observe(Math.max(0, (result.claimed.latenessMs ?? 0) / 1000));
        void this.#track(this.#dispatch(result.claimed, 'claimed'));
      } else if (result.reason === 'rate') {
        return this.#retryIn(result.waitMs);
      } else if (result.reason === 'no_channel') {
        // Another instance (or a call not yet reported ended) holds the channels: trust the database's count.
        // A channel freed between the claim and the count lets the loop try again at once.
        this.#live = await this.#store.countLive();
        if (this.#live >= max) return this.#whenChannelFrees();
      } else if (result.reason === 'none_due') {
        // Every due call was claimed (here, by another instance) or canceled; one another instance is claiming
        // right now and then gives up (no channel) is still in its line, and in every line at the next resync.
        this.#ready = [];
        this.#readyIds.clear();
      }
      // not_scheduled: a due call to a number that opted out was canceled; ask for the next.
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
