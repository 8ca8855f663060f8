import type { Call } from '../calls/call.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { CallClaims, DueEntry } from '../calls/call-store.ts';
import type { DialStore } from './dial-store.ts';
import type { Leases } from '../kernel/leases.ts';
import { Capacity } from './capacity.ts';
import type { DialLimiter } from './dial-limiter.ts';
import type { DialRecovery } from './recovery.ts';
import { createDueWindow } from './due-window.ts';
import { ReadyLine } from './ready-line.ts';
import { createAlarm, periodic, TaskSet, type Alarm } from '../kernel/background.ts';

/** `maxCallsPerAccount`: the fair share's live calls per account while others wait; 0 for half the capacity, rounded up. */
export type QueueOptions = { windowSize: number; leaseMs: number; maxCallsPerAccount?: number };

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
 * The dial gate's live counts are kept by a trigger as calls change; they are counted again this often, so a count
 * gone wrong (a row changed by hand, a bug) is corrected within seconds instead of holding a channel for ever.
 */
const RECOUNT_MS = 5_000;

export type DialerDeps = {
  store: CallClaims & DialStore & Pick<Leases, 'sharedByInstances'>;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  options: QueueOptions;
  /** Calls live at once at most, and how soon a lowered limit grows back (see {@link Capacity}). */
  capacity: { maxConcurrentCalls: number; probeSeconds: number };
  limiter: Pick<DialLimiter, 'limits'>;
  recovery: DialRecovery;
  /** This instance's id: the owner of the leases its claims take. */
  owner: string;
  dispatch: Dispatch;
};

/**
 * The dialer, the durable timed queue's in-memory side. The database is the queue; this holds only a window of the
 * nearest scheduled calls and one timer set to the first of them. When a call falls due it joins the ready line, drained in due order. Each
 * claim is one transaction that checks, for every instance on the database together, the live calls against the
 * capacity and the dial rate, and leases the call to this instance: a call is dialed once, and the limits hold,
 * however many instances race for it. Recovery of dead instances' dials is {@link DialRecovery}'s.
 */
export class Dialer {
  readonly #deps: DialerDeps;
  readonly #window;
  readonly #capacity: Capacity;
  /** Due calls waiting for a channel or a dial slot, in due order. */
  readonly #ready = new ReadyLine();
  #live = 0;
  #running = false;
  /** Set to the first due call in the window. */
  readonly #due: Alarm;
  /** Set when the ready line waits for a dial slot or a channel. */
  readonly #wait: Alarm;
  readonly #resync;
  readonly #recount;
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  readonly #work: TaskSet;

  constructor(deps: DialerDeps) {
    this.#deps = deps;
    this.#capacity = new Capacity({ clock: deps.clock, logger: deps.logger, ...deps.capacity, onRaised: () => this.capacityRaised() });
    this.#window = createDueWindow(deps.options.windowSize);
    this.#work = new TaskSet(deps.logger, 'dialer work');
    this.#due = createAlarm(deps.clock, () => this.#onTimer());
    this.#wait = createAlarm(deps.clock, () => this.#pump());
    this.#resync = periodic({ clock: deps.clock, logger: deps.logger, what: 'reading the due window again', everyMs: RESYNC_MS, round: () => this.#reloadAndFire() });
    this.#recount = periodic({ clock: deps.clock, logger: deps.logger, what: 'counting live calls again', everyMs: RECOUNT_MS, round: () => this.#recountLive() });
  }

