import Router from '@koa/router';
import type { Context } from 'koa';
import type { CallService } from '../../calls/call-service.ts';
import { parseApiSchedule, type SchedulingRules } from '../../calls/input/schedule-input.ts';
import type { Clock } from '../../kernel/clock.ts';
import { ValidationError } from '../../kernel/errors.ts';
import { callJson, eventJson } from '../call-json.ts';
import type { Csrf } from '../auth/csrf.ts';
import type { Principal, RequestAuth } from '../auth/request-auth.ts';
import { DuplicateIdempotencyKey } from '../../calls/idempotency-keys.ts';
import type { Call } from '../../calls/call.ts';
import { createIdempotency } from '../idempotency/idempotency.ts';
import { ListCallsQuerySchema } from '../openapi/api-schemas.ts';
import { fieldErrors } from '../../calls/input/zod-field-errors.ts';
import type { LiveStreams } from '../../live/live-streams.ts';
import type { IdempotencyKeys } from '../../calls/idempotency-keys.ts';

/** A position in ms since the epoch (an event id, `since`), or undefined when absent or not one. */
function position(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

function listParam(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/**
 * The JSON API (docs/api.md): the same powers as the page, over the caller's own calls only. Every route needs an
 * account: a bearer token, or the page's session cookie — then a change also needs the `X-CSRF-Token` header,
 * since a cookie rides along on requests other sites make.
 */
export function createApiRouter(deps: {
  calls: CallService;
  clock: Clock;
  rules: SchedulingRules;
  auth: RequestAuth;
  csrf: Csrf;
  store: IdempotencyKeys;
  live: LiveStreams;
}): Router {
  const router = new Router({ prefix: '/api' });
  const owner = (ctx: Context) => (ctx.state as { principal: Principal }).principal.accountId;
  const idempotency = createIdempotency(deps);

  router.use(['/calls', '/calls/:id'], async (ctx, next) => {
    const principal = await deps.auth.require(ctx);
    if (principal.session && !['GET', 'HEAD'].includes(ctx.method)) await deps.csrf.verify(ctx, ctx.get('X-CSRF-Token'));
    await next();
  });

  router.post('/calls', async (ctx) => {
    if (!ctx.is('application/json')) {
      ctx.throw(415, 'Send the call as application/json.', { expose: true });
    }
    const tag = idempotency.tag(ctx.get('Idempotency-Key') || undefined, ctx.request.body);
    const answer = (call: Call, replayed: boolean) => {
      ctx.status = 201;
      ctx.set('Location', `/api/calls/${call.id}`);
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.body = callJson(call);
    };
    const earlier = tag && (await idempotency.earlier(owner(ctx), tag));
    if (earlier) return answer(earlier, true);
    const request = parseApiSchedule(ctx.request.body, deps.clock.now(), deps.rules);
    try {
      answer(await deps.calls.schedule(request, owner(ctx), tag), false);
    } catch (err) {
      if (!(err instanceof DuplicateIdempotencyKey) || !tag) throw err;
      // A concurrent request with the same key inserted first: answer with its call.
      const twin = await idempotency.afterDuplicate(owner(ctx), tag);
      answer(twin ?? (await deps.calls.schedule(request, owner(ctx), tag)), twin !== undefined);
    }
  });

  // Before `/calls/:id`, which would take "events" for an id.
  router.get('/calls/events', async (ctx) => {
    const from = position(ctx.get('Last-Event-ID')) ?? position(ctx.query.since);
    // Listened for before the stream's row is written: a client gone meanwhile ends the stream as soon as it opens.
    const gone = new AbortController();
    ctx.res.once('close', () => gone.abort());
    const body = await deps.live.open(owner(ctx), from, gone.signal);
    ctx.status = 200;
    ctx.type = 'text/event-stream';
    ctx.set('Cache-Control', 'no-store');
    // Proxies that buffer responses (nginx) would hold the events back.
    ctx.set('X-Accel-Buffering', 'no');
    // Written here rather than as ctx.body: Koa pipes a body stream with stream.pipeline, which reports a client
    // that goes away (the normal end of a stream) as an error of ours. A plain pipe just stops.
    ctx.respond = false;
    ctx.res.flushHeaders();
    body.pipe(ctx.res);
  });

  router.get('/calls', async (ctx) => {
    const query = ListCallsQuerySchema.safeParse(ctx.query);
    if (!query.success) throw new ValidationError(fieldErrors(query.error.issues));
    const { cursor, limit, status } = query.data;
    const page = await deps.calls.list({
      accountId: owner(ctx),
      statuses: listParam(status),
      cursor: cursor || undefined,
      limit: limit === undefined || limit === '' ? undefined : Number(limit),
    });
    ctx.body = { items: page.items.map(callJson), nextCursor: page.nextCursor };
  });

  router.get('/calls/:id', async (ctx) => {
    const { call, events } = await deps.calls.get(ctx.params.id as string, owner(ctx));
    ctx.body = { ...callJson(call), events: events.map(eventJson) };
  });

  router.delete('/calls/:id', async (ctx) => {
    ctx.body = callJson(await deps.calls.cancel(ctx.params.id as string, owner(ctx)));
  });

  return router;
}
