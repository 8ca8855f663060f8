import Router from '@koa/router';
import type { Context } from 'koa';
import { DateTime } from 'luxon';
import type { Call } from '../../calls/call.ts';
import type { Schedule } from '../../schedules/schedule.ts';
import type { ScheduleService } from '../../schedules/schedule-service.ts';
import { callJson } from '../call-json.ts';
import type { Csrf } from '../auth/csrf.ts';
import type { Principal, RequestAuth } from '../auth/request-auth.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An instant as UTC and as the schedule's local time (with its offset). */
export function occurrenceJson(at: number, zone: string) {
  return { at: iso(at), localAt: DateTime.fromMillis(at, { zone }).toISO({ suppressMilliseconds: true }) };
}

/** The API's view of a schedule (`timezone` spelled as in requests). */
export function scheduleJson(s: Schedule) {
  return {
    id: s.id,
    to: s.to,
    repeat: s.repeat,
    cron: s.cron,
    timezone: s.timeZone,
    message: s.message,
    startsOn: s.startsOn,
    endsOn: s.endsOn,
    retry: s.retry,
    status: s.status,
    paused: s.status === 'paused',
    endReason: s.endReason,
    nextAt: iso(s.nextAt),
    lastOccurrenceAt: iso(s.lastOccurrenceAt),
    skipped: s.skipReason === null ? null : { at: iso(s.skipAt), reason: s.skipReason },
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

function detailJson(view: { schedule: Schedule; upcoming: number[]; calls: Call[] }) {
  return {
    ...scheduleJson(view.schedule),
    nextOccurrences: view.upcoming.map((at) => occurrenceJson(at, view.schedule.timeZone)),
    calls: view.calls.map(callJson),
  };
}

/**
 * `/api/schedules`: the caller's own schedules only, with the same rules as `/api/calls` — an account
 * by bearer token or session cookie, and a session's changes carry the `X-CSRF-Token` header.
 */
export function createScheduleRouter(deps: { schedules: ScheduleService; auth: RequestAuth; csrf: Csrf }): Router {
  const router = new Router({ prefix: '/api' });
  const owner = (ctx: Context) => (ctx.state as { principal: Principal }).principal.accountId;
  const json = (ctx: Context) => {
    if (!ctx.is('application/json')) ctx.throw(415, 'Send the schedule as application/json.', { expose: true });
  };

  router.use(['/schedules', '/schedules/:id'], async (ctx, next) => {
    const principal = await deps.auth.require(ctx);
    if (principal.session && !['GET', 'HEAD'].includes(ctx.method)) await deps.csrf.verify(ctx, ctx.get('X-CSRF-Token'));
    await next();
  });

  router.post('/schedules', async (ctx) => {
    json(ctx);
    const { schedule } = await deps.schedules.create(ctx.request.body, owner(ctx));
    ctx.status = 201;
    ctx.set('Location', `/api/schedules/${schedule.id}`);
    ctx.body = detailJson(await deps.schedules.get(schedule.id, owner(ctx)));
  });

  // Before `/schedules/:id`: the next dates a request would ring at, without saving it (the page's preview).
  router.post('/schedules/preview', (ctx) => {
    json(ctx);
    const { occurrences, timezone } = deps.schedules.preview(ctx.request.body);
    ctx.body = { occurrences: occurrences.map((at) => occurrenceJson(at, timezone)) };
  });

  router.get('/schedules', async (ctx) => {
    ctx.body = { items: (await deps.schedules.list(owner(ctx))).map(scheduleJson) };
  });

  router.get('/schedules/:id', async (ctx) => {
    ctx.body = detailJson(await deps.schedules.get(ctx.params.id as string, owner(ctx)));
  });

  router.patch('/schedules/:id', async (ctx) => {
    json(ctx);
    const id = ctx.params.id as string;
    await deps.schedules.change(id, ctx.request.body, owner(ctx));
    ctx.body = detailJson(await deps.schedules.get(id, owner(ctx)));
  });

  router.delete('/schedules/:id', async (ctx) => {
    const id = ctx.params.id as string;
    await deps.schedules.stop(id, owner(ctx));
    ctx.body = detailJson(await deps.schedules.get(id, owner(ctx)));
  });

  return router;
}
