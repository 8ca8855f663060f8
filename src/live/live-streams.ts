import { PassThrough } from 'node:stream';
import type { Call } from '../calls/call.ts';
import type { Clock } from '../kernel/clock.ts';
import { AuthenticationError, DomainError, ErrorCode, forbidden, LimitError } from '../kernel/errors.ts';
import { periodic, TaskSet, type Periodic } from '../kernel/background.ts';
import type { Leases } from '../kernel/leases.ts';
import type { Logger } from '../kernel/logger.ts';
import type { CallChanges } from './call-changes.ts';
import { CallStream, type StreamOptions } from './call-stream.ts';
import type { ChangeSignal } from './change-signal.ts';
import type { StreamLeases, StreamRefusal } from './stream-leases.ts';
import { StreamSlots } from './stream-slots.ts';

export type LiveLimits = {
  /** Open streams one account may hold (tabs, devices), on every instance together (counted in the database). */
  perAccount: number;
  /** Open streams on this instance; when all are taken, the account holding the most gives up its oldest. */
  total: number;
  /** A client that lets this much unsent output pile up is too slow to follow: its stream is closed. */
  maxBufferedBytes: number;
  /** How long a stream's row counts after its instance last renewed it (renewed every third of this). */
  leaseMs: number;
};

export const LIVE_DEFAULTS: { stream: StreamOptions; limits: LiveLimits } = {
  stream: { pollMs: 1000, heartbeatMs: 15_000, overlapMs: 5000, batch: 100 },
  limits: { perAccount: 8, total: 500, maxBufferedBytes: 1_000_000, leaseMs: 60_000 },
};

/** How far back a `Last-Event-ID` or `since` may reach: older positions start from here (a reload shows the rest). */
const MAX_REWIND_MS = 24 * 3_600_000;
/** Expired rows (of instances that died) deleted per renewal round, any instance's: the table stays bounded. */
const SWEEP_MAX = 1000;
const RETRY_MS = 10_000;
/** The last line an evicted stream gets (a comment: EventSource ignores it, a program reading the stream sees why). */
const EVICTED = 'closed: this server is full and your account holds the most streams on it';

export type LiveDeps = {
  store: CallChanges & StreamLeases & Pick<Leases, 'sharedByInstances'>;
  clock: Clock;
  signal: ChangeSignal;
  logger: Logger;
  toJson: (call: Call) => unknown;
  /** This instance: its stream rows carry it, and its renewals find them by it. */
  instanceId: string;
  newId: () => string;
  stream?: StreamOptions;
  limits?: LiveLimits;
};

type Open = { stream: CallStream; body: PassThrough };

/** The refusal of the database as the client reads it: what to do next. */
function refusalError(refusal: StreamRefusal, limits: LiveLimits): DomainError {
  switch (refusal.reason) {
    case 'no_account':
      return new AuthenticationError('This account no longer exists; sign in again.');
    case 'not_activated':
      return forbidden('Live updates need an activated account: open the link in the activation e-mail, then reload.');
    case 'nothing_scheduled':
      return forbidden('Live updates start once the account has scheduled a call: schedule one (the page, or POST /api/calls), then open the stream again.');
    case 'limit':
      return new LimitError(`At most ${limits.perAccount} live streams per account, on all of the service's instances together; close another tab or app first.`, RETRY_MS);
  }
}

/**
 * Every open live stream of this instance. Each one holds a row in the database (a lease this instance renews), so an
 * account's limit counts its streams on every instance; this instance's own slots are shared by {@link StreamSlots}.
 * All are closed on shutdown (an open stream would otherwise hold the listener open until the shutdown timeout).
 */
export class LiveStreams {
  readonly #deps: LiveDeps;
  readonly #limits: LiveLimits;
  readonly #slots: StreamSlots<Open>;
  readonly #releases: TaskSet;
  /** Rows being inserted: a stop waits for them, so none is left behind by an open that was under way. */
  readonly #opening = new Set<Promise<unknown>>();
  readonly #renewals: Periodic;
  #ready: Promise<void> | undefined;
  #stopping = false;

  constructor(deps: LiveDeps) {
    this.#deps = deps;
    this.#limits = deps.limits ?? LIVE_DEFAULTS.limits;
    this.#slots = new StreamSlots(this.#limits.total);
    this.#releases = new TaskSet(deps.logger, 'releasing a live stream row');
    this.#renewals = periodic({ clock: deps.clock, logger: deps.logger, what: 'renewing the live stream rows', everyMs: Math.max(1, Math.floor(this.#limits.leaseMs / 3)), round: () => this.renew() });
  }

  get size(): number {
    return this.#slots.size;
  }

  /** The account's open streams on this instance. */
  countOf(accountId: string): number {
    return this.#slots.countOf(accountId);
  }

