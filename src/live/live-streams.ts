import { PassThrough } from 'node:stream';
import type { Call } from '../calls/call.ts';
import type { Clock } from '../kernel/clock.ts';
import { DomainError, ErrorCode, LimitError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { CallChanges } from './call-changes.ts';
import { CallStream, type StreamOptions } from './call-stream.ts';
import type { ChangeSignal } from './change-signal.ts';

export type LiveLimits = {
  /** Open streams one account may hold (tabs, devices). */
  perAccount: number;
  /** Open streams on this instance. */
  total: number;
  /** A client that lets this much unsent output pile up is too slow to follow: its stream is closed. */
  maxBufferedBytes: number;
};

export const LIVE_DEFAULTS: { stream: StreamOptions; limits: LiveLimits } = {
  stream: { pollMs: 1000, heartbeatMs: 15_000, overlapMs: 5000, batch: 100 },
  limits: { perAccount: 8, total: 500, maxBufferedBytes: 1_000_000 },
};

/** How far back a `Last-Event-ID` or `since` may reach: older positions start from here (a reload shows the rest). */
const MAX_REWIND_MS = 24 * 3_600_000;

/**
 * Every open live stream of this instance: bounded per account and in total, closed on shutdown (an open stream
 * would otherwise hold the listener open until the shutdown timeout).
 */
export type LiveDeps = {
  store: CallChanges;
  clock: Clock;
  signal: ChangeSignal;
  logger: Logger;
  toJson: (call: Call) => unknown;
  stream?: StreamOptions;
  limits?: LiveLimits;
};

export class LiveStreams {
  readonly #deps: LiveDeps;
  readonly #open = new Map<CallStream, { accountId: string; body: PassThrough }>();
  #stopping = false;

  constructor(deps: LiveDeps) {
    this.#deps = deps;
  }

  get size(): number {
    return this.#open.size;
  }

  /**
   * Opens a stream of `accountId`'s changes after `from` (ms; the page's render time or the last event id) and
   * returns its body. Refuses with a 429 problem over the limits, a 503 while shutting down.
   */
  open(accountId: string, from: number | undefined, onEnd: (listener: () => void) => void): PassThrough {
    const limits = this.#deps.limits ?? LIVE_DEFAULTS.limits;
    if (this.#stopping) throw new DomainError(ErrorCode.unavailable, 'The service is restarting; reconnect in a moment.');
    const mine = [...this.#open.values()].filter((open) => open.accountId === accountId).length;
    if (mine >= limits.perAccount) throw new LimitError(`At most ${limits.perAccount} live streams per account; close another tab first.`, 10_000);
    if (this.#open.size >= limits.total) throw new LimitError('Too many live streams are open right now.', 10_000);
    const now = this.#deps.clock.now();
    const start = from === undefined ? now : Math.min(now, Math.max(now - MAX_REWIND_MS, from));
    const body = new PassThrough();
    const stream: CallStream = new CallStream(
      {
        ...this.#deps,
        options: this.#deps.stream ?? LIVE_DEFAULTS.stream,
        write: (chunk) => {
          if (body.writableLength > limits.maxBufferedBytes) {
            void this.#end(stream, body);
            return false;
          }
          return body.write(chunk);
        },
      },
      accountId,
      start,
    );
    this.#open.set(stream, { accountId, body });
    onEnd(() => void this.#end(stream, body));
    stream.start().catch((err: unknown) => {
      this.#deps.logger.warn({ err }, 'live stream read failed; closing it (the client reconnects)');
      void this.#end(stream, body);
    });
    return body;
  }

  async #end(stream: CallStream, body: PassThrough): Promise<void> {
    if (!this.#open.delete(stream)) return;
    await stream.close().catch(() => undefined);
    body.end();
  }

  /** Refuses new streams and ends every open one. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#open].map(([stream, { body }]) => this.#end(stream, body)));
  }
}
