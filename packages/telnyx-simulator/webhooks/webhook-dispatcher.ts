import { Agent, request } from 'node:http';
import type { Clock, TimerHandle } from '../clock.ts';
import type { IdleTracker } from '../idle-tracker.ts';
import type { SimulatorKnobs } from '../simulator-options.ts';
import type { SignatureHeaders, WebhookSigner } from './webhook-signer.ts';

/** The `data` member of a Telnyx webhook envelope. */
export type WebhookEventData = {
  record_type: 'event';
  event_type: string;
  id: string;
  occurred_at: string;
  payload: Record<string, unknown>;
};

/** One delivery attempt, as observed by the simulator. */
export type WebhookAttempt = {
  eventId: string;
  eventType: string;
  callControlId: string;
  url: string;
  attempt: number;
  ok: boolean;
  /** HTTP status of the receiver's answer; absent when the connection failed or timed out. */
  status?: number;
  error?: string;
  at: number;
};

/**
 * Counts since start: `sent` attempts, of which `delivered` got a 2xx and `failed` did not; `dropped` webhooks ran
 * out of attempts; `lost` webhooks were never sent (`webhookLossRate`).
 */
export type WebhookCounts = { sent: number; delivered: number; failed: number; dropped: number; lost: number };

/** Where one call's webhooks go and how failures are retried, from the dial. */
export type WebhookRoute = {
  url: string;
  /** Tried right after a failed attempt at `url` (the dial's `webhook_failover_url`). */
  failoverUrl?: string | undefined;
  /** The dial's `webhook_retries_policies`: delays between retries, per event type. */
  retriesMs?: Readonly<Record<string, readonly number[]>> | undefined;
};

export type WebhookDispatcherDeps = {
  clock: Clock;
  signer: WebhookSigner;
  knobs: () => Readonly<SimulatorKnobs>;
  /** `Math.random`-like source deciding which webhooks are lost. */
  random: () => number;
  /** Told about every webhook from queueing until it is delivered or dropped. */
  idle: Pick<IdleTracker, 'begin'>;
  onAttempt: (attempt: WebhookAttempt) => void;
};

/** Sends signed webhooks with retries, per call in order, optionally duplicated or pairwise swapped. */
export type WebhookDispatcher = {
  /** Queues `event` for the call `callKey`; `isLast` says no further event of that call will follow. */
  send(callKey: string, route: WebhookRoute, event: WebhookEventData, isLast: boolean): void;
  readonly counts: Readonly<WebhookCounts>;
  /** Drops held and waiting webhooks and resolves once the attempts already on the wire have finished. */
  stop(): Promise<void>;
};

type Item = { route: WebhookRoute; event: WebhookEventData; done: () => void };
type Outcome = { ok: boolean; status?: number; error?: string };

