import Router from '@koa/router';
import type { CallService } from '../../calls/call-service.ts';
import { parseApiSchedule, type SchedulingRules } from '../../calls/schedule-input.ts';
import type { Clock } from '../../clock.ts';
import { ValidationError } from '../../errors.ts';
import { callJson, eventJson } from '../call-json.ts';

function listParam(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** The JSON API (DESIGN §3): the same powers as the page. */
export function createApiRouter(deps: { calls: CallService; clock: Clock; rules: SchedulingRules }): Router {
  const router = new Router({ prefix: '/api' });

  router.post('/calls', async (ctx) => {
    if (!ctx.is('application/json')) {
      ctx.throw(415, 'Send the call as application/json.', { expose: true });
    }
    const request = parseApiSchedule(ctx.request.body, deps.clock.now(), deps.rules);
    const call = await deps.calls.schedule(request);
    ctx.status = 201;
    ctx.set('Location', `/api/calls/${call.id}`);
    ctx.body = callJson(call);
  });

  router.get('/calls', async (ctx) => {
    const { cursor, limit } = ctx.query;
    if (Array.isArray(cursor) || Array.isArray(limit)) {
      throw new ValidationError([{ path: Array.isArray(cursor) ? 'cursor' : 'limit', message: 'may be given once' }]);
    }
    const page = await deps.calls.list({
      statuses: listParam(ctx.query.status),
      cursor: cursor || undefined,
      limit: limit === undefined || limit === '' ? undefined : /^\d+$/.test(limit) ? Number(limit) : NaN,
    });
    ctx.body = { items: page.items.map(callJson), nextCursor: page.nextCursor };
  });

  router.get('/calls/:id', async (ctx) => {
    const { call, events } = await deps.calls.get(ctx.params.id as string);
    ctx.body = { ...callJson(call), events: events.map(eventJson) };
  });

  router.delete('/calls/:id', async (ctx) => {
    ctx.body = callJson(await deps.calls.cancel(ctx.params.id as string));
  });

  return router;
}
