import Router from '@koa/router';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../../kernel/paths.ts';
import type { Context } from 'koa';
import { DateTime } from 'luxon';
import type { CallService } from '../../calls/call-service.ts';
import { parseFormSchedule, type SchedulingRules } from '../../calls/input/schedule-input.ts';
import { canonicalZone } from '../../calls/input/time-zones.ts';
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
import { callView, formatWhen, pickLocale, relative, type Viewer } from '../pages/call-view.ts';
import { formatNumber } from '../pages/call-words.ts';
import { cityOf, createZoneOptions, ianaName, resolveZoneInput, zoneLabel } from '../pages/zone-options.ts';

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
const DAY_NAMES: Record<string, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
/** Each form field's label, for the error summary's links. */
const FIELD_LABELS: Record<string, string> = {
  to: 'Phone number',
  repeat: 'Repeat',
  days: 'Days',
  date: 'Date',
  time: 'Time',
  timezone: 'Time zone',
  cron: 'Cron expression',
  startsOn: 'Starts on',
  endsOn: 'Ends on',
  message: 'Message',
  retryAttempts: 'Retries',
  retryAfter: 'Minutes apart',
};
/** Where the summary's link for a field lands (the days group has no single input: its first box). */
const FIELD_ANCHOR: Record<string, string> = { repeat: 'repeat-once', days: 'day-mon' };

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
    timezone: resolveZoneInput(form.timezone) ?? form.timezone,
    message: form.message.trim() === '' ? null : form.message,
    startsOn: form.startsOn || null,
    endsOn: form.endsOn || null,
    retry: attempts > 0 ? { attempts, afterMinutes: Number(form.retryAfter || '0') } : null,
  };
}

function describe(s: Pick<Schedule, 'repeat'>): string {
  const r = s.repeat;
  if ('cron' in r) return `cron “${r.cron}”`;
  if (r.every === 'day') return `every day at ${r.at}`;
  if (r.every === 'weekday') return `weekdays at ${r.at}`;
  return `every ${(r.days ?? []).map((d) => DAY_LABELS[d]).join(', ')} at ${r.at}`;
}

/** The rule as a sentence: "Every weekday (Monday to Friday) at 07:00, Dublin time, from 1 Dec 2026." */
function ruleInWords(s: Schedule): string {
  const r = s.repeat;
  const where = `${cityOf(s.timeZone)} time`;
  let rule: string;
  if ('cron' in r) rule = `By the cron rule “${r.cron}” (minute hour day month weekday)`;
  else if (r.every === 'day') rule = `Every day at ${r.at}`;
  else if (r.every === 'weekday') rule = `Every weekday (Monday to Friday) at ${r.at}`;
  else {
    const days = (r.days ?? []).map((d) => DAY_NAMES[d] ?? d);
    rule = `Every ${days.length > 1 ? `${days.slice(0, -1).join(', ')} and ${days[days.length - 1] ?? ''}` : (days[0] ?? '')} at ${r.at}`;
  }
  const span = [s.startsOn ? `from ${s.startsOn}` : '', s.endsOn ? `until ${s.endsOn} (included)` : ''].filter(Boolean).join(' ');
  return `${rule}, ${where}${span ? `, ${span}` : ''}.`;
}

