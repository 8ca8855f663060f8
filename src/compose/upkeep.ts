import type { CallFlow } from '../calls/call-flow.ts';
import type { Telephony } from '../calls/carrier.ts';
import type { Config } from '../config/schema.ts';
import type { CallPlacer } from '../dialing/place-call.ts';
import type { InboxWorker } from '../inbox/inbox-worker.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { Store } from '../store/store.ts';
import { createHousekeeping, HousekeepingJobs } from '../upkeep/housekeeping.ts';
import { ReconcileLoop } from '../upkeep/reconcile-loop.ts';
import { createReconciler } from '../upkeep/reconciler.ts';

export type UpkeepPart = { reconciler: ReconcileLoop; jobs: HousekeepingJobs };

/** The calls we think are live checked against the carrier's record, and the housekeeping jobs. */
export function composeUpkeep(deps: {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  owner: string;
  telephony: Telephony;
  channelFreed: () => void;
  placeCall: Pick<CallPlacer, 'isDialing'>;
  inboxWorker: Pick<InboxWorker, 'serialise'>;
  callFlow: Pick<CallFlow, 'nudge'>;
}): UpkeepPart {
  const { config, store, clock, logger, metrics, telephony, channelFreed, owner } = deps;
  const reconciler = createReconciler({
    store,
    clock,
    logger,
    metrics,
    telephony,
    channelFreed,
    isDialing: deps.placeCall.isDialing,
    leasedDials: (now) => store.leasedDials(now),
    // On the call's event chain: a nudge never speaks while a webhook of the same call is being applied.
    nudge: (callId) => deps.inboxWorker.serialise(callId, () => deps.callFlow.nudge(callId)),
    options: {
      ringTimeoutMs: config.telnyx.ringTimeoutSecs * 1000,
      timeLimitMs: config.telnyx.timeLimitSecs * 1000,
      dialWindowMs: config.queue.dialRetryWindowSeconds * 1000,
      unknownGraceMs: config.reconcile.unknownGraceSeconds * 1000,
      silentAfterMs: config.reconcile.silentAfterSeconds * 1000,
      hangupGraceMs: config.reconcile.hangupGraceSeconds * 1000,
    },
  });
  const housekeeping = createHousekeeping({
    store,
    clock,
    logger,
    metrics,
    options: config.maintenance,
    channelFreed,
    telephony,
    maxCallMs: (config.queue.dialRetryWindowSeconds + config.telnyx.ringTimeoutSecs + config.telnyx.timeLimitSecs + config.reconcile.hangupGraceSeconds) * 1000,
  });
  return {
    reconciler: new ReconcileLoop({ reconciler, clock, logger, intervalMs: config.reconcile.intervalMs, lease: { leases: store, owner } }),
    jobs: new HousekeepingJobs({ maintenance: housekeeping, options: config.maintenance, logger, lease: { leases: store, owner, clock } }),
  };
}
