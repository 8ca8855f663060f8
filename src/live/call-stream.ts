import type { Call } from '../calls/call.ts';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { CallChanges, ChangePosition } from './call-changes.ts';
import type { ChangeSignal } from './change-signal.ts';

export type StreamOptions = {
  /** How often a stream reads the database when nothing on this instance rang (changes made by other instances). */
  pollMs: number;
  /** A comment line this often keeps proxies from closing an idle stream (every 15 s). */
  heartbeatMs: number;
  /**
   * How far back each read looks behind the newest change already sent. `updated_at` comes from each instance's
   * clock and is stamped before commit, so a change can become visible with a time a little older than one already
   * read; reading this window again (and skipping what was sent) catches it.
   */
  overlapMs: number;
  /** Rows per read. */
  batch: number;
};

const SENT_CAP = 5000;

/**
 * One client's stream of its account's call changes, written as server-sent events: `id:` is the change's time
 * (ms), so `Last-Event-ID` resumes from it. Delivery is at least once: a change inside the overlap window may be
 * sent again after a reconnect, and each event carries the call's whole current state, so a repeat is harmless.
 */
export class CallStream {
  readonly #deps: { store: CallChanges; clock: Clock; signal: ChangeSignal; options: StreamOptions; write: (chunk: string) => boolean; toJson: (call: Call) => unknown };
  readonly #accountId: string;
  #cursor: number;
  /** What was sent inside the overlap window: `id@updatedAt@status` → updatedAt. */
  readonly #sent = new Map<string, number>();
  #closed = false;
  #wake: (() => void) | undefined;
  #poll: TimerHandle | undefined;
  #heartbeat: TimerHandle | undefined;
  #unlisten: (() => void) | undefined;
  #dirty = true;
  #running: Promise<void> | undefined;

  constructor(
    deps: { store: CallChanges; clock: Clock; signal: ChangeSignal; options: StreamOptions; write: (chunk: string) => boolean; toJson: (call: Call) => unknown },
    accountId: string,
    from: number,
  ) {
    this.#deps = deps;
    this.#accountId = accountId;
    this.#cursor = from;
  }

  /** Starts reading; resolves when the stream is closed (by {@link close}) and its last read has finished. */
  start(): Promise<void> {
    this.#unlisten = this.#deps.signal.listen(() => this.#nudge(), this.#accountId);
    this.#deps.write(`retry: 5000\n\n`);
    this.#armHeartbeat();
    this.#running ??= this.#run();
    return this.#running;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#unlisten?.();
    if (this.#poll) this.#deps.clock.clearTimeout(this.#poll);
    if (this.#heartbeat) this.#deps.clock.clearTimeout(this.#heartbeat);
    this.#wake?.();
    return this.#running ?? Promise.resolve();
  }

  #nudge(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  #armHeartbeat(): void {
    const { clock, options, write } = this.#deps;
    this.#heartbeat = clock.setTimeout(() => {
      if (this.#closed) return;
      write(': heartbeat\n\n');
      this.#armHeartbeat();
    }, options.heartbeatMs);
  }

  async #run(): Promise<void> {
    const { clock, options } = this.#deps;
    while (!this.#closed) {
      if (this.#dirty) {
        this.#dirty = false;
        await this.#read();
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#poll = clock.setTimeout(() => {
          this.#dirty = true;
          resolve();
        }, options.pollMs);
      });
      this.#wake = undefined;
      if (this.#poll) clock.clearTimeout(this.#poll);
    }
  }

  async #read(): Promise<void> {
    const { store, options, write, toJson } = this.#deps;
    let position: ChangePosition = { updatedAt: this.#cursor - options.overlapMs, id: '' };
    for (;;) {
      const rows = await store.changedCalls(this.#accountId, position, options.batch);
      if (this.#closed) return;
      for (const call of rows) {
        const key = `${call.id}@${call.updatedAt}@${call.status}`;
        if (this.#sent.has(key)) continue;
        this.#sent.set(key, call.updatedAt);
        write(`id: ${call.updatedAt}\nevent: call\ndata: ${JSON.stringify(toJson(call))}\n\n`);
        this.#cursor = Math.max(this.#cursor, call.updatedAt);
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < options.batch) break;
      position = { updatedAt: last.updatedAt, id: last.id };
    }
    const horizon = this.#cursor - options.overlapMs;
    for (const [key, at] of this.#sent) if (at < horizon || this.#sent.size > SENT_CAP) this.#sent.delete(key);
  }
}
