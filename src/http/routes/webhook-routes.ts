import Router from '@koa/router';
import type { Clock } from '../../kernel/clock.ts';
import type { Metrics } from '../../kernel/metrics.ts';
import type { InboxEvent, WebhookInbox } from '../../inbox/inbox-store.ts';
import { parseTelnyxWebhook } from '../../telnyx/telnyx-events.ts';
import { readRawBody } from '../raw-body.ts';
import type { WebhookVerifier } from '../../telnyx/webhook-verifier.ts';

/** Where Telnyx posts webhooks; the app's body parser leaves this path alone, so the signature sees the raw bytes. */
export const WEBHOOK_PATH = '/webhook';

/**
 * `POST /webhook`: read the raw body (bounded), verify its signature before anything parses it, parse it once,
 * store the event in the inbox (keyed by its id, so a redelivery is a no-op), answer 200. The work happens in the
 * event worker (`events.accept`), so the answer never waits on Telnyx or a joke API.
 */
export function createWebhookRouter(deps: {
  store: WebhookInbox;
  clock: Clock;
  metrics: Metrics;
  verifyWebhook: WebhookVerifier;
  events: { accept(event: InboxEvent): void };
  bodyLimitBytes: number;
}): Router {
  const router = new Router();
  router.post(WEBHOOK_PATH, async (ctx) => {
    let body: unknown;
    try {
      const raw = await readRawBody(ctx.req, deps.bodyLimitBytes);
      body = await deps.verifyWebhook(raw, ctx.request.headers as Record<string, string>);
    } catch (err) {
      deps.metrics.webhooks.inc({ outcome: 'rejected' });
      throw err;
    }
    let event;
    try {
      event = parseTelnyxWebhook(body, deps.clock.now());
    } catch (err) {
      deps.metrics.webhooks.inc({ outcome: 'invalid' });
      throw err;
    }
    const inserted = await deps.store.insertInbox(event);
    deps.metrics.webhooks.inc({ outcome: inserted ? 'accepted' : 'duplicate' });
    if (inserted) deps.events.accept(event);
    ctx.body = { received: true, duplicate: !inserted };
  });
  return router;
}
