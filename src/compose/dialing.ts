import type { Call } from '../calls/call.ts';
import type { Telephony } from '../calls/carrier.ts';
import type { Config } from '../config/schema.ts';
import { createDialLimiter } from '../dialing/dial-limiter.ts';
import { withDialRetries } from '../dialing/dial-retries.ts';
import { Dialer } from '../dialing/dialer.ts';
import { createCallPlacer, type CallPlacer } from '../dialing/place-call.ts';
import { DIAL_LEASE_MS, DialRecovery } from '../dialing/recovery.ts';
import { listenForDials } from '../dialing/signals.ts';
import { createChannelRefusalHandler, type ChannelRefusalHandler } from '../dialing/requeue-call.ts';
import type { QueueSignals } from '../calls/call-service.ts';
import type { ClusterBus } from '../kernel/cluster-bus.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { Store } from '../store/store.ts';
import type { NewEvent } from '../calls/call-store.ts';
import { createWriteBatch } from '../kernel/turn-batch.ts';

export type DialingPart = { dialer: Dialer; placeCall: CallPlacer; telephony: Telephony; channelRefusal: ChannelRefusalHandler };

/**
 * Claim → dial → retry → recover: one dial-rate limiter shared through the database (claims, dial retries and
 * recovered dials take its slots), the dialer's window and ready line, and recovery of dead instances' dials.
 */
export function composeDialing(deps: {
  config: Config;
  store: Store;
  bus: ClusterBus;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  random: () => number;
  owner: string;
  carrier: Telephony;
  /** Set by tests: the carrier as given, without dialing's retries. */
  carrierAsIs: boolean;
  channelFreed: () => void;
  /** A call left `scheduled` for a dial (an occurrence's schedule wants its next one). */
  onClaimed: (call: Call) => void;
  queue: QueueSignals;
}): DialingPart {
  const { config, store, clock, logger, metrics } = deps;
  const { queue } = config;
  const dialRate = createDialLimiter({ store, clock, perSecond: queue.dialsPerSecond, windowMs: 1000 + queue.dialRateMarginMs });
  const telephony = deps.carrierAsIs
    ? deps.carrier
    : withDialRetries(deps.carrier, {
        clock,
        random: deps.random,
        logger,
        // Every dial retry must land inside Telnyx's 60 s command_id window, or a repeat could place a second call.
        policy: { baseMs: 250, capMs: 8000, budgetMs: queue.dialRetryWindowSeconds * 1000 },
        dialRate,
        // Half the rate's margin: a dial sent later than that after its slot takes a fresh one (see the margin).
        staleSlotMs: queue.dialRateMarginMs / 2,
      });
  // A channel-limit refusal (SIP 403 on the leg, or the dial refused in so many words) goes back to the queue.
  const channelRefusal: ChannelRefusalHandler = createChannelRefusalHandler({
    store,
    clock,
    logger,
    metrics,
    queue: { scheduled: (entry) => deps.queue.scheduled(entry), channelRefused: () => dialer.channelRefused() },
    channelFreed: deps.channelFreed,
    options: { backoffMs: queue.channelLimitBackoffSeconds * 1000, maxRequeues: queue.channelLimitMaxRequeues },
  });
  // The timeline rows the dials of one event-loop turn write as they go out (a claimed batch's) in one insert.
  const dialTimeline = createWriteBatch<NewEvent>((events) => store.appendTimeline(events));
  const placeCall = createCallPlacer({
    store: { ...store, appendEvent: dialTimeline },
    clock,
    logger,
    metrics,
    telephony,
    channelFreed: deps.channelFreed,
    dialWindowMs: queue.dialRetryWindowSeconds * 1000,
    onChannelRefused: (call, reason) => channelRefusal.onDialRefused(call, reason),
  });
  const recovery = new DialRecovery({
    store,
    clock,
    logger,
    metrics,
    owner: deps.owner,
    limiter: dialRate,
    dispatch: placeCall,
    dialing: placeCall.dialing,
    options: { leaseMs: DIAL_LEASE_MS, dialWindowMs: queue.dialRetryWindowSeconds * 1000, maxLatenessSeconds: queue.maxLatenessSeconds },
  });
  const dialer = new Dialer({
    store,
    clock,
    logger,
    metrics,
    options: { windowSize: queue.windowSize, leaseMs: DIAL_LEASE_MS, maxCallsPerAccount: queue.maxCallsPerAccount },
    capacity: { maxConcurrentCalls: queue.maxConcurrentCalls, probeSeconds: queue.capacityProbeSeconds },
    limiter: dialRate,
    recovery,
    owner: deps.owner,
    dispatch: (call, how) => {
      deps.onClaimed(call);
      return placeCall(call, how);
    },
  });
  listenForDials(deps.bus, dialer);
  return { dialer, placeCall, telephony, channelRefusal };
}
