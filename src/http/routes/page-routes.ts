import Router from '@koa/router';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'koa';
import { DateTime } from 'luxon';
import type { CallService } from '../../calls/call-service.ts';
import { parseFormSchedule, type SchedulingRules } from '../../calls/input/schedule-input.ts';
import { canonicalZone } from '../../calls/input/time-zones.ts';
import { decodeCookieValue } from '../security/cookie-value.ts';
import type { Clock } from '../../kernel/clock.ts';
import { DomainError, ErrorCode, LimitError, ValidationError, type FieldError } from '../../kernel/errors.ts';
import { ERROR_TABLE } from '../error-table.ts';
import type { Views } from '../views.ts';
import type { Csrf } from '../auth/csrf.ts';
import type { Principal, RequestAuth } from '../auth/request-auth.ts';
import { createPageGuard } from '../auth/page-guard.ts';
import { callView, formatTime, formatWhen, groupCalls, pickLocale, relative, type Viewer } from '../pages/call-view.ts';
import { formatNumber } from '../pages/call-words.ts';
import { timelineView } from '../pages/timeline-words.ts';
import { cityOf, createZoneOptions, ianaName, resolveZoneInput, zoneLabel } from '../pages/zone-options.ts';

const UPCOMING = ['scheduled', 'dialing', 'ringing', 'in_progress'] as const;
const FINISHED = ['completed', 'busy', 'no_answer', 'failed', 'canceled', 'missed'] as const;
const STATIC_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const NOTICE_COOKIE = 'notice';
/** The viewer's display zone: set by the page's script from the browser, or by the "Times shown in" form. */
const ZONE_COOKIE = 'tz';
/** Present when the person chose the display zone themselves: the script then leaves it alone. */
const ZONE_CHOSEN_COOKIE = 'tzchosen';
const FIELD_LABELS: Record<string, string> = { to: 'Phone number', date: 'Date', time: 'Time', timezone: 'Time zone', message: 'Message' };
/** "A few minutes from now": far enough ahead to fill the form in, near enough to try the service at once. */
const DEFAULT_LEAD_MINUTES = 3;

type Notice = { kind: 'ok' | 'error'; text: string };

function viewerZone(ctx: Context): string {
  // A malformed or made-up cookie falls back to UTC; the fixed zone list decides before luxon sees the name.
  return canonicalZone(decodeCookieValue(ctx.cookies.get(ZONE_COOKIE))) ?? 'UTC';
}

/**
 * The scheduling page, a call's own page and the forms behind them: plain HTML forms (post/redirect/get with a
 * one-time notice) that the script enhances (live list, zone defaults). Two zones are kept apart: the viewer's
 * (how times are shown, from the browser) and each call's (where the callee is, chosen per call). Static assets
 * are read into memory at start: nothing on a request path touches the disk.
 */
