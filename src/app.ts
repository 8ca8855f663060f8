import Koa from 'koa';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import compose from 'koa-compose';
import type { Deps } from './compose/index.ts';
import { createErrorMiddleware } from './http/error-middleware.ts';
import { createObserveMiddleware } from './http/observe-middleware.ts';
import { requestIdOf } from './http/request-id.ts';
import { createHealthRouter } from './http/routes/health-routes.ts';
import { createApiRouter } from './http/routes/api-routes.ts';
import { createPageRouter } from './http/routes/page-routes.ts';
import { createWebhookRouter, WEBHOOK_PATH } from './http/routes/webhook-routes.ts';
import { join } from 'node:path';
import { withoutRedaction } from './kernel/logger.ts';
import { ROOT_DIR } from './kernel/paths.ts';
import { createSecurityHeaders } from './http/security/security-headers.ts';
import { createHostCheck } from './http/security/host-check.ts';
import { createProxyTrust, createProxyTrustMiddleware, trustedProxyList } from './http/security/proxy-trust.ts';
import { createRequestAuth } from './http/auth/request-auth.ts';
import { createCsrf } from './http/auth/csrf.ts';
import { createAuthRouter } from './http/routes/auth-routes.ts';
import { createAccountPageRouter } from './http/routes/account-page-routes.ts';
import { createDevMailRouter } from './http/routes/dev-mail-routes.ts';
import { createScheduleRouter } from './http/routes/schedule-routes.ts';
import { createSchedulePageRouter } from './http/routes/schedule-page-routes.ts';
import { createDocsRouter } from './http/routes/docs-routes.ts';
import { buildOpenApiDocument } from './http/openapi/openapi-document.ts';

/** Builds the Koa app from its dependencies. It does not listen: {@link Service} (or a test) does. */
export function createApp(deps: Deps): Koa {
  const app = new Koa();
  app.silent = true;
  app.on('error', (err: unknown, ctx?: Koa.Context) => {
    deps.logger.error({ err, requestId: ctx ? requestIdOf(ctx) : undefined }, 'unexpected error');
  });

  // Koa's proxy mode believes X-Forwarded-* from every peer or from none; the first middleware sets ctx.ip and
  // ctx.protocol instead, believing only peers in TRUSTED_PROXIES (http/security/proxy-trust.ts).
  app.proxy = false;
  app.use(createProxyTrustMiddleware(createProxyTrust(trustedProxyList(deps.config.http))));

  const errors = createErrorMiddleware({ views: deps.views, newId: deps.newId });
  // The access line's fields are the request's method, path, status and timings, none a secret: it is written
  // without the redaction pass (see kernel/logger.ts), which costs far more than the line itself.
  const observe = createObserveMiddleware({ logger: withoutRedaction(deps.logger), metrics: deps.metrics });
  const hostCheck = createHostCheck({
    listenHost: deps.config.host,
    publicUrl: deps.config.publicUrl,
    allowedHosts: deps.config.http.allowedHosts,
    tunnelUrl: () => deps.endpoint.tunnelUrl,
  });
  const limit = deps.config.http.bodyLimitBytes;

  // `/webhook` first, on a short stack of its own: problems, the access line and metrics, the host check, then the
  // route, which reads its own raw body (its signature is checked before anything parses it). Telnyx reads none of
  // the page headers helmet sets, nor does it need the body parser or the page routers in front of its acknowledgement.
  const webhook = createWebhookRouter({ receiveWebhook: deps.receiveWebhook, bodyLimitBytes: limit });
  const webhookStack = compose<Koa.Context>([errors, observe, hostCheck, webhook.routes() as Koa.Middleware, webhook.allowedMethods() as Koa.Middleware]);
  app.use(async (ctx, next) => {
    if (ctx.path === WEBHOOK_PATH) await webhookStack(ctx, () => Promise.resolve());
    else await next();
  });

  // Outside the error middleware, so its headers stay on error responses too.
  app.use(createSecurityHeaders());
  app.use(errors);
  app.use(observe);
  app.use(hostCheck);
  const parseBody = koaBody({ jsonLimit: limit, formLimit: limit, textLimit: limit, multipart: false });
  app.use(parseBody);

  const router = new Router();
  const templatesDir = join(ROOT_DIR, 'templates');
  const auth = createRequestAuth({ tokens: deps.tokens, sessions: deps.sessions });
  const csrf = createCsrf({ auth });
  // The outbox page exists only where the config allows it (never in production; tests opt in).
  const devOutbox = deps.config.mail.devOutbox && deps.outbox !== undefined;
  // What the scheduling pages share: the call use-cases, the rules they check, the views, the signed-in guard.
  const pages = { calls: deps.calls, clock: deps.clock, rules: deps.rules, views: deps.views, simulated: deps.simulated, auth, csrf, devOutbox };
  for (const part of [
    createHealthRouter({ store: deps.store, clock: deps.clock, instance: deps.instance, metrics: deps.metrics, config: { metricsToken: deps.config.metricsToken } }),
    createAuthRouter({ accounts: deps.accounts, tokens: deps.tokens, accessTokenSeconds: deps.config.auth.accessTokenSeconds }),
    createApiRouter({ calls: deps.calls, clock: deps.clock, rules: deps.rules, auth, csrf, store: deps.store, live: deps.live }),
    createScheduleRouter({ schedules: deps.schedules, auth, csrf }),
    createSchedulePageRouter({ ...pages, schedules: deps.schedules }),
    createAccountPageRouter({ accounts: deps.accounts, sessions: deps.sessions, auth, csrf, views: deps.views, devOutbox }),
    createPageRouter({ ...pages, templatesDir }),
    createDocsRouter({ views: deps.views, templatesDir, openapi: buildOpenApiDocument({ version: deps.instance.version, serverUrl: deps.config.publicUrl }) }),
    ...(devOutbox && deps.outbox ? [createDevMailRouter({ outbox: deps.outbox, views: deps.views })] : []),
  ]) {
    router.use(part.routes());
  }
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
