import type { Clock } from '../kernel/clock.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { InboxCodec, WebhookVerifier } from './inbox-codec.ts';
import type { InboxEvent, WebhookInbox } from './inbox-store.ts';

export type ReceiveWebhook = (readRaw: () => Promise<string>, headers: Record<string, string>) => Promise<{ duplicate: boolean }>;

/**
 * Receiving a webhook: read the raw body, verify its signature before anything parses it, read its envelope once,
 * store it in the inbox keyed by its event id (a redelivery is a no-op), and wake the worker for a new one. Resolves
 * once the row is committed, so the caller's 200 means durable; the event's effects come later, off this path.
 */
export function createReceiveWebhook(deps: {
  verify: WebhookVerifier;
  codec: Pick<InboxCodec, 'envelope'>;
  inbox: Pick<WebhookInbox, 'insertInbox'>;
  clock: Clock;
  metrics: Metrics;
  stored: (event: InboxEvent) => void;
}): ReceiveWebhook {
  return async (readRaw, headers) => {
    let body: unknown;
    try {
      body = await deps.verify(await readRaw(), headers);
    } catch (err) {
      deps.metrics.webhooks.inc({ outcome: 'rejected' });
      throw err;
    }
    let event;
    try {
      event = deps.codec.envelope(body, deps.clock.now());
    } catch (err) {
      deps.metrics.webhooks.inc({ outcome: 'invalid' });
      throw err;
    }
    const inserted = await deps.inbox.insertInbox(event);
    deps.metrics.webhooks.inc({ outcome: inserted ? 'accepted' : 'duplicate' });
    if (inserted) deps.stored(event);
    return { duplicate: !inserted };
  };
}
