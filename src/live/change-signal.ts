import type { Store } from '../store/store.ts';

/** An in-process "a call changed" bell: live streams on this instance read the database at once instead of at their next poll. */
export type ChangeSignal = {
  ring(): void;
  /** Calls `listener` at each ring until the returned function is called. */
  listen(listener: () => void): () => void;
};

export function createChangeSignal(): ChangeSignal {
  const listeners = new Set<() => void>();
  return {
    ring() {
      for (const listener of [...listeners]) listener();
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The store methods that change a call (and so bump its `updated_at`). */
const CHANGES = ['insertCall', 'transition', 'update', 'recordDialedLeg', 'claim', 'claimDial', 'claimNextDial', 'requeue', 'markMissed', 'cancelScheduledTo'] as const;

/**
 * The store, ringing `signal` after each call change committed through it. Changes made by other instances are not
 * heard here: on PostgreSQL the notifier's `changed` signal (a trigger's NOTIFY) rings it, and the streams' short poll
 * of `updated_at` finds anything missed.
 */
export function withChangeSignal(store: Store, signal: ChangeSignal): Store {
  const wrapped: Store = { ...store };
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
