import Router from '@koa/router';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../../kernel/paths.ts';
import type { Context } from 'koa';
import { DateTime } from 'luxon';
import type { CallService } from '../../calls/call-service.ts';
import { parseFormSchedule, type SchedulingRules } from '../../calls/input/schedule-input.ts';
import { canonicalZone, ZONE_LIST } from '../../calls/input/time-zones.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseRetry } from '../../calls/retry-policy.ts';
import { DomainError, ErrorCode, LimitError, ValidationError, type FieldError } from '../../kernel/errors.ts';
import type { Schedule } from '../../schedules/schedule.ts';
import { WEEKDAYS } from '../../schedules/schedule-schema.ts';
import type { ScheduleService } from '../../schedules/schedule-service.ts';
import { ERROR_TABLE } from '../error-table.ts';
import { decodeCookieValue } from '../security/cookie-value.ts';
import type { Views } from '../views.ts';
import type { Csrf } from '../auth/csrf.ts';
import type { Principal, RequestAuth } from '../auth/request-auth.ts';
import { createPageGuard } from '../auth/page-guard.ts';

const NOTICE_COOKIE = 'schedule-notice';
const FIELDS = ['to', 'repeat', 'time', 'date', 'cron', 'timezone', 'message', 'startsOn', 'endsOn', 'retryAttempts', 'retryAfter'] as const;
type Form = Record<(typeof FIELDS)[number], string> & { days: string[] };
/** Where each request path's error shows on the form. */
const FORM_FIELD: Record<string, string> = {
  'repeat.at': 'time',
  'repeat.days': 'days',
  'repeat.cron': 'cron',
  'repeat.every': 'repeat',
  'retry.attempts': 'retryAttempts',
  'retry.afterMinutes': 'retryAfter',
  at: 'time',
};
const DAY_LABELS: Record<string, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

const text = (v: unknown) => (typeof v === 'string' ? v : '');

function formOf(body: Record<string, unknown>): Form {
  const form = { ...Object.fromEntries(FIELDS.map((k) => [k, text(body[k]).slice(0, 10_000)])), days: [] } as unknown as Form;
  const days = Array.isArray(body.days) ? body.days : body.days === undefined ? [] : [body.days];
  form.days = days.filter((d): d is string => typeof d === 'string' && (WEEKDAYS as readonly string[]).includes(d));
  return form;
}

/** The form as an API request body (the same validation applies). */
function requestOf(form: Form): Record<string, unknown> {
  const repeat =
    form.repeat === 'cron' ? { cron: form.cron } : form.repeat === 'week' ? { every: 'week', days: form.days, at: form.time } : { every: form.repeat, at: form.time };
  const attempts = Number(form.retryAttempts || '0');
  return {
    to: form.to,
    repeat,
    timezone: form.timezone,
    message: form.message.trim() === '' ? null : form.message,
    startsOn: form.startsOn || null,
    endsOn: form.endsOn || null,
    retry: attempts > 0 ? { attempts, afterMinutes: Number(form.retryAfter || '0') } : null,
  };
}

function describe(s: Schedule): string {
  const r = s.repeat;
  if ('cron' in r) return `cron “${r.cron}”`;
  if (r.every === 'day') return `every day at ${r.at}`;
  if (r.every === 'weekday') return `weekdays at ${r.at}`;
  return `every ${(r.days ?? []).map((d) => DAY_LABELS[d]).join(', ')} at ${r.at}`;
}

const local = (at: number | null, zone: string) => (at === null ? null : DateTime.fromMillis(at, { zone }).toFormat('ccc d LLL yyyy, HH:mm ZZZZ'));

/**
 * The schedules page (`/schedules`): plain HTML forms with post/redirect/get, a preview step that shows the next
 * three dates before anything is saved (no JavaScript needed), and the account's schedules with pause, resume and
 * stop. "Once" hands the same form to the single-call use-case.
 */
