import type { Clock } from '../kernel/clock.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { InboxCodec, WebhookVerifier } from './inbox-codec.ts';
import { createGroupCommit, type GroupCommitOptions } from './group-commit.ts';
import type { InboxEvent, WebhookInbox } from './inbox-store.ts';

export type ReceiveWebhook = (readRaw: () => Promise<string>, headers: Record<string, string>) => Promise<{ duplicate: boolean }>;

/**
 * Receiving a webhook: read the raw body, verify its signature before anything parses it (the verifier parses it
 * once), read its envelope, append it to the inbox's next group commit ({@link createGroupCommit}: one commit for
 * the webhooks that arrive together; a redelivery is a no-op), and wake the worker for a new one. Resolves once the
 * batch is committed, so the caller's 200 means durable; the event's effects come later, off this path.
 */
export function createReceiveWebhook(deps: {
  verify: WebhookVerifier;
  codec: Pick<InboxCodec, 'envelope'>;
  inbox: Pick<WebhookInbox, 'insertInboxBatch'>;
  /** The group commit's bounds (defaults: 500 a batch, 10,000 waiting). */
  batch?: Partial<GroupCommitOptions>;
  clock: Clock;
  metrics: Metrics;
  stored: (event: InboxEvent) => void;
}): ReceiveWebhook {
  const store = createGroupCommit(deps.inbox, { maxBatch: 500, maxWaiting: 10_000, ...deps.batch });
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
    const inserted = await store(event);
    deps.metrics.webhooks.inc({ outcome: inserted ? 'accepted' : 'duplicate' });
    if (inserted) deps.stored(event);
    return { duplicate: !inserted };
  };
}
