/**
 * The server under test in a process of its own: the real service (or a bare Koa reference), alone on its event
 * loop as in production. The load generator stays in the scenario's process, so a server that stalls shows up as
 * timeouts in the figures instead of stalling the measurement. Driven over IPC by {@link startServiceHost}.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import { readRawBody } from '../../src/http/raw-body.ts';
import { createWebhookVerifier } from '../../src/telnyx/webhook-verifier.ts';
import { buildBenchService, type BenchService } from './bench-service.ts';
import { startInlineWebhooks } from './inline-webhooks.ts';
import { serveIpc } from './ipc-child.ts';
import type { ServiceRequest } from './service-client.ts';

let bench: BenchService | undefined;
let bare: Server | undefined;
let inline: Server | undefined;
/**
 * How late this process's event loop ran its timers (node's own sampler, 1 ms resolution): a sweep, keeper or upkeep
 * round that holds the loop shows up here as one long delay, whatever job it was.
 */
let loop: ReturnType<typeof monitorEventLoopDelay> | undefined;

/** Koa answering 200 without reading the body: what the HTTP stack alone costs. */
function bareKoa(): Koa {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = { received: true, duplicate: false };
  });
  return app;
}

/** Koa parsing a JSON body with the service's own koa-body settings, answering 201 with it. */
function bareJson(): Koa {
  const app = new Koa();
  const limit = 65_536;
  app.use(koaBody({ jsonLimit: limit, formLimit: limit, textLimit: limit, multipart: false }));
  app.use((ctx) => {
    ctx.status = 201;
    ctx.body = ctx.request.body as unknown;
  });
  return app;
}

/**
 * The webhook route's reference: Koa reading the raw body (the service's own reader, bounded), verifying it with the
 * service's own verifier (the key imported once) and answering 200, with nothing stored: what ingest costs before
 * the inbox.
 */
function koaVerify(publicKey: string): Koa {
  const app = new Koa();
  const verify = createWebhookVerifier({ publicKey: () => publicKey });
  app.use(async (ctx) => {
    await verify(await readRawBody(ctx.req, 65_536), ctx.request.headers as Record<string, string>);
    ctx.body = { received: true, duplicate: false };
  });
  return app;
}

serveIpc<ServiceRequest>(async (request) => {
  switch (request.op) {
    case 'start-bare': {
      const app = request.kind === 'koa-200' ? bareKoa() : request.kind === 'koa-verify' ? koaVerify(request.publicKey ?? '') : bareJson();
      const handle = app.callback();
      const server = createServer((req, res) => void handle(req, res));
      bare = server;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    }
    case 'start-service': {
      loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      bench = await buildBenchService(request.options);
      const { store } = bench.deps;
      await store.migrate();
      // Calls already live on the carrier, ringing in our books (the slow-carrier benchmark answers them).
      const now = Date.now();
      for (const [callId, controlId] of request.ringing ?? []) {
        await store.insertCall({ id: callId, to: '+12025550123', dueAt: now + 86_400_000, timeZone: 'UTC', message: 'Knock knock.', createdAt: now });
        await store.transition(callId, ['scheduled'], 'ringing', now);
        await store.update(callId, { callControlId: controlId }, now);
      }
      const url = await bench.start();
      // An account of its own: every /api/calls request carries its bearer token, as a program's would.
      const accountId = bench.deps.newId();
      await bench.deps.store.insertAccount({ id: accountId, email: 'bench@example.test', passwordHash: 'none', createdAt: Date.now() });
      const token = await bench.deps.tokens.accessToken(accountId, 86_400);
      if (!request.options.inlineWebhooks) return { url, queue: bench.config.queue, token };
      const started = await startInlineWebhooks(bench.deps);
      inline = started.server;
      return { url: started.url, queue: bench.config.queue, token };
    }
    case 'schedule': {
      if (!bench) throw new Error('service not started');
      const { calls } = bench.deps;
      const ids: string[] = new Array<string>(request.calls.length);
      // Through the use-case, as the API does after validation: durable insert, then the queue is told. Sixteen at a
      // time, as concurrent API requests would be: over PostgreSQL one committed insert after another takes a few
      // milliseconds each, and the timer benchmark's calls must all be in before the first falls due.
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < request.calls.length; i = next++) {
          const call = request.calls[i] as (typeof request.calls)[number];
          ids[i] = (await calls.schedule({ to: call.to, dueAt: call.dueAt, timeZone: 'UTC', message: call.message ?? null })).id;
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      return ids;
    }
    case 'loop-delay': {
      if (!loop) throw new Error('service not started');
      // The histogram's values are nanoseconds; an empty one reports its max as 0.
      const ms = (ns: number) => ns / 1e6;
      const delay = { samples: loop.count, p50Ms: ms(loop.percentile(50)), p99Ms: ms(loop.percentile(99)), maxMs: ms(loop.max) };
      if (request.reset) loop.reset();
      return delay;
    }
    case 'stop':
      if (inline) {
        inline.closeAllConnections();
        inline.close();
      }
      if (bench) await bench.service.stop();
      if (bare) {
        bare.closeAllConnections();
        bare.close();
      }
      return null;
  }
});
