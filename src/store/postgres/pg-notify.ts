import pg from 'pg';
import type { Clock, TimerHandle } from '../../kernel/clock.ts';
import type { Logger } from '../../kernel/logger.ts';
import { createListeners, type ClusterBus, type BusSignal } from '../../kernel/cluster-bus.ts';
import { createNotifyBatch } from './notify-batch.ts';
import { createPgAccess } from './pg-pool.ts';

/** The channel every instance LISTENs on (one per database: NOTIFY does not cross databases). */
export const NOTIFY_CHANNEL = 'dial_a_joke';
const RECONNECT_MS = 1000;

/**
 * The cluster bus over PostgreSQL's LISTEN/NOTIFY. `publish` tells this process's subscribers at once and sends a
 * NOTIFY (on the pool, with the turn's other signals) tagged with this instance's id; the listening connection (its own client, not pooled) hands
 * the others' signals to the subscribers and skips its own. A lost listening connection is reopened after a second,
 * and the subscribers hear `resync`, since signals sent meanwhile are gone.
 */
export function createPgBus(deps: { connectionString: string; instanceId: string; clock: Clock; logger: Logger; channel?: string }): ClusterBus {
  const channel = deps.channel ?? NOTIFY_CHANNEL;
  const listeners = createListeners((err) => deps.logger.error({ err }, 'a cluster bus listener failed'));
  const sender = new pg.Pool({ connectionString: deps.connectionString, max: 2, connectionTimeoutMillis: 5000 });
  sender.on('error', () => undefined);
  // The signals of one turn in one NOTIFY statement (see notify-batch.ts): one per scheduled call would each take the notify lock.
  const notify = createNotifyBatch(createPgAccess(sender).query, channel);
  let client: pg.Client | undefined;
  let running = false;
  let retry: TimerHandle | undefined;

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== channel || !message.payload) return;
    let parsed: { o?: string; s?: BusSignal };
    try {
      parsed = JSON.parse(message.payload) as { o?: string; s?: BusSignal };
    } catch {
      return;
    }
    if (parsed.o === deps.instanceId || !parsed.s) return;
    listeners.emit(parsed.s);
  };

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: deps.connectionString, connectionTimeoutMillis: 5000 });
    const lost = (err?: unknown) => {
      if (client !== next) return;
      client = undefined;
      next.removeAllListeners('notification');
      void next.end().catch(() => undefined);
      if (!running) return;
      deps.logger.warn({ err }, 'the LISTEN connection was lost; reconnecting');
      schedule();
    };
    next.on('error', lost);
    next.on('end', () => lost());
    next.on('notification', onNotification);
    await next.connect();
    await next.query(`LISTEN ${channel}`);
    client = next;
  }

  function schedule(): void {
    if (retry || !running) return;
    retry = deps.clock.setTimeout(() => {
      retry = undefined;
      connect().then(
        () => listeners.emit({ kind: 'resync' }),
        (err: unknown) => {
          deps.logger.warn({ err }, 'LISTEN: could not reconnect; trying again');
          schedule();
        },
      );
    }, RECONNECT_MS);
  }

  return {
    publish(signal) {
      listeners.emit(signal);
      const payload = JSON.stringify({ o: deps.instanceId, s: signal });
      notify(payload).catch((err: unknown) => deps.logger.warn({ err }, 'NOTIFY failed'));
    },
    subscribe: (listener) => listeners.add(listener),
    async start() {
      running = true;
      await connect();
    },
    async stop() {
      running = false;
      if (retry) deps.clock.clearTimeout(retry);
      retry = undefined;
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
      await sender.end();
    },
  };
}
