import { createAlarm, type Alarm } from '../kernel/background.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';

/**
 * How many calls this instance lets be live at once: `maxConcurrentCalls`, lowered when the carrier refuses a dial
 * for want of a channel (the account has fewer channels than configured, or another system uses some), and raised
 * back by one per `probeSeconds` without a refusal. The live count itself is the database's, checked by each claim.
 */
export class Capacity {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #max: number;
  readonly #probeMs: number;
  readonly #onRaised: () => void;
  /** Raises the limit by one a probe period after the last refusal or raise. */
  readonly #probe: Alarm;
  #limit: number;
  #running = false;

  constructor(deps: { clock: Clock; logger: Logger; maxConcurrentCalls: number; probeSeconds: number; onRaised: () => void }) {
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#max = deps.maxConcurrentCalls;
    this.#probeMs = deps.probeSeconds * 1000;
    this.#onRaised = deps.onRaised;
    this.#limit = deps.maxConcurrentCalls;
    this.#probe = createAlarm(deps.clock, () => {
      this.#limit = Math.min(this.#max, this.#limit + 1);
      this.#arm();
      this.#onRaised();
    });
  }

  /** Calls allowed live at once right now. */
  get limit(): number {
    return this.#limit;
  }

  start(): void {
    this.#running = true;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    this.#probe.clear();
  }

  /** A dial was refused for want of a channel while `live` calls held one: go below that, and probe upwards later. */
  refused(live: number): void {
    const before = this.#limit;
    this.#limit = Math.max(1, Math.min(this.#limit - 1, live - 1));
    if (this.#limit < before) this.#logger.warn({ capacity: this.#limit, max: this.#max }, 'channel limit: concurrency lowered');
    this.#probe.clear();
    this.#arm();
  }

  #arm(): void {
    if (this.#running && this.#limit < this.#max) this.#probe.set(this.#clock.now() + this.#probeMs);
  }
}
