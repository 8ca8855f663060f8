import Router from '@koa/router';
import type { ReceiveWebhook } from '../../inbox/receive-webhook.ts';
import { readRawBody } from '../raw-body.ts';

/** Where Telnyx posts webhooks; the app's body parser leaves this path alone, so the signature sees the raw bytes. */
export const WEBHOOK_PATH = '/webhook';

/**
 * `POST /webhook`: hands the raw body (bounded) and headers to the inbox's {@link ReceiveWebhook} and answers 200
 * once the event is stored; the work happens in the inbox worker, so the answer never waits on Telnyx or a joke API.
 */
export function createWebhookRouter(deps: { receiveWebhook: ReceiveWebhook; bodyLimitBytes: number }): Router {
  const router = new Router();
  router.post(WEBHOOK_PATH, async (ctx) => {
    const { duplicate } = await deps.receiveWebhook(() => readRawBody(ctx.req, deps.bodyLimitBytes), ctx.request.headers as Record<string, string>);
    ctx.body = { received: true, duplicate };
  });
  return router;
}
