import Router from '@koa/router';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'koa';
import { DateTime } from 'luxon';
import type { Call } from '../../calls/call.ts';
import type { CallService } from '../../calls/call-service.ts';
import { parseFormSchedule, type SchedulingRules } from '../../calls/schedule-input.ts';
import { canonicalZone } from '../../calls/time-zones.ts';
import { decodeCookieValue } from '../security/cookie-value.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, ErrorCode, LimitError, ValidationError, type FieldError } from '../../errors.ts';
import { ERROR_TABLE } from '../error-table.ts';
import type { Views } from '../views.ts';
import type { Csrf } from '../auth/csrf.ts';
import type { Principal, RequestAuth } from '../auth/request-auth.ts';

const UPCOMING = ['scheduled', 'dialing', 'ringing', 'in_progress'] as const;
const FINISHED = ['completed', 'busy', 'no_answer', 'failed', 'canceled', 'missed'] as const;
const STATIC_TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
const NOTICE_COOKIE = 'notice';
const ZONE_COOKIE = 'tz';

function zones(): string[] {
  const list = Intl.supportedValuesOf('timeZone');
  return list.includes('UTC') ? list : ['UTC', ...list];
}

function viewerZone(ctx: Context): string {
  // A malformed or made-up cookie falls back to UTC; the fixed zone list decides before luxon sees the name.
  return canonicalZone(decodeCookieValue(ctx.cookies.get(ZONE_COOKIE))) ?? 'UTC';
}

function shown(call: Call, zone: string) {
  const local = DateTime.fromMillis(call.dueAt, { zone });
  return {
    ...call,
    iso: new Date(call.dueAt).toISOString(),
    when: local.toFormat('ccc d LLL yyyy, HH:mm'),
    zoneLabel: local.toFormat('ZZZZ'),
    statusLabel: call.status.replace('_', ' '),
  };
}