export function createSchedulePageRouter(deps: {
  schedules: ScheduleService;
  calls: CallService;
  clock: Clock;
  rules: SchedulingRules;
  views: Views;
  simulated: boolean;
  auth: RequestAuth;
  csrf: Csrf;
  devOutbox: boolean;
}): Router {
  const router = new Router();
  const templatesDir = join(ROOT_DIR, 'templates');
  const assets = new Map(
    (['schedules.css', 'schedules.js'] as const).map((file) => [
      file,
      { type: file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8', body: readFileSync(join(templatesDir, 'static', file)) },
    ]),
  );

  const { signedIn, post } = createPageGuard(deps, router);

  function redirectWithNotice(ctx: Context, notice: string) {
    ctx.cookies.set(NOTICE_COOKIE, encodeURIComponent(notice), { path: '/schedules', httpOnly: true, sameSite: 'lax' });
    ctx.status = 303;
    ctx.redirect('/schedules');
  }
  function takeNotice(ctx: Context): string | undefined {
    const notice = ctx.cookies.get(NOTICE_COOKIE);
    if (notice === undefined) return undefined;
    ctx.cookies.set(NOTICE_COOKIE, null, { path: '/schedules' });
    return decodeCookieValue(notice);
  }

  async function render(ctx: Context, principal: Principal, form: Form, extra: { errors?: FieldError[]; notice?: string; problem?: string; preview?: string[] } = {}) {
    const errors: Record<string, string[]> = {};
    for (const e of extra.errors ?? []) (errors[FORM_FIELD[e.path] ?? e.path.split('.')[0] ?? ''] ??= []).push(e.message);
    const schedules = await deps.schedules.list(principal.accountId);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = deps.views.render('schedules.njk', {
      form,
      errors,
      hasErrors: (extra.errors ?? []).length > 0,
      notice: extra.notice,
      problem: extra.problem,
      preview: extra.preview,
      account: principal.session ? { email: principal.session.email } : { email: '' },
      csrfToken: await deps.csrf.token(ctx),
      devOutbox: deps.devOutbox,
      simulated: deps.simulated,
      zones: ZONE_LIST,
      weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => ({ value: d, label: DAY_LABELS[d] })),
      maxMessage: deps.rules.messageMaxLength,
      schedules: schedules.map((s) => ({
        ...s,
        rule: describe(s),
        next: local(s.nextAt, s.timeZone),
        skippedAt: local(s.skipAt, s.timeZone),
      })),
    });
  }

  router.get('/schedules', async (ctx) => {
    const principal = await signedIn(ctx);
    if (!principal) return;
    const zone = canonicalZone(decodeCookieValue(ctx.cookies.get('tz'))) ?? 'UTC';
    const tomorrow = DateTime.fromMillis(deps.clock.now(), { zone }).plus({ days: 1 }).toISODate() ?? '';
    const form: Form = { to: '', repeat: 'weekday', time: '07:00', date: tomorrow, cron: '', timezone: zone, message: '', startsOn: '', endsOn: '', retryAttempts: '0', retryAfter: '5', days: [] };
    await render(ctx, principal, form, { notice: takeNotice(ctx) });
  });

  post('/schedules', async (ctx, principal) => {
    const form = formOf((ctx.request.body ?? {}) as Record<string, unknown>);
    const action = text((ctx.request.body as Record<string, unknown>).action);
    try {
      if (form.repeat === 'once') {
        const attempts = Number(form.retryAttempts || '0');
        const request = parseFormSchedule({ to: form.to, date: form.date, time: form.time, timezone: form.timezone, message: form.message }, deps.clock.now(), deps.rules);
        if (action === 'preview') {
          await render(ctx, principal, form, { preview: [DateTime.fromMillis(request.dueAt, { zone: request.timeZone }).toFormat('ccc d LLL yyyy, HH:mm ZZZZ')] });
          return;
        }
        // The same policy schema as the API's: 0–3 more tries, 1–60 minutes apart (a form can post anything).
        const retryErrors: FieldError[] = [];
        const retry = (form.retryAttempts || '0') !== '0' ? parseRetry({ attempts, afterMinutes: Number(form.retryAfter || '0') }, retryErrors) : null;
        if (retryErrors.length > 0) throw new ValidationError(retryErrors);
        const call = await deps.calls.schedule({ ...request, retry }, principal.accountId);
        redirectWithNotice(ctx, `Call to ${call.to} scheduled for ${local(call.dueAt, call.timeZone) ?? ''}.`);
        return;
      }
      const request = requestOf(form);
      if (action === 'preview') {
        const { occurrences, timezone } = deps.schedules.preview(request);
        await render(ctx, principal, form, { preview: occurrences.map((at) => local(at, timezone) ?? '') });
        return;
      }
      const { schedule } = await deps.schedules.create(request, principal.accountId);
      redirectWithNotice(ctx, `Schedule to ${schedule.to} saved: ${describe(schedule)} (${schedule.timeZone}).`);
    } catch (err) {
      if (ctx.accepts(['application/problem+json', 'application/json', 'text/html']) !== 'text/html') throw err;
      if (err instanceof LimitError) {
        ctx.status = 429;
        ctx.set('Retry-After', String(err.retryAfterSeconds));
        await render(ctx, principal, form, { problem: err.message });
        return;
      }
      if (!(err instanceof ValidationError)) throw err;
      ctx.status = ERROR_TABLE[err.code].status;
      await render(ctx, principal, form, { errors: [...err.errors] });
    }
  });

  const change = (path: string, act: (id: string, owner: string) => Promise<Schedule>, done: string) =>
    post(path, async (ctx, principal) => {
      try {
        const schedule = await act(String((ctx.params as Record<string, string>).id), principal.accountId);
        redirectWithNotice(ctx, `Schedule to ${schedule.to} ${done}.`);
      } catch (err) {
        if (err instanceof DomainError && (err.code === ErrorCode.conflict || err.code === ErrorCode.notFound)) {
          redirectWithNotice(ctx, `Could not change the schedule: ${err.message}`);
          return;
        }
        throw err;
      }
    });
  change('/schedules/:id/pause', (id, owner) => deps.schedules.change(id, { paused: true }, owner), 'paused');
  change('/schedules/:id/resume', (id, owner) => deps.schedules.change(id, { paused: false }, owner), 'resumed');
  change('/schedules/:id/stop', (id, owner) => deps.schedules.stop(id, owner), 'stopped');

  for (const [file, asset] of assets) {
    router.get(`/static/${file}`, (ctx) => {
      ctx.type = asset.type;
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = asset.body;
    });
  }
  return router;
}
