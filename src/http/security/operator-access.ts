import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** True for 127.0.0.0/8 and ::1, plain or IPv4-mapped. */
export function isLoopbackClient(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/**
 * True when the request comes from this host itself: its socket is on loopback *and* no trusted proxy forwarded it
 * for someone else (`ctx.ip`, set from TRUSTED_PROXIES by proxy-trust.ts). A forwarded address alone never makes a
 * request local — the socket decides, so a forged `X-Forwarded-For: 127.0.0.1` from a direct client is worth
 * nothing — and a proxy on the same host, whose socket is loopback for every client, does not make its remote
 * clients local either.
 */
export function isLocalRequest(ctx: Pick<Context, 'ip' | 'req'>): boolean {
  return isLoopbackClient(ctx.req.socket.remoteAddress ?? '') && isLoopbackClient(ctx.ip);
}

/**
 * Who may see process details (/metrics, /info's host name): with METRICS_TOKEN set, a request carrying it as a
 * bearer token; without, a request from this host only ({@link isLocalRequest}: a scraper on the same host or a
 * sidecar).
 */
export function createOperatorAccess(deps: { metricsToken: string | undefined }) {
  const expected = deps.metricsToken === undefined ? undefined : digest(deps.metricsToken);
  return {
    /** `ok`, or why not: `token` (a token is configured and was not given correctly) or `remote`. */
    check(ctx: Context): 'ok' | 'token' | 'remote' {
      if (expected) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('Authorization'));
        // Compared as digests, so neither the length nor a prefix of the token leaks through timing.
        return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected) ? 'ok' : 'token';
      }
      return isLocalRequest(ctx) ? 'ok' : 'remote';
    },
    /** Throws the 401/403 problem for a request {@link check} refused. */
    require(ctx: Context): void {
      const verdict = this.check(ctx);
      if (verdict === 'token') {
        ctx.throw(401, 'This endpoint needs the metrics token as a bearer token.', { expose: true, headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } });
      }
      if (verdict === 'remote') ctx.throw(403, 'This endpoint answers only on the loopback interface (or set METRICS_TOKEN).', { expose: true });
    },
  };
}
export type OperatorAccess = ReturnType<typeof createOperatorAccess>;
