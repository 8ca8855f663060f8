import type { Telephony } from '../../src/calls/carrier.ts';
import { composeDialing } from '../../src/compose/dialing.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Clock } from '../../src/kernel/clock.ts';
import { createInProcessBus } from '../../src/kernel/cluster-bus.ts';
import { createMetrics } from '../../src/kernel/metrics.ts';
import type { Store } from '../../src/store/store.ts';
import { createMemoryLogger } from './memory-logger.ts';
import { queueSignals } from '../../src/dialing/signals.ts';

/** The dialing module alone (compose/dialing.ts) over `store`, with an in-process bus and `telephony` as the carrier as is. */
export function composeDialingAlone(config: Config, store: Store, clock: Clock, telephony: Telephony) {
  const bus = createInProcessBus();
  const { dialer } = composeDialing({
    config,
    store,
    bus,
    clock,
    logger: createMemoryLogger().logger,
    metrics: createMetrics(),
    random: () => 0.5,
    owner: 'this-instance',
    carrier: telephony,
    carrierAsIs: true,
    channelFreed: () => bus.publish({ kind: 'freed' }),
    onClaimed: () => undefined,
    queue: queueSignals(bus),
  });
  return { dialer, bus };
}
