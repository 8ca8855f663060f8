import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { InboxEvent, WebhookInbox } from './webhook-inbox.ts';
import type { CarrierNotice } from './carrier-event.ts';
import type { EventHandler } from './handle-event.ts';

/** On a chain: a stored event to apply, or other work on the call that must not overlap its events. */
type Item = { event: InboxEvent } | { work: () => Promise<void> };

const RECOVERY_PAGE = 1000;

const byOccurrence = (a: InboxEvent, b: InboxEvent): number =>
  a.occurredAt - b.occurredAt || a.receivedAt - b.receivedAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/**
 * Applies stored webhook events in the background: one chain per call, each in `occurred_at` order, calls side by
 * side so a slow carrier command on one call does not hold up another. The webhook handler hands each newly stored
 * event over in memory ({@link accept}); the inbox is read only at start, for what an earlier run left unapplied.
 * An event is marked applied only after its effects, so a crash means it is applied again (effects are idempotent).
 * The carrier's JSON stays at the edge: `read` (the Telnyx adapter) turns each stored event into our
 * {@link CarrierNotice} before the handler sees it. Emits `applied` with `(event, outcome)` after each event.
 */
export class EventWorker extends EventEmitter {
  readonly #store: WebhookInbox;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #handle: EventHandler;
  readonly #read: (event: InboxEvent) => CarrierNotice;
  #running = false;
  /** Waiting items per chain key (our call id, else the carrier's id, else the event's own). */
  #waiting = new Map<string, Item[]>();
  #chains = new Map<string, Promise<void>>();
  /** Event ids queued or being applied, so recovery and a live hand-over never apply one twice at once. */
  #known = new Set<string>();
  #recovering: Promise<void> | undefined;

  constructor(deps: {
    store: WebhookInbox;
    clock: Clock;
    logger: Logger;
    metrics?: Metrics;
    handle: EventHandler;
    /** Reads a stored carrier event into the domain's terms (the carrier adapter's reader). */
    read: (event: InboxEvent) => CarrierNotice;
  }) {
    super();
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#metrics = deps.metrics;
    this.#handle = deps.handle;
    this.#read = deps.read;
  }

  /** Starts, and applies what an earlier run left unapplied (read from the inbox page by page). */
  start(): void {
    this.#running = true;
    this.#recovering = this.#recover()
      .catch((err: unknown) => this.#logger.error({ err }, 'reading unapplied events failed'))
      .finally(() => (this.#recovering = undefined));
  }

  /** Stops taking events (those already stored wait in the inbox for the next start) and lets chains finish. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.whenIdle();
  }

  /** A newly stored event: queue it on its call's chain. */
  accept(event: InboxEvent): void {
    if (!this.#running || this.#known.has(event.eventId)) return;
    this.#known.add(event.eventId);
    const key = event.callId ?? event.callControlId ?? event.eventId;
    const waiting = this.#waiting.get(key);
    if (waiting) {
      // Keep the chain's events in occurrence order (a webhook can arrive before an earlier one); never move an
      // event ahead of other work queued before it.
      let i = waiting.length;
      for (let prev = waiting[i - 1]; prev && 'event' in prev && byOccurrence(prev.event, event) > 0; prev = waiting[i - 1]) i--;
      waiting.splice(i, 0, { event });
    } else {
      this.#waiting.set(key, [{ event }]);
    }
    this.#startChain(key);
  }

  /**
   * Runs `work` on the call's chain, after the events already waiting there and before any that arrive later, so it
   * never overlaps their effects (the reconciler's nudge and a greeting's end would both speak the first words).
   */
  serialise<T>(callId: string, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const item: Item = { work: () => work().then(resolve, reject) };
      const waiting = this.#waiting.get(callId);
      if (waiting) waiting.push(item);
      else this.#waiting.set(callId, [item]);
      this.#startChain(callId);
    });
  }

  #startChain(key: string): void {
    if (!this.#chains.has(key)) this.#chains.set(key, this.#run(key));
  }

  async whenIdle(): Promise<void> {
    while (this.#recovering || this.#chains.size > 0) {
      await Promise.allSettled([this.#recovering, ...this.#chains.values()]);
    }
  }

  async #recover(): Promise<void> {
    let after: InboxEvent | undefined;
    for (;;) {
      const page = await this.#store.pendingInbox(RECOVERY_PAGE, after);
      for (const event of page) this.accept(event);
      after = page[page.length - 1];
      if (page.length < RECOVERY_PAGE || !this.#running) return;
    }
  }

  async #run(key: string): Promise<void> {
    // Let the caller (the webhook handler) answer first; the chain starts on a later turn.
    await Promise.resolve();
    try {
      for (;;) {
        const item = this.#waiting.get(key)?.shift();
        if (!item) break;
        if ('work' in item) {
          // Work runs even when stopping: its caller awaits it (stop waits for the chains).
          await item.work();
          continue;
        }
        // Stopping: events stay in the inbox for the next start.
        if (!this.#running) {
          this.#known.delete(item.event.eventId);
          continue;
        }
        await this.#apply(item.event);
        this.#known.delete(item.event.eventId);
      }
    } finally {
      const left = this.#waiting.get(key) ?? [];
      for (const item of left) if ('event' in item) this.#known.delete(item.event.eventId);
      this.#waiting.delete(key);
      this.#chains.delete(key);
    }
  }

  async #apply(event: InboxEvent): Promise<void> {
    let outcome: string;
    let name: string;
    try {
      const notice = this.#read(event);
      name = notice.name;
      outcome = await this.#handle(notice);
    } catch (err) {
      // Carrier errors are handled inside; what reaches here is the store failing. Leave the event unapplied in the
      // inbox, so the next start applies it, and let the chain go on rather than stall the call.
      this.#logger.error({ err, eventId: event.eventId }, 'applying an event failed; left for the next start');
      this.emit('failed', event, err);
      return;
    }
    const now = this.#clock.now();
    try {
      await this.#store.markApplied(event.eventId, now, outcome);
    } catch (err) {
      // Left unapplied in the inbox: the next start applies it again, harmlessly.
      this.#logger.error({ err, eventId: event.eventId }, 'marking an event applied failed');
    }
    this.#metrics?.webhookApplyLag.observe(Math.max(0, now - event.receivedAt) / 1000);
    this.#logger.debug({ eventId: event.eventId, event: name, callId: event.callId, outcome }, 'event applied');
    this.emit('applied', event, outcome);
  }
}
