import Router from '@koa/router';
import type { Clock } from '../../kernel/clock.ts';
import { DomainError, ErrorCode } from '../../kernel/errors.ts';
import type { Metrics } from '../../kernel/metrics.ts';
import type { StoreLifecycle } from '../../kernel/store-lifecycle.ts';
import type { InstanceInfo } from '../../kernel/instance.ts';
import { createOperatorAccess } from '../security/operator-access.ts';

/**
 * Liveness, readiness, identity and metrics: what a load balancer and an operator poll. /health, /ready and /info
 * stay public; /metrics (process, heap, route and queue details) needs the operator's access, and /info
 * names the host only to the same audience.
 */
export function createHealthRouter(deps: { store: Pick<StoreLifecycle, 'ping'>; clock: Clock; instance: InstanceInfo; metrics: Metrics; config: { metricsToken?: string | undefined } }): Router {
  const router = new Router();
  const operator = createOperatorAccess({ metricsToken: deps.config.metricsToken });
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', async (ctx) => {
    try {
      await deps.store.ping();
    } catch (err) {
      throw new DomainError(ErrorCode.unavailable, 'The database does not answer.', { cause: err });
    }
    ctx.body = { status: 'ready' };
  });
  router.get('/info', (ctx) => {
    const { instanceId, hostname, version, startedAt } = deps.instance;
    ctx.body = {
      instanceId,
      ...(operator.check(ctx) === 'ok' ? { hostname } : {}),
      version,
      startedAt: new Date(startedAt).toISOString(),
      uptimeSeconds: Math.max(0, Math.floor((deps.clock.now() - startedAt) / 1000)),
    };
  });
  router.get('/metrics', async (ctx) => {
    operator.require(ctx);
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}
