/**
 * What one instance tells the others about the queue: a call scheduled (or put back) and due at `dueAt`, a call
 * canceled, a channel freed. `changed`: a call was stored or changed status (the live page's wake-up); on PostgreSQL
 * the database says it to every instance, whoever made the change (the store after an insert commits, naming its
 * call, batched, step 11; status changes by trigger, once per statement and account, step 8); alone on SQLite
 * nothing says it (the live page's in-process wake-up covers the one process). `resync` is said to this instance
 * alone when it may have missed signals (its listening connection was lost): reload, and re-read what you follow.
 */
export type BusSignal =
  | { kind: 'scheduled'; id: string; dueAt: number }
  | { kind: 'canceled'; id: string }
  | { kind: 'freed' }
  | { kind: 'changed'; accountId: string | null; callId?: string }
  | { kind: 'resync' };

/**
 * Signals between the instances sharing one database. `publish` reaches this instance's subscribers at once (in the
 * caller's turn) and the other instances' soon after; each instance hears a signal once.
 */
export type ClusterBus = {
  publish(signal: BusSignal): void;
  /** Returns the unsubscribe. */
  subscribe(listener: (signal: BusSignal) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** A set of listeners called in turn; one throwing does not keep the signal from the others. */
export function createListeners(onError: (err: unknown) => void) {
  const listeners = new Set<(signal: BusSignal) => void>();
  return {
    add(listener: (signal: BusSignal) => void): () => void {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(signal: BusSignal): void {
      for (const listener of listeners) {
        try {
          listener(signal);
        } catch (err) {
          onError(err);
        }
      }
    },
  };
}

/** The bus of a store only one process uses (SQLite): signals stay in the process. */
export function createInProcessBus(onError: (err: unknown) => void = () => undefined): ClusterBus {
  const listeners = createListeners(onError);
  return {
    publish: (signal) => listeners.emit(signal),
    subscribe: (listener) => listeners.add(listener),
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
}
