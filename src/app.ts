import Koa from 'koa';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import type { Deps } from './deps.ts';
import { createErrorMiddleware } from './http/error-middleware.ts';
import { createObserveMiddleware } from './http/observe-middleware.ts';
import { requestIdOf } from './http/request-id.ts';
import { createHealthRouter } from './http/routes/health-routes.ts';
import { createApiRouter } from './http/routes/api-routes.ts';
import { createPageRouter } from './http/routes/page-routes.ts';
import { createWebhookRouter, WEBHOOK_PATH } from './http/routes/webhook-routes.ts';
import { join } from 'node:path';
import { ROOT_DIR } from './deps.ts';

/** Builds the Koa app from its dependencies. It does not listen: {@link Service} (or a test) does. */
export function createApp(deps: Deps): Koa {
  const app = new Koa();
  app.silent = true;
  app.on('error', (err: unknown, ctx?: Koa.Context) => {
    deps.logger.error({ err, requestId: ctx ? requestIdOf(ctx) : undefined }, 'unexpected error');
  });

  app.use(createErrorMiddleware({ views: deps.views, newId: deps.newId }));
  app.use(createObserveMiddleware({ logger: deps.logger, metrics: deps.metrics }));
  const limit = deps.config.http.bodyLimitBytes;
  const parseBody = koaBody({ jsonLimit: limit, formLimit: limit, textLimit: limit, multipart: false });
  // The webhook reads its own raw body: its signature must be checked before anything parses it.
  app.use(async (ctx, next) => {
    if (ctx.path === WEBHOOK_PATH) await next();
    else await parseBody(ctx, next);
  });

  const router = new Router();
  const templatesDir = join(ROOT_DIR, 'templates');
  for (const part of [
    createHealthRouter(deps),
    createApiRouter(deps),
    createPageRouter({ ...deps, templatesDir }),
    createWebhookRouter({ ...deps, bodyLimitBytes: limit }),
  ]) {
    router.use(part.routes());
  }
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