  /** Recovers what a stop or crash left behind, loads the window and arms the timer. */
  async start(): Promise<void> {
    await this.#deps.recovery.start();
    this.#live = await this.#deps.store.countLive();
    this.#running = true;
    this.#capacity.start();
    await this.#reload();
    this.#onTimer();
    if (this.#deps.store.sharedByInstances) this.#resync.start({ now: false });
    this.#recount.start({ now: false });
  }

  /** Stops timers and waits for dials and loads under way. Calls stay in the database for the next start. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#due.clear();
    this.#wait.clear();
    await this.#resync.stop();
    await this.#recount.stop();
    this.#capacity.stop();
    await this.#deps.recovery.stop();
    await this.whenIdle();
  }

  /** Resolves once no claim, dial or reload is under way (tests and shutdown wait on this). */
  async whenIdle(): Promise<void> {
    await this.#work.whenIdle();
    await this.#deps.recovery.whenIdle();
    await this.#work.whenIdle();
  }

  /** A call was scheduled (already committed), here or on another instance. */
  scheduled(entry: DueEntry): void {
    if (!this.#running) return;
    if (this.#window.offer(entry)) this.#arm();
    this.#updateGauges();
  }

  /** A call was canceled; drop it from memory (a claim would refuse it anyway). */
  canceled(id: string): void {
    this.#window.remove(id);
    this.#ready.remove(id);
    this.#updateGauges();
  }

  /** A call ended somewhere (its channel is free): recount live calls and carry on with the ready line. */
  channelFreed(): void {
    if (!this.#running) return;
    void this.#track(
      this.#deps.store.countLive().then((live) => {
        this.#live = live;
        this.#pump();
      }),
    );
  }

  /** Signals may have been missed (another instance's schedules): read the window again. */
  resync(): void {
    if (!this.#running) return;
    void this.#reloadAndFire();
  }

  async #recountLive(): Promise<void> {
    const drift = await this.#deps.store.recountLive();
    if (drift === 0) return;
    this.#deps.logger.warn({ drift }, 'the live call counts had drifted and were corrected');
    this.channelFreed();
  }

  #reloadAndFire(): Promise<void> {
    return this.#reload().then(() => this.#onTimer());
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
    const exclude = new Set(this.#ready.ids);
    return this.#track(this.#window.reload(() => this.#deps.store.nextDue(this.#deps.options.windowSize, exclude)).finally(() => this.#arm()));
  }

  #arm(): void {
    if (this.#running) this.#due.set(this.#window.first()?.dueAt ?? Infinity);
  }

  #onTimer(): void {
    this.#due.clear();
    if (!this.#running) return;
    for (const entry of this.#window.takeDue(this.#deps.clock.now())) this.#ready.add(entry);
    this.#refill();
    this.#arm();
    this.#pump();
  }

  /** Reads the next stretch of the index when the window ran dry, unless the ready line is long already. */
  #refill(): void {
    if (this.#window.size === 0 && !this.#window.complete && this.#ready.length < this.#deps.options.windowSize) {
      void this.#reloadAndFire();
    }
  }

  /** Tries the ready line again in `ms` (a dial slot frees, or a channel might have). */
  #retryIn(ms: number): void {
    if (!this.#wait.armed && this.#running) this.#wait.set(this.#deps.clock.now() + ms);
  }

  /**
   * Waits for channelFreed(). Alone on the database every end is ours to hear; with other instances a freed-channel
   * signal can be lost with its instance, so the line is also tried again every second.
   */
  #whenChannelFrees(): void {
    if (this.#deps.store.sharedByInstances) this.#retryIn(NO_CHANNEL_RETRY_MS);
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
          this.#deps.logger.error({ err }, 'claiming due calls failed; retrying in 1 s');
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
      const now = this.#deps.clock.now();
      // The database hands out the due calls that fit, fairly across accounts (usually the head of this line; with
      // other instances racing, whatever they left), as one batch under the dial gate.
      const result = await this.#deps.store.claimDue(
        () => this.#deps.clock.now(),
        { maxLive: max, perAccount: this.#deps.options.maxCallsPerAccount || Math.ceil(max / 2), ...this.#deps.limiter.limits },
        { owner: this.#deps.owner, until: now + this.#deps.options.leaseMs },
        this.#deps.store.claimBatch,
      );
      if (result.claimed.length > 0) {
        const ids = result.claimed.map((call) => call.id);
        this.#ready.removeAll(ids);
        this.#window.removeAll(ids);
        for (const call of result.claimed) {
          this.#live += 1;
          this.#deps.metrics?.dialLateness.observe(Math.max(0, (call.latenessMs ?? 0) / 1000));
          void this.#track(this.#deps.dispatch(call, 'claimed'));
        }
      } else if (result.reason === 'rate') {
        return this.#retryIn(result.waitMs);
      } else if (result.reason === 'no_channel') {
        // Another instance (or a call not yet reported ended) holds the channels, or every waiting account holds
        // its share: trust the gate's count, and wait for a channel to free either way (an ending rings us).
        this.#live = await this.#deps.store.countLive();
        return this.#whenChannelFrees();
      } else if (result.reason === 'none_due') {
        // Every due call was claimed (here, by another instance) or canceled; one another instance is claiming
        // right now and then gives up (no channel) is still in its line, and in every line at the next resync.
        this.#ready.clear();
      }
      // not_scheduled: a due call to a number that opted out was canceled; ask for the next.
      this.#refill();
    }
  }

  #track<T>(promise: Promise<T>): Promise<void> {
    return this.#work.track(promise).then(() => undefined);
  }

  #updateGauges(): void {
    this.#deps.metrics?.queueWaiting.set(this.#ready.length);
    this.#deps.metrics?.queueWindow.set(this.#window.size);
  }
}
