import type { ClusterBus } from '../kernel/cluster-bus.ts';

/**
 * An in-process "a call changed" bell: live streams on this instance read the database at once instead of at their
 * next poll. A ring that names the account wakes only that account's streams (another instance's change arrives
 * with its account); a ring without one wakes every stream.
 */
export type ChangeSignal = {
  ring(accountId?: string | null): void;
  /** Calls `listener` at each ring for `accountId` (or for every account) until the returned function is called. */
  listen(listener: () => void, accountId?: string): () => void;
};

export function createChangeSignal(): ChangeSignal {
  const listeners = new Map<() => void, string | undefined>();
  return {
    ring(accountId) {
      for (const [listener, account] of [...listeners]) {
        if (accountId == null || account === undefined || account === accountId) listener();
      }
    },
    listen(listener, accountId) {
      listeners.set(listener, accountId);
      return () => listeners.delete(listener);
    },
  };
}

/** The store methods that change a call (and so bump its `updated_at`). */
const CHANGES = ['insertCall', 'transition', 'update', 'recordDialedLeg', 'claimDue', 'requeue', 'markMissed', 'cancelScheduledTo'] as const;

/**
 * The store, ringing `signal` after each call change committed through it. Changes made by other instances are not
 * heard here: on PostgreSQL the cluster bus's `changed` signal (a trigger's NOTIFY) rings it, and the streams' short poll
 * of `updated_at` finds anything missed.
 */
export function withChangeSignal<S extends object>(store: S, signal: ChangeSignal): S {
  const wrapped: S = { ...store };
  for (const name of CHANGES) {
    const original = (store as Record<string, unknown>)[name] as (...args: unknown[]) => Promise<unknown>;
    (wrapped as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const result = await original(...args);
      signal.ring();
      return result;
    };
  }
  return wrapped;
}

/** A call changed on any instance (or signals may have been missed): this instance's live streams read now. */
export function ringOnBus(bus: Pick<ClusterBus, 'subscribe'>, signal: ChangeSignal): () => void {
  return bus.subscribe((message) => {
    if (message.kind === 'changed') signal.ring(message.accountId);
    else if (message.kind === 'resync') signal.ring();
  });
}
