import Koa from 'koa';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import type { Deps } from './deps.ts';
import { createErrorMiddleware } from './http/error-middleware.ts';
import { createObserveMiddleware } from './http/observe-middleware.ts';
import { requestIdOf } from './http/request-id.ts';
import { createHealthRouter } from './http/routes/health-routes.ts';

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
  app.use(koaBody({ jsonLimit: limit, formLimit: limit, textLimit: limit, includeUnparsed: true, multipart: false }));

  const router = new Router();
  const health = createHealthRouter(deps);
  router.use(health.routes());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