/**
 * The scheduling page: works as plain HTML forms (post/redirect/get with a one-time notice); with JavaScript the
 * browser's zone is pre-selected and the lists refresh themselves. Static assets are read into memory at start:
 * two small files do not warrant a static-file middleware, and nothing on a request path touches the disk.
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
  /** The signed-in account, or undefined after redirecting to the sign-in page (which returns here). */
  async function signedIn(ctx: Context): Promise<Principal | undefined> {
    const principal = await deps.auth.identify(ctx);
    if (principal) return principal;
    ctx.status = 303;
    ctx.redirect(ctx.method === 'GET' ? `/login?next=${encodeURIComponent(ctx.path)}` : '/login');
    return undefined;
  }
  /** A form post must carry this visitor's CSRF token (403 otherwise), checked before anything else. */
  const post = (path: string, handler: (ctx: Context, principal: Principal) => Promise<void>) =>
    router.post(path, async (ctx) => {
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      await deps.csrf.verify(ctx, body._csrf);
      const principal = await signedIn(ctx);
      if (principal) await handler(ctx, principal);
    });
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const file of ['site.css', 'app.js']) {
    assets.set(file, { type: STATIC_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream', body: readFileSync(join(deps.templatesDir, 'static', file)) });
  }
  const zoneList = zones();

  async function lists(zone: string, accountId: string) {
    const upcoming = await deps.calls.list({ accountId, statuses: UPCOMING, limit: 50 });
    const recent = await deps.calls.list({ accountId, statuses: FINISHED, limit: 20 });
    // Calls under way lead the list; the API's order (scheduled soonest first) follows.
    const live = upcoming.items.filter((c) => c.status !== 'scheduled');
    const waiting = upcoming.items.filter((c) => c.status === 'scheduled');
    return { upcoming: [...live, ...waiting].map((c) => shown(c, zone)), recent: recent.items.map((c) => shown(c, zone)) };
  }

  async function renderPage(ctx: Context, principal: Principal, form: Record<string, string>, errors: FieldError[] = [], notice?: string, problem?: string) {
    const zone = canonicalZone(form.timezone) ?? viewerZone(ctx);
    const errorsByField: Record<string, string[]> = {};
    for (const e of errors) (errorsByField[e.path] ??= []).push(e.message);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = deps.views.render('index.njk', {
      form,
      errors: errorsByField,
      hasErrors: errors.length > 0,
      notice,
      problem,
      account: principal.session ? { email: principal.session.email } : { email: '' },
      csrfToken: await deps.csrf.token(ctx),
      devOutbox: deps.devOutbox,
      zones: zoneList,
      zone,
      simulated: deps.simulated,
      maxMessage: deps.rules.messageMaxLength,
      ...(await lists(viewerZone(ctx), principal.accountId)),
    });
  }

  function takeNotice(ctx: Context): string | undefined {
    const notice = ctx.cookies.get(NOTICE_COOKIE);
    if (notice === undefined) return undefined;
    ctx.cookies.set(NOTICE_COOKIE, null, { path: '/' });
    return decodeCookieValue(notice);
  }

  function redirectWithNotice(ctx: Context, notice: string) {
    ctx.cookies.set(NOTICE_COOKIE, encodeURIComponent(notice), { path: '/', httpOnly: true, sameSite: 'lax' });
    ctx.status = 303;
    ctx.redirect('/');
  }

  router.get('/', async (ctx) => {
    const principal = await signedIn(ctx);
    if (!principal) return;
    const zone = viewerZone(ctx);
    const soon = DateTime.fromMillis(deps.clock.now(), { zone }).plus({ minutes: 2 }).startOf('minute');
    await renderPage(ctx, principal, { date: soon.toISODate() ?? '', time: soon.toFormat('HH:mm'), timezone: zone, to: '', message: '' }, [], takeNotice(ctx));
  });

  router.get('/partials/calls', async (ctx) => {
    const principal = await deps.auth.require(ctx);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = deps.views.render('calls.njk', { ...(await lists(viewerZone(ctx), principal.accountId)), csrfToken: await deps.csrf.token(ctx) });
  });

  post('/calls', async (ctx, principal) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const form = Object.fromEntries(['to', 'date', 'time', 'timezone', 'message'].map((k) => [k, typeof body[k] === 'string' ? body[k] : '']));
    try {
      const call = await deps.calls.schedule(parseFormSchedule(body, deps.clock.now(), deps.rules), principal.accountId);
      // Readable by the page's script, which sets the same cookie from the browser's zone.
      ctx.cookies.set(ZONE_COOKIE, encodeURIComponent(call.timeZone), { path: '/', sameSite: 'lax', httpOnly: false, maxAge: 365 * 86_400_000 });
      redirectWithNotice(ctx, `Call to ${call.to} scheduled for ${shown(call, call.timeZone).when} (${call.timeZone}).`);
    } catch (err) {
      // A client that did not ask for HTML gets the error middleware's problem+json instead of the form.
      if (ctx.accepts(['application/problem+json', 'application/json', 'text/html']) !== 'text/html') throw err;
      if (err instanceof LimitError) {
        // Said plainly above the form, with the same Retry-After a program gets.
        ctx.status = 429;
        ctx.set('Retry-After', String(err.retryAfterSeconds));
        await renderPage(ctx, principal, form, [], undefined, err.message);
        return;
      }
      if (!(err instanceof ValidationError)) throw err;
      ctx.status = ERROR_TABLE[err.code].status;
      await renderPage(ctx, principal, form, [...err.errors]);
    }
  });

  post('/calls/:id/cancel', async (ctx, principal) => {
    try {
      const call = await deps.calls.cancel(String((ctx.params as Record<string, string>).id), principal.accountId);
      redirectWithNotice(ctx, `Call to ${call.to} canceled.`);
    } catch (err) {
      if (err instanceof DomainError && (err.code === ErrorCode.conflict || err.code === ErrorCode.notFound)) {
        redirectWithNotice(ctx, `Could not cancel: ${err.message}`);
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
