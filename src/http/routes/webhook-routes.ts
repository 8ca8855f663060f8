import Router from '@koa/router';
import type { EventWorker } from '../../calls/event-worker.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, ErrorCode } from '../../errors.ts';
import type { Metrics } from '../../metrics.ts';
import type { Store } from '../../store/store.ts';
import type { WebhookVerifier } from '../../webhooks/webhook-verifier.ts';
import { parseTelnyxEvent } from '../../webhooks/telnyx-event.ts';

/**
 * `POST /webhook`: verify the raw body, store the event in the inbox (keyed by its id, so a redelivery is a no-op),
 * answer 200. The work happens in the event worker, so the answer never waits on Telnyx or a joke API.
 */
export function createWebhookRouter(deps: {
  store: Store;
  clock: Clock;
  metrics: Metrics;
  verifyWebhook: WebhookVerifier;
  events: EventWorker;
  mode: 'background' | 'inline';
}): Router {
  const router = new Router();
  router.post('/webhook', async (ctx) => {
    const raw = (ctx.request as { rawBody?: unknown }).rawBody;
    let body: unknown;
    try {
      if (typeof raw !== 'string') throw new DomainError(ErrorCode.unauthorized, 'The webhook has no JSON body to verify.');
      body = await deps.verifyWebhook(raw, ctx.request.headers as Record<string, string>);
    } catch (err) {
      deps.metrics.webhooks.inc({ outcome: 'rejected' });
      throw err;
    }
    let event;
    try {
      event = parseTelnyxEvent(body, deps.clock.now());
    } catch (err) {
      deps.metrics.webhooks.inc({ outcome: 'invalid' });
      throw err;
    }
    const inserted = await deps.store.insertInbox(event);
    deps.metrics.webhooks.inc({ outcome: inserted ? 'accepted' : 'duplicate' });
    if (inserted) {
      if (deps.mode === 'inline') await deps.events.applyNow(event);
      else deps.events.accept(event);
    }
    ctx.body = { received: true, duplicate: !inserted };
  });
  return router;
}
