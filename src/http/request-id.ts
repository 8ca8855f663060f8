import type { Context } from 'koa';

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives the request its id: the caller's `X-Request-Id` when it is well-formed (so a trace crosses services),
 * else a new one. The id is echoed on the response and carried by every log line and problem.
 */
export function assignRequestId(ctx: Context, newId: () => string): string {
  const given = ctx.get('X-Request-Id');
  const id = WELL_FORMED.test(given) ? given : newId();
  ctx.state.requestId = id;
  ctx.set('X-Request-Id', id);
  return id;
}

/** The id given by {@link assignRequestId}. */
export function requestIdOf(ctx: Context): string {
  return typeof ctx.state.requestId === 'string' ? ctx.state.requestId : '';
}
