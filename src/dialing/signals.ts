import type { QueueSignals } from '../calls/call-service.ts';
import type { ClusterBus } from '../kernel/cluster-bus.ts';
import type { Dialer } from './dialer.ts';

/** The dialer hears what any instance schedules, cancels or frees, and reloads when signals may have been missed. */
export function listenForDials(bus: Pick<ClusterBus, 'subscribe'>, dialer: Pick<Dialer, 'scheduled' | 'canceled' | 'channelFreed' | 'resync'>): () => void {
  return bus.subscribe((signal) => {
    if (signal.kind === 'scheduled') dialer.scheduled({ id: signal.id, dueAt: signal.dueAt });
    else if (signal.kind === 'canceled') dialer.canceled(signal.id);
    else if (signal.kind === 'freed') dialer.channelFreed();
    else if (signal.kind === 'resync') dialer.resync();
  });
}

/** How other modules tell every instance's dialer about a call they scheduled or canceled: over the bus. */
export function queueSignals(bus: Pick<ClusterBus, 'publish'>): QueueSignals {
  return {
    scheduled: (entry) => bus.publish({ kind: 'scheduled', id: entry.id, dueAt: entry.dueAt }),
    canceled: (id) => bus.publish({ kind: 'canceled', id }),
  };
}
