import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createEventHandler } from '../../src/calls/handle-event.ts';
import type { Deps } from '../../src/compose/index.ts';
import { createErrorMiddleware } from '../../src/http/error-middleware.ts';
import { parseTelnyxWebhook, toCarrierNotice } from '../../src/telnyx/telnyx-events.ts';
import { readRawBody } from '../../src/http/raw-body.ts';

/**
 * The 2019 workshop's way, kept only as the benchmark's point of comparison: each webhook is applied (carrier
 * commands included) before it is answered. The service itself always answers once the event is stored; this
 * separate listener, over the same store and call flow, is what the `inline` rows of the benchmark measure.
 */
export async function startInlineWebhooks(deps: Deps): Promise<{ url: string; server: Server }> {
  const { store, clock, logger, metrics, config } = deps;
  const amd = config.telnyx.answeringMachineDetection;
  const handle = createEventHandler({
    store,
    clock,
    logger,
    metrics,
    flow: deps.callFlow,
    channelFreed: () => deps.dialer.channelFreed(),
    detectsMachines: amd !== 'disabled',
    waitsForGreeting: false,
  });
  const app = new Koa();
  app.silent = true;
  app.use(createErrorMiddleware({ views: deps.views, newId: deps.newId }));
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/webhook') return;
    const raw = await readRawBody(ctx.req, config.http.bodyLimitBytes);
    const event = parseTelnyxWebhook(await deps.verifyWebhook(raw, ctx.request.headers as Record<string, string>), clock.now());
    const inserted = await store.insertInbox(event);
    if (inserted) await store.markApplied(event.eventId, clock.now(), await handle(toCarrierNotice(event)));
    ctx.body = { received: true, duplicate: !inserted };
  });
  const callback = app.callback();
  const server = createServer((req, res) => void callback(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