  /**
   * Opens a stream of `accountId`'s changes after `from` (ms; the page's render time or the last event id) and
   * returns its body, which ends when `gone` aborts (the client left) or the stream is closed here. Refuses with a
   * 403 problem for an account that may not stream yet, a 429 over the limits, a 503 while shutting down.
   */
  async open(accountId: string, from: number | undefined, gone: AbortSignal): Promise<PassThrough> {
    const { store, clock, instanceId } = this.#deps;
    const limits = this.#limits;
    this.#refuseWhileStopping();
    // Before the database: a client this instance would refuse anyway costs no write.
    if (!this.#slots.admit(accountId).ok) throw this.#full();
    await this.#prepare();
    const streamId = this.#deps.newId();
    const openedAt = clock.now();
    const lease = { accountId, instanceId, streamId, openedAt, expiresAt: openedAt + limits.leaseMs };
    const inserting = store.openStreamLease(lease, limits.perAccount);
    this.#opening.add(inserting);
    const refusal = await inserting.finally(() => this.#opening.delete(inserting));
    if (refusal) throw refusalError(refusal, limits);
    // Decided again now, synchronously: other streams may have opened here while the database answered.
    const admission = this.#stopping ? undefined : this.#slots.admit(accountId);
    if (!admission?.ok) {
      this.#release(streamId, accountId);
      this.#refuseWhileStopping();
      throw this.#full();
    }
    // Taken out of the slots at once (before the new one is added), ended in the background.
    if (admission.evict) {
      this.#deps.logger.info({ accountId }, 'live streams full here: closed the oldest stream of the account holding the most to let this one in');
      void this.#end(admission.evict, { note: EVICTED });
    }
    const body = this.#attach(streamId, accountId, Math.min(openedAt, Math.max(openedAt - MAX_REWIND_MS, from ?? openedAt)));
    if (gone.aborted) void this.#end(streamId);
    else gone.addEventListener('abort', () => void this.#end(streamId), { once: true });
    this.#renewals.start({ now: false });
    return body;
  }

  /** One renewal round: this instance's rows extended, streams whose row is gone closed, expired rows swept. */
  async renew(): Promise<void> {
    const { store, clock, instanceId, logger } = this.#deps;
    const now = clock.now();
    // Only streams open before the renewal was sent: a newer one's row may have been inserted after it.
    const held = this.#slots.ids();
    const renewed = new Set(await store.renewStreamLeases(instanceId, held, now + this.#limits.leaseMs));
    const lost = held.filter((id) => !renewed.has(id));
    if (lost.length > 0) logger.warn({ streams: lost.length }, 'live streams whose rows expired (the instance stalled) are closed; their clients reconnect');
    await Promise.all(lost.map((id) => this.#end(id)));
    await store.sweepStreamLeases(now, SWEEP_MAX);
  }

  /** Refuses new streams, ends every open one and deletes this instance's rows. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#renewals.stop();
    // An open under way finds `#stopping` when its row is in, and deletes it (tracked in the releases).
    await Promise.allSettled([...this.#opening]);
    await Promise.all(this.#slots.ids().map((id) => this.#end(id, { release: false })));
    await this.#releases.whenIdle();
    await this.#deps.store.closeInstanceStreamLeases({ instanceId: this.#deps.instanceId }).catch((err: unknown) => {
      this.#deps.logger.warn({ err }, 'the live stream rows of this instance could not be deleted; they expire by themselves');
    });
  }

  #attach(streamId: string, accountId: string, start: number): PassThrough {
    const limits = this.#limits;
    const body = new PassThrough();
    const stream: CallStream = new CallStream(
      {
        ...this.#deps,
        options: this.#deps.stream ?? LIVE_DEFAULTS.stream,
        write: (chunk) => {
          if (body.writableLength > limits.maxBufferedBytes) {
            void this.#end(streamId);
            return false;
          }
          return body.write(chunk);
        },
      },
      accountId,
      start,
    );
    this.#slots.add(streamId, accountId, { stream, body });
    stream.start().catch((err: unknown) => {
      this.#deps.logger.warn({ err }, 'live stream read failed; closing it (the client reconnects)');
      void this.#end(streamId);
    });
    return body;
  }

  /**
   * Takes a stream out of the slots at once (synchronously), then ends it: its row deleted (unless the stop deletes
   * them all), its reads finished, a last comment line `note` for the client, its body ended.
   */
  async #end(streamId: string, options: { release?: boolean; note?: string } = {}): Promise<void> {
    const open = this.#slots.remove(streamId);
    if (!open) return;
    if (options.release !== false) this.#release(streamId, open.accountId);
    await open.item.stream.close().catch(() => undefined);
    if (options.note) open.item.body.write(`: ${options.note}\n\n`);
    open.item.body.end();
  }

  #release(streamId: string, accountId: string): void {
    const { store, instanceId, logger } = this.#deps;
    // A failed delete is logged by the task set; the row, no longer renewed, expires within leaseMs.
    void this.#releases.track(store.closeStreamLease({ accountId, instanceId, streamId }).then(() => logger.debug({ accountId }, 'live stream closed and its row deleted')));
  }

  /**
   * Once, before the first stream: on a store only this process uses (SQLite), rows left by an earlier run are a
   * dead process's, and would count against their accounts until they expire.
   */
  #prepare(): Promise<void> {
    const { store, instanceId } = this.#deps;
    this.#ready ??= store.sharedByInstances ? Promise.resolve() : store.closeInstanceStreamLeases({ except: instanceId }).then(() => undefined);
    return this.#ready;
  }

  #refuseWhileStopping(): void {
    if (this.#stopping) throw new DomainError(ErrorCode.unavailable, 'The service is restarting; reconnect in a moment.');
  }

  #full(): LimitError {
    return new LimitError('Too many live streams are open on this server right now; try again shortly.', RETRY_MS);
  }
}
