import type { Context, Next } from 'koa';
import { problemFrom, statusProblem, type Problem } from './problem.ts';
import { assignRequestId } from './request-id.ts';
import type { Views } from './views.ts';

/** Headers that survive into an error response besides those set before this middleware ran (security headers);
 *  everything a failed handler set is dropped. */
const KEPT_HEADERS = ['x-request-id', 'allow', 'connection'];

function wantsHtml(ctx: Context): boolean {
  return ctx.accepts(['application/problem+json', 'application/json', 'text/html']) === 'text/html';
}

function send(ctx: Context, problem: Problem, views: Views): void {
  ctx.status = problem.status;
  if (wantsHtml(ctx)) {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = views.render('error.njk', { problem });
  } else {
    ctx.type = 'application/problem+json';
    ctx.body = problem;
  }
}

/**
 * The one error middleware, first in the chain: it names the request, then turns every failure — thrown domain
 * errors, body-parser errors, an unmatched route or method, anything unexpected — into one problem format.
 * Unexpected errors are emitted once on the app (logged there with their stack) and never shown to the client.
 */
export function createErrorMiddleware(deps: { views: Views; newId: () => string }) {
  return async function errorMiddleware(ctx: Context, next: Next): Promise<void> {
    const requestId = assignRequestId(ctx, deps.newId);
    const outer = new Set(ctx.res.getHeaderNames());
    try {
      await next();
      // The router answers 501 to a method it does not implement at all (PROPFIND, TRACE, QUERY): for a route that
      // exists that is a method not allowed here, and a 5xx would say the fault is ours.
      if (ctx.body == null && ctx.status === 501) ctx.status = 405;
      if (ctx.body == null && (ctx.status === 404 || ctx.status === 405)) {
        const detail =
          ctx.status === 404
            ? `No route matches ${ctx.method} ${ctx.path}.`
            : `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('Allow') || 'none'}.`;
        send(ctx, statusProblem(ctx.status, detail, requestId), deps.views);
      }
    } catch (err) {
      const { problem, headers, internal } = problemFrom(err, requestId);
      if (internal) ctx.app.emit('error', err, ctx);
      for (const name of ctx.response.headerSent ? [] : ctx.res.getHeaderNames()) {
        if (!KEPT_HEADERS.includes(name) && !outer.has(name)) ctx.res.removeHeader(name);
      }
      ctx.set(headers);
      send(ctx, problem, deps.views);
    }
  };
}