/** Creates a dispatcher; it owns its HTTP agent, so stopping it leaves no sockets behind. */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const { clock, signer, knobs, random, idle, onAttempt } = deps;
  const agent = new Agent({ keepAlive: true });
  const counts: WebhookCounts = { sent: 0, delivered: 0, failed: 0, dropped: 0, lost: 0 };
  const held = new Map<string, { item: Item; timer: TimerHandle }>();
  // Each call's webhooks go out one after another, so without fault knobs a receiver sees them in order.
  const chains = new Map<string, Promise<void>>();
  // Aborted on stop, so a delivery waiting out a retry backoff ends at once instead of holding stop() up.
  const stopping = new AbortController();
  let stopped = false;

  const post = (url: string, body: string, signature: SignatureHeaders, timeoutMs: number) =>
    new Promise<Outcome>((resolve) => {
      let settled = false;
      // Only ever called from I/O callbacks, after `timer` below is assigned.
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        resolve(outcome);
      };
      const headers = { 'content-type': 'application/json', 'user-agent': 'telnyx-carrier-simulator', ...signature };
      let req;
      try {
        req = request(url, { method: 'POST', agent, headers }, (res) => {
          const status = res.statusCode ?? 0;
          res.on('end', () => finish({ ok: status >= 200 && status < 300, status }));
          res.on('error', (error) => finish({ ok: false, status, error: error.message }));
          res.resume();
        });
      } catch (error) {
        resolve({ ok: false, error: String(error) });
        return;
      }
      const timer = clock.setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (error) => finish({ ok: false, error: error.message }));
      req.end(body);
    });

  const attemptAt = async (callKey: string, item: Item, url: string, attempt: number): Promise<boolean> => {
    // meta.attempt is part of the signed body, so every attempt is signed afresh, with a fresh timestamp.
    const body = JSON.stringify({ data: item.event, meta: { attempt, delivered_to: url } });
    const signature = signer.sign(body, Math.floor(clock.now() / 1000));
    counts.sent++;
    const outcome = await post(url, body, signature, knobs().webhookTimeoutMs);
    if (outcome.ok) counts.delivered++;
    else counts.failed++;
    const record = { eventId: item.event.id, eventType: item.event.event_type, callControlId: callKey, url, attempt, at: clock.now() };
    try {
      onAttempt({ ...record, ...outcome });
    } catch {
      // An observer's mistake must not stop deliveries to the service under test.
    }
    return outcome.ok;
  };

  const deliver = async (callKey: string, item: Item) => {
    const { route, event } = item;
    const policy = route.retriesMs?.[event.event_type];
    for (let attempt = 1; !stopped; attempt++) {
      if (await attemptAt(callKey, item, route.url, attempt)) return;
      // Telnyx tries the failover URL when the primary fails, before giving up (or retrying).
      if (route.failoverUrl !== undefined && !stopped && (await attemptAt(callKey, item, route.failoverUrl, attempt))) return;
      const k = knobs();
      const attempts = policy === undefined ? k.webhookAttempts : policy.length + 1;
      if (attempt >= attempts) {
        counts.dropped++;
        return;
      }
      await clock.sleep(policy === undefined ? k.webhookRetryDelayMs * 2 ** (attempt - 1) : (policy[attempt - 1] ?? 0), stopping.signal);
    }
  };

  const release = (callKey: string, item: Item) => {
    const copies = knobs().duplicateWebhooks ? 2 : 1;
    const previous = chains.get(callKey) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        for (let copy = 0; copy < copies; copy++) await deliver(callKey, item);
      } catch {
        // Unreachable in practice (post never rejects); if signing ever threw, a rejected link would stall
        // every later webhook of the call, so the webhook counts as dropped instead.
        counts.dropped++;
      } finally {
        item.done();
      }
    });
    chains.set(callKey, next);
    void next.then(() => {
      if (chains.get(callKey) === next) chains.delete(callKey);
    });
  };

  return {
    send(callKey, route, event, isLast) {
      if (stopped) return;
      const k = knobs();
      if (k.webhookLossRate > 0 && random() < k.webhookLossRate) {
        counts.lost++;
        return;
      }
      const item: Item = { route, event, done: idle.begin() };
      const waiting = held.get(callKey);
      if (waiting) {
        held.delete(callKey);
        clock.clearTimeout(waiting.timer);
        release(callKey, item);
        release(callKey, waiting.item);
        return;
      }
      if (k.reorderWebhooks && !isLast) {
        const timer = clock.setTimeout(() => {
          held.delete(callKey);
          release(callKey, item);
        }, k.reorderHoldMs);
        held.set(callKey, { item, timer });
        return;
      }
      release(callKey, item);
    },
    get counts() {
      return { ...counts };
    },
    async stop() {
      stopped = true;
      for (const { item, timer } of held.values()) {
        clock.clearTimeout(timer);
        item.done();
      }
      held.clear();
      stopping.abort();
      await Promise.all([...chains.values()]);
      agent.destroy();
    },
  };
}
