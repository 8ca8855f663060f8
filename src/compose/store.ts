import { withTransitionLog } from '../calls/transition-log.ts';
import { createInProcessBus, type ClusterBus } from '../kernel/cluster-bus.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import { createChangeSignal, withChangeSignal, type ChangeSignal } from '../live/change-signal.ts';
import { createStore } from '../store/create-store.ts';
import { createPgBus } from '../store/postgres/pg-notify.ts';
import type { Store } from '../store/store.ts';

/** The database and what travels through it: the store, the signals between instances, this instance's change bell. */
export type StorePart = { store: Store; bus: ClusterBus; changeSignal: ChangeSignal };

export function composeStore(deps: {
  databaseUrl: string;
  rootDir: string;
  clock: Clock;
  logger: Logger;
  owner: string;
  store?: Store;
  bus?: ClusterBus;
}): StorePart {
  const { clock, logger } = deps;
  // Every call change made through this store rings the live streams of this instance.
  const changeSignal = createChangeSignal();
  // …and says in the log, at info, when a call dials, is answered and ends.
  const store = withTransitionLog(withChangeSignal(deps.store ?? createStore(deps.databaseUrl, deps.rootDir), changeSignal), logger);
  const bus =
    deps.bus ??
    (/^postgres(ql)?:\/\//.test(deps.databaseUrl)
      ? createPgBus({ connectionString: deps.databaseUrl, instanceId: deps.owner, clock, logger })
      : createInProcessBus((err) => logger.error({ err }, 'a cluster bus listener failed')));
  return { store, bus, changeSignal };
}
