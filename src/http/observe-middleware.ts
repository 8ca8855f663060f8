import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { Metrics } from '../kernel/metrics.ts';
import { requestIdOf } from './request-id.ts';

/** The route pattern (`/api/calls/:id`), never the raw path, so metric labels stay few. */
function routeOf(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : 'unmatched';
}

/**
 * Requests that say nothing about what people do with the service — static files, the API reference's assets,
 * health and readiness probes, metrics scrapes — are logged at `debug` while they succeed: on a short browser walk
 * they were most of the log. A failing one still says so at `info`.
 */
const ROUTINE = /^\/(static|docs\/api)\/[^/]+$|^\/(health|ready|metrics|favicon\.ico)$/;

/** True for a request logged at `debug` (see {@link ROUTINE}). */
export function isRoutine(path: string, status: number): boolean {
  return status < 400 && ROUTINE.test(path);
}

/**
 * One log line and one metrics sample per request, taken when the response has been written, so the status
 * is the final one whatever the error middleware did. Durations use the monotonic clock.
 */
export function createObserveMiddleware(deps: { logger: Logger; metrics: Metrics }) {
  return async function observe(ctx: Context, next: Next): Promise<void> {
    const started = process.hrtime.bigint();
    ctx.res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { route: routeOf(ctx), method: ctx.method, status: String(ctx.status) };
      deps.metrics.httpRequests.inc(labels);
      deps.metrics.httpDuration.observe(labels, seconds);
      deps.logger[isRoutine(ctx.path, ctx.status) ? 'debug' : 'info'](
        {
          requestId: requestIdOf(ctx),
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          durationMs: Math.round(seconds * 1e6) / 1e3,
          aborted: !ctx.res.writableFinished,
        },
        'request',
      );
    });
    await next();
  };
}
