import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { InboxEvent, Store } from '../store/store.ts';
import type { EventHandler } from './handle-event.ts';

const BATCH = 500;

/**
 * Applies inbox events in the background: one chain per call, each in `occurred_at` order, calls side by side so a
 * slow carrier command on one call does not hold up another. An event is marked applied only after its effects,
 * so whatever a crash interrupts is applied again on the next start (effects are idempotent). Emits `applied`
 * with `(event, outcome)` after each event.
 */
export class EventWorker extends EventEmitter {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #handle: EventHandler;
  #running = false;
  #scanning: Promise<void> | undefined;
  #scanAgain = false;
  /** Calls (or carrier ids, for events that name no call of ours) with a chain under way. */
  #active = new Map<string, Promise<void>>();

  constructor(deps: { store: Store; clock: Clock; logger: Logger; metrics?: Metrics; handle: EventHandler }) {
    super();
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#metrics = deps.metrics;
    this.#handle = deps.handle;
  }

  /** Starts and applies what an earlier run left unapplied. */
  start(): void {
    this.#running = true;
    this.notify();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.whenIdle();
  }

  /** New events are in the inbox: look for them. */
  notify(): void {
    if (!this.#running) return;
    if (this.#scanning) {
      this.#scanAgain = true;
      return;
    }
    this.#scanning = this.#scan()
      .catch((err: unknown) => this.#logger.error({ err }, 'event worker scan failed'))
      .finally(() => {
        this.#scanning = undefined;
        if (this.#scanAgain) {
          this.#scanAgain = false;
          this.notify();
        }
      });
  }

  /** Applies every pending event before resolving (the benchmark's inline mode, as the 2019 workshop worked). */
  async applyPending(): Promise<void> {
    for (;;) {
      const pending = await this.#store.pendingInbox(BATCH);
      if (pending.length === 0) return;
      for (const event of pending) await this.#apply(event);
    }
  }

  async whenIdle(): Promise<void> {
    while (this.#scanning || this.#active.size > 0) {
      await Promise.allSettled([this.#scanning, ...this.#active.values()]);
    }
  }

  async #scan(): Promise<void> {
    const pending = await this.#store.pendingInbox(BATCH);
    const byKey = new Map<string, InboxEvent[]>();
    for (const event of pending) {
      const key = event.callId ?? event.callControlId ?? event.eventId;
      if (this.#active.has(key)) continue; // its chain looks again when it finishes
      let list = byKey.get(key);
      if (!list) byKey.set(key, (list = []));
      list.push(event);
    }
    for (const [key, events] of byKey) {
      const chain = (async () => {
        for (const event of events) {
          if (!this.#running) return;
          await this.#apply(event);
        }
      })()
        .catch((err: unknown) => this.#logger.error({ err, key }, 'event chain failed'))
        .finally(() => {
          this.#active.delete(key);
          this.notify();
        });
      this.#active.set(key, chain);
    }
    if (pending.length === BATCH) this.#scanAgain = true;
  }

  async #apply(event: InboxEvent): Promise<void> {
    let outcome: string;
    try {
      outcome = await this.#handle(event);
    } catch (err) {
      // A poison event must not block its call's chain forever: record why and move on.
      this.#logger.error({ err, eventId: event.eventId }, 'applying an event failed');
      outcome = `failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    const now = this.#clock.now();
    await this.#store.markApplied(event.eventId, now, outcome);
    this.#metrics?.webhookApplyLag.observe(Math.max(0, now - event.receivedAt) / 1000);
    this.#logger.debug({ eventId: event.eventId, eventType: event.eventType, callId: event.callId, outcome }, 'event applied');
    this.emit('applied', event, outcome);
  }
}