export function createPageRouter(deps: {
  calls: CallService;
  clock: Clock;
  rules: SchedulingRules;
  views: Views;
  templatesDir: string;
  simulated: boolean;
  auth: RequestAuth;
  csrf: Csrf;
  devOutbox: boolean;
}): Router {
  const router = new Router();
  const zoneOptions = createZoneOptions();
  const { signedIn, post } = createPageGuard(deps, router);
  const assets = new Map<string, { type: string; body: Buffer }>();
  // app.js is the pages' entry module; the others are the modules it imports (flat: /static/:file is one segment).
  const scripts = ['app.js', 'zone-time.js', 'viewer-zone.js', 'schedule-form.js', 'form-helpers.js', 'morph.js', 'live-list.js'];
  for (const file of ['site.css', ...scripts, 'favicon.svg']) {
    assets.set(file, { type: STATIC_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream', body: readFileSync(join(deps.templatesDir, 'static', file)) });
  }

  const viewerOf = (ctx: Context): Viewer => ({ zone: viewerZone(ctx), locale: pickLocale(ctx.acceptsLanguages()), now: deps.clock.now() });

  async function lists(viewer: Viewer, accountId: string) {
    const upcoming = await deps.calls.list({ accountId, statuses: UPCOMING, limit: 50 });
    const recent = await deps.calls.list({ accountId, statuses: FINISHED, limit: 20 });
    return groupCalls(upcoming.items, recent.items, viewer);
  }

  /** "in 3 minutes — 22:41 your time", said beside the fields, for the date and time as the form holds them. */
  function whenHint(form: Record<string, string>, viewer: Viewer): string {
    const zone = resolveZoneInput(form.timezone);
    const local = zone ? DateTime.fromISO(`${form.date}T${form.time}`, { zone }) : undefined;
    if (!zone || !local?.isValid) return 'Pick a date, a time and the zone of the person you call.';
    const at = local.toMillis();
    const yours = `${formatTime(at, viewer.zone, viewer.locale)} your time (${cityOf(viewer.zone)})`;
    return `${relative(at, viewer)} — ${at - viewer.now > 20 * 3_600_000 ? formatWhen(at, viewer.zone, viewer) + ' your time' : yours}`;
  }

  async function common(ctx: Context, principal: Principal) {
    return {
      account: principal.session ? { email: principal.session.email } : { email: '' },
      csrfToken: await deps.csrf.token(ctx),
      devOutbox: deps.devOutbox,
      simulated: deps.simulated,
    };
  }

  async function renderPage(ctx: Context, principal: Principal, form: Record<string, string>, errors: FieldError[] = [], notice?: Notice) {
    const viewer = viewerOf(ctx);
    const errorsByField: Record<string, string[]> = {};
    for (const e of errors) (errorsByField[e.path] ??= []).push(e.message);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = deps.views.render('index.njk', {
      ...(await common(ctx, principal)),
      form,
      errors: errorsByField,
      errorList: errors.map((e) => ({ field: FIELD_LABELS[e.path] ? e.path : 'to', text: `${FIELD_LABELS[e.path] ?? e.path} ${e.message}` })),
      hasErrors: errors.length > 0,
      notice: notice?.kind === 'ok' ? notice.text : undefined,
      problem: notice?.kind === 'error' ? notice.text : undefined,
      zoneOptions: zoneOptions(viewer.now),
      viewerZone: ianaName(viewer.zone),
      viewerZoneLabel: zoneLabel(viewer.zone, viewer.now),
      whenHint: whenHint(form, viewer),
      since: viewer.now,
      maxMessage: deps.rules.messageMaxLength,
      ...(await lists(viewer, principal.accountId)),
    });
  }

  function takeNotice(ctx: Context): Notice | undefined {
    const raw = ctx.cookies.get(NOTICE_COOKIE);
    if (raw === undefined) return undefined;
    ctx.cookies.set(NOTICE_COOKIE, null, { path: '/' });
    const text = decodeCookieValue(raw) ?? '';
    return text.startsWith('!') ? { kind: 'error', text: text.slice(1) } : { kind: 'ok', text };
  }

  function redirectWithNotice(ctx: Context, notice: Notice, to = '/') {
    ctx.cookies.set(NOTICE_COOKIE, encodeURIComponent(`${notice.kind === 'error' ? '!' : ''}${notice.text}`), { path: '/', httpOnly: true, sameSite: 'lax' });
    ctx.status = 303;
    ctx.redirect(to);
  }

  router.get('/', async (ctx) => {
    // A stranger gets the first page: what this is, sign in and register side by side (and the simulated-mode note).
    const principal = await deps.auth.identify(ctx);
    if (!principal) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = deps.views.render('welcome.njk', { csrfToken: await deps.csrf.token(ctx), devOutbox: deps.devOutbox, simulated: deps.simulated });
      return;
    }
    const zone = viewerZone(ctx);
    const soon = DateTime.fromMillis(deps.clock.now(), { zone }).plus({ minutes: DEFAULT_LEAD_MINUTES }).startOf('minute');
    await renderPage(ctx, principal, { date: soon.toISODate() ?? '', time: soon.toFormat('HH:mm'), timezone: ianaName(zone), to: '', message: '' }, [], takeNotice(ctx));
  });

  router.get('/partials/calls', async (ctx) => {
    const principal = await deps.auth.require(ctx);
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = deps.views.render('calls.njk', { ...(await lists(viewerOf(ctx), principal.accountId)), csrfToken: await deps.csrf.token(ctx) });
  });

  post('/calls', async (ctx, principal) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const form = Object.fromEntries(['to', 'date', 'time', 'timezone', 'message'].map((k) => [k, typeof body[k] === 'string' ? body[k] : '']));
    try {
      // A city typed without picking from the list ("auckland") is taken for its zone.
      const zone = resolveZoneInput(form.timezone);
      const request = parseFormSchedule({ ...body, timezone: zone ?? form.timezone }, deps.clock.now(), deps.rules);
      const call = await deps.calls.schedule(request, principal.accountId);
      // The viewer's display zone is not touched: a call to Auckland says nothing about where the viewer is.
      const viewer = viewerOf(ctx);
      const view = callView(call, viewer);
      const callee = view.calleeWhen ? ` (${view.calleeWhen})` : '';
      redirectWithNotice(ctx, { kind: 'ok', text: `Call to ${view.to} scheduled for ${view.when} your time${callee}, ${view.relative}.` });
    } catch (err) {
      // A client that did not ask for HTML gets the error middleware's problem+json instead of the form.
      if (ctx.accepts(['application/problem+json', 'application/json', 'text/html']) !== 'text/html') throw err;
      if (err instanceof LimitError) {
        // Said plainly above the form, with the same Retry-After a program gets.
        ctx.status = 429;
        ctx.set('Retry-After', String(err.retryAfterSeconds));
        await renderPage(ctx, principal, form, [], { kind: 'error', text: err.message });
        return;
      }
      if (!(err instanceof ValidationError)) throw err;
      ctx.status = ERROR_TABLE[err.code].status;
      await renderPage(ctx, principal, form, [...err.errors]);
    }
  });

  post('/viewer-zone', (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const zone = resolveZoneInput(body.zone);
    if (!zone) {
      redirectWithNotice(ctx, { kind: 'error', text: 'That time zone is not known: type a city such as Berlin, or pick one from the list.' });
      return Promise.resolve();
    }
    const year = 365 * 86_400_000;
    ctx.cookies.set(ZONE_COOKIE, encodeURIComponent(zone), { path: '/', sameSite: 'lax', httpOnly: false, maxAge: year });
    ctx.cookies.set(ZONE_CHOSEN_COOKIE, '1', { path: '/', sameSite: 'lax', httpOnly: false, maxAge: year });
    redirectWithNotice(ctx, { kind: 'ok', text: `Times are now shown in ${zoneLabel(zone, deps.clock.now())}.` });
    return Promise.resolve();
  });

  router.get('/calls/:id', async (ctx) => {
    const principal = await signedIn(ctx);
    if (!principal) return;
    // Another account's call is "not found" (the service's get checks the owner).
    const { call, events } = await deps.calls.get(String(ctx.params.id), principal.accountId);
    const viewer = viewerOf(ctx);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = deps.views.render('call.njk', {
      ...(await common(ctx, principal)),
      c: callView(call, viewer),
      viewerZoneLabel: zoneLabel(viewer.zone, call.dueAt),
      timeline: timelineView(call, events, viewer),
      notice: takeNotice(ctx),
    });
  });

  post('/calls/:id/cancel', async (ctx, principal) => {
    const id = String((ctx.params as Record<string, string>).id);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    if (body.confirmed !== 'yes') {
      // Without the script's confirm dialog, a page asks instead.
      const { call } = await deps.calls.get(id, principal.accountId);
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = deps.views.render('cancel.njk', { ...(await common(ctx, principal)), c: callView(call, viewerOf(ctx)) });
      return;
    }
    try {
      const call = await deps.calls.cancel(id, principal.accountId);
      redirectWithNotice(ctx, { kind: 'ok', text: `Call to ${formatNumber(call.to)} canceled.` });
    } catch (err) {
      if (err instanceof DomainError && (err.code === ErrorCode.conflict || err.code === ErrorCode.notFound)) {
        redirectWithNotice(ctx, { kind: 'error', text: `Could not cancel: ${err.message}` });
        return;
      }
      throw err;
    }
  });

  router.get('/static/:file', (ctx) => {
    const asset = assets.get(ctx.params.file as string);
    if (!asset) return; // falls through to the 404 problem
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = asset.body;
  });

  return router;
}