const local = (at: number | null, zone: string) => (at === null ? null : DateTime.fromMillis(at, { zone }).toFormat('ccc d LLL yyyy, HH:mm ZZZZ'));
const STATUS_LABELS: Record<Schedule['status'], string> = { active: 'Active', paused: 'Paused', ended: 'Ended' };

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
  const zoneOptions = createZoneOptions();
  const viewerOf = (ctx: Context): Viewer => ({
    zone: canonicalZone(decodeCookieValue(ctx.cookies.get('tz'))) ?? 'UTC',
    locale: pickLocale(ctx.acceptsLanguages()),
    now: deps.clock.now(),
  });
  /** An instant in the schedule's zone and, when its clock differs, the viewer's. */
  const bothZones = (at: number, zone: string, viewer: Viewer) => {
    const theirs = `${formatWhen(at, zone, viewer)} ${cityOf(zone)}`;
    const differs = DateTime.fromMillis(at, { zone }).offset !== DateTime.fromMillis(at, { zone: viewer.zone }).offset;
    return { theirs, yours: differs ? `${formatWhen(at, viewer.zone, viewer)} your time` : null, relative: relative(at, viewer), iso: new Date(at).toISOString() };
  };
  const common = async (ctx: Context, principal: Principal) => ({
    account: principal.session ? { email: principal.session.email } : { email: '' },
    csrfToken: await deps.csrf.token(ctx),
    devOutbox: deps.devOutbox,
    simulated: deps.simulated,
  });

  function redirectWithNotice(ctx: Context, notice: string, to = '/schedules') {
    ctx.cookies.set(NOTICE_COOKIE, encodeURIComponent(notice), { path: '/schedules', httpOnly: true, sameSite: 'lax' });
    ctx.status = 303;
    ctx.redirect(to);
  }
  function takeNotice(ctx: Context): string | undefined {
    const notice = ctx.cookies.get(NOTICE_COOKIE);
    if (notice === undefined) return undefined;
    ctx.cookies.set(NOTICE_COOKIE, null, { path: '/schedules' });
    return decodeCookieValue(notice);
  }

  async function render(ctx: Context, principal: Principal, form: Form, extra: { errors?: FieldError[]; notice?: string; problem?: string; preview?: string[] } = {}) {
    const errors: Record<string, string[]> = {};
    const errorList: { field: string; text: string }[] = [];
    for (const e of extra.errors ?? []) {
      const field = FORM_FIELD[e.path] ?? e.path.split('.')[0] ?? '';
      (errors[field] ??= []).push(e.message);
      const known = FIELD_LABELS[field] !== undefined;
      errorList.push({ field: known ? (FIELD_ANCHOR[field] ?? field) : 'to', text: `${FIELD_LABELS[field] ?? e.path} ${e.message}` });
    }
    // The summary lists the problems in the order of the form's fields.
    const order = Object.keys(FIELD_LABELS);
    const rank = (anchor: string) => {
      const field = Object.entries(FIELD_ANCHOR).find(([, a]) => a === anchor)?.[0] ?? anchor;
      return order.includes(field) ? order.indexOf(field) : order.length;
    };
    errorList.sort((a, b) => rank(a.field) - rank(b.field));
    const viewer = viewerOf(ctx);
    const schedules = await deps.schedules.list(principal.accountId);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = deps.views.render('schedules.njk', {
      ...(await common(ctx, principal)),
      form,
      errors,
      errorList,
      hasErrors: errorList.length > 0,
      notice: extra.notice,
      problem: extra.problem,
      preview: extra.preview,
      zoneOptions: zoneOptions(viewer.now),
      // Monday first, as the rule's words and most calendars read.
      weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => ({ value: d, label: DAY_LABELS[d], name: DAY_NAMES[d] })),
      maxMessage: deps.rules.messageMaxLength,
      schedules: schedules.map((s) => ({
        id: s.id,
        url: `/schedules/${encodeURIComponent(s.id)}`,
        to: formatNumber(s.to),
        status: s.status,
        statusLabel: STATUS_LABELS[s.status],
        rule: describe(s),
        zone: zoneLabel(s.timeZone, viewer.now),
        retry: s.retry,
        message: s.message,
        endReason: s.endReason,
        next: s.status === 'active' && s.nextAt !== null ? bothZones(s.nextAt, s.timeZone, viewer) : null,
        skipped: s.skipAt !== null && s.skipReason ? { at: local(s.skipAt, s.timeZone), reason: s.skipReason } : null,
      })),
    });
  }

  router.get('/schedules', async (ctx) => {
    const principal = await signedIn(ctx);
    if (!principal) return;
    const zone = viewerOf(ctx).zone;
    const tomorrow = DateTime.fromMillis(deps.clock.now(), { zone }).plus({ days: 1 }).toISODate() ?? '';
    const form: Form = { to: '', repeat: 'weekday', time: '07:00', date: tomorrow, cron: '', timezone: ianaName(zone), message: '', startsOn: '', endsOn: '', retryAttempts: '0', retryAfter: '5', days: [] };
    await render(ctx, principal, form, { notice: takeNotice(ctx) });
  });

  post('/schedules', async (ctx, principal) => {
    const form = formOf((ctx.request.body ?? {}) as Record<string, unknown>);
    const action = text((ctx.request.body as Record<string, unknown>).action);
    try {
      if (form.repeat === 'once') {
        const attempts = Number(form.retryAttempts || '0');
        const timezone = resolveZoneInput(form.timezone) ?? form.timezone;
        const request = parseFormSchedule({ to: form.to, date: form.date, time: form.time, timezone, message: form.message }, deps.clock.now(), deps.rules);
        if (action === 'preview') {
          await render(ctx, principal, form, { preview: [DateTime.fromMillis(request.dueAt, { zone: request.timeZone }).toFormat('ccc d LLL yyyy, HH:mm ZZZZ')] });
          return;
        }
        // The same policy schema as the API's: 0–3 more tries, 1–60 minutes apart (a form can post anything).
        const retryErrors: FieldError[] = [];
        const retry = (form.retryAttempts || '0') !== '0' ? parseRetry({ attempts, afterMinutes: Number(form.retryAfter || '0') }, retryErrors) : null;
        if (retryErrors.length > 0) throw new ValidationError(retryErrors);
        const call = await deps.calls.schedule({ ...request, retry }, principal.accountId);
        redirectWithNotice(ctx, `Call to ${formatNumber(call.to)} scheduled for ${local(call.dueAt, call.timeZone) ?? ''}.`);
        return;
      }
      const request = requestOf(form);
      if (action === 'preview') {
        const { occurrences, timezone } = deps.schedules.preview(request);
        await render(ctx, principal, form, { preview: occurrences.map((at) => local(at, timezone) ?? '') });
        return;
      }
      const { schedule } = await deps.schedules.create(request, principal.accountId);
      redirectWithNotice(ctx, `Schedule to ${formatNumber(schedule.to)} saved: ${describe(schedule)}, ${cityOf(schedule.timeZone)} time.`);
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
      // "Weekly on…" with no day ticked: said in the form's words rather than the schema's "too small".
      const noDay = form.repeat === 'week' && form.days.length === 0;
      const errors = err.errors.map((e) => (noDay && e.path === 'repeat.days' ? { ...e, message: 'must include at least one day: tick one or more' } : e));
      await render(ctx, principal, form, { errors });
    }
  });

  const idOf = (ctx: Context) => String((ctx.params as Record<string, string>).id);
  /** Back to the schedule's own page when the form came from there, else to the list. */
  const backTo = (ctx: Context, id: string) =>
    (ctx.request.body as Record<string, unknown> | undefined)?.back === 'schedule' ? `/schedules/${encodeURIComponent(id)}` : '/schedules';

  const change = (path: string, act: (id: string, owner: string, ctx: Context) => Promise<Schedule>, done: string) =>
    post(path, async (ctx, principal) => {
      const id = idOf(ctx);
      try {
        const schedule = await act(id, principal.accountId, ctx);
        redirectWithNotice(ctx, `Schedule to ${formatNumber(schedule.to)} ${done}.`, backTo(ctx, id));
      } catch (err) {
        if (err instanceof DomainError && (err.code === ErrorCode.conflict || err.code === ErrorCode.notFound)) {
          redirectWithNotice(ctx, `Could not change the schedule: ${err.message}`, backTo(ctx, id));
          return;
        }
        if (err instanceof ValidationError) {
          redirectWithNotice(ctx, `Could not change the schedule: ${err.errors.map((e) => `${FIELD_LABELS[FORM_FIELD[e.path] ?? e.path] ?? e.path} ${e.message}`).join('; ')}.`, backTo(ctx, id));
          return;
        }
        throw err;
      }
    });
  change('/schedules/:id/pause', (id, owner) => deps.schedules.change(id, { paused: true }, owner), 'paused');
  change('/schedules/:id/resume', (id, owner) => deps.schedules.change(id, { paused: false }, owner), 'resumed');
  // The schedule's own page changes the time (or the cron rule), the zone and the message; the rest stays.
  change(
    '/schedules/:id/change',
    async (id, owner, ctx) => {
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      const { schedule } = await deps.schedules.get(id, owner);
      const r = schedule.repeat;
      const repeat = 'cron' in r ? { cron: text(body.cron) || r.cron } : { ...r, at: text(body.time) || r.at };
      const message = text(body.message).trim();
      return deps.schedules.change(id, { repeat, timezone: resolveZoneInput(body.timezone) ?? text(body.timezone), message: message === '' ? null : message }, owner);
    },
    'changed',
  );
  // Delete asks first: the script's dialog adds `confirmed`, and without the script this page asks.
  post('/schedules/:id/stop', async (ctx, principal) => {
    const id = idOf(ctx);
    if ((ctx.request.body as Record<string, unknown>).confirmed !== 'yes') {
      const { schedule } = await deps.schedules.get(id, principal.accountId);
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = deps.views.render('schedule-delete.njk', {
        ...(await common(ctx, principal)),
        s: { id, url: `/schedules/${encodeURIComponent(id)}`, to: formatNumber(schedule.to), rule: ruleInWords(schedule) },
        back: text((ctx.request.body as Record<string, unknown>).back),
      });
      return;
    }
    try {
      const schedule = await deps.schedules.stop(id, principal.accountId);
      redirectWithNotice(ctx, `Schedule to ${formatNumber(schedule.to)} deleted; no more calls will be made from it.`);
    } catch (err) {
      if (err instanceof DomainError && (err.code === ErrorCode.conflict || err.code === ErrorCode.notFound)) {
        redirectWithNotice(ctx, `Could not delete the schedule: ${err.message}`);
        return;
      }
      throw err;
    }
  });

  router.get('/schedules/:id', async (ctx) => {
    const principal = await signedIn(ctx);
    if (!principal) return;
    const viewer = viewerOf(ctx);
    const { schedule, upcoming, calls } = await deps.schedules.get(String(ctx.params.id), principal.accountId);
    const r = schedule.repeat;
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = deps.views.render('schedule.njk', {
      ...(await common(ctx, principal)),
      notice: takeNotice(ctx),
      s: {
        id: schedule.id,
        to: formatNumber(schedule.to),
        status: schedule.status,
        statusLabel: STATUS_LABELS[schedule.status],
        rule: ruleInWords(schedule),
        zone: zoneLabel(schedule.timeZone, viewer.now),
        zoneValue: ianaName(schedule.timeZone),
        message: schedule.message,
        retry: schedule.retry,
        endReason: schedule.endReason,
        skipped: schedule.skipAt !== null && schedule.skipReason ? { at: local(schedule.skipAt, schedule.timeZone), reason: schedule.skipReason } : null,
        isCron: 'cron' in r,
        cron: 'cron' in r ? r.cron : '',
        at: 'cron' in r ? '' : r.at,
      },
      upcoming: schedule.status === 'active' ? upcoming.map((at) => bothZones(at, schedule.timeZone, viewer)) : [],
      calls: calls.map((c) => callView(c, viewer)),
      zoneOptions: zoneOptions(viewer.now),
      maxMessage: deps.rules.messageMaxLength,
    });
  });

  for (const [file, asset] of assets) {
    router.get(`/static/${file}`, (ctx) => {
      ctx.type = asset.type;
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = asset.body;
    });
  }
  return router;
}
