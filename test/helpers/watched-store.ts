import { EventEmitter } from 'node:events';
import type { Call } from '../../src/calls/call.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * Wraps a real store so a test can await a call reaching a state: every committed status change is announced.
 * Waiting on these announcements replaces sleeping and polling.
 */
export function watchStore(store: Store) {
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  const announce = (call: Call | undefined) => {
    if (call) changes.emit('change', call);
    return call;
  };
  const watched: Store = {
    ...store,
    transition: async (...args) => announce(await store.transition(...args)),
    requeue: async (...args) => announce(await store.requeue(...args)),
    markMissed: async (...args) => {
      const ids = await store.markMissed(...args);
      for (const id of ids) announce(await store.getCall(id));
      return ids;
    },
  };
  /**
   * Resolves with the call once `match` holds for it (checked now, then at each change). The listener stays on from
   * before the first read until the match, so a change announced while the waiter is between two awaits is not missed
   * (`once` in a loop would miss a second change announced in the same turn as the first).
   */
  async function waitFor(id: string, match: (call: Call) => boolean): Promise<Call> {
    let onChange: ((call: Call) => void) | undefined;
    const changed = new Promise<Call>((resolve) => {
      onChange = (call: Call) => {
        if (call.id === id && match(call)) resolve(call);
      };
      changes.on('change', onChange);
    });
    try {
      const current = await store.getCall(id);
      if (current && match(current)) return current;
      return await changed;
    } finally {
      if (onChange) changes.off('change', onChange);
    }
  }
  return { store: watched, waitFor };
}
