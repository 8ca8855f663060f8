import type { Context, Middleware, Next } from 'koa';
import helmet from 'koa-helmet';

/**
 * Security headers on every response, errors included (the error middleware keeps headers set before it ran):
 * helmet's set with a strict Content-Security-Policy. The pages load their script and style from /static only, so
 * no inline script, style or event handler is allowed (a stored XSS payload cannot run even if escaping failed),
 * and no other site may frame them (clickjacking). HSTS is sent only on a request that arrived over https (directly
 * or as a trusted proxy's X-Forwarded-Proto says, see proxy-trust.ts): sent over plain http it would lock a
 * developer's localhost out.
 */
export function createSecurityHeaders(): Middleware {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
  });
  const hsts = helmet.strictTransportSecurity({ maxAge: 31_536_000, includeSubDomains: true });
  return async function securityHeaders(ctx: Context, next: Next): Promise<void> {
    if (ctx.secure) await hsts(ctx, () => Promise.resolve());
    await headers(ctx, next);
  };
}
