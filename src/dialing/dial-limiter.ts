import type { Clock } from '../kernel/clock.ts';
import { createTurnBatch } from '../kernel/turn-batch.ts';
import type { DialStore } from './dial-store.ts';

/**
 * The one dial-rate limiter: at most `perSecond` dial starts in any `windowMs` (1000 ms plus a small margin for the
 * network jitter between our count and the carrier's), so any 5 s holds at most 5 × `perSecond` (Telnyx counts its
 * limit over 5 s). The slots live in the database, so every instance on it draws from the same window: the queue's
 * claims take theirs in the claim's transaction ({@link limits}), dial retries and recovered dials through
 * {@link acquire}.
 */
export function createDialLimiter(deps: { store: Pick<DialStore, 'takeDialSlots'>; clock: Clock; perSecond: number; windowMs: number }) {
  const { store, clock } = deps;
  // Dials asking for a slot in the same turn (a claimed batch sent late, retries after one outage) share one
  // statement under the dial gate: one slot each, in the order asked, as far as the window allows; the rest learn the wait.
  const take = createTurnBatch<null, number>(async (asks) => {
    const { taken, waitMs } = await store.takeDialSlots(() => clock.now(), asks.length, deps.perSecond, deps.windowMs);
    return asks.map((_, i) => (i < taken ? 0 : waitMs));
  });
  return {
    /** The figures a claim checks (see `DialStore.claimDue`). */
    limits: { perWindow: deps.perSecond, windowMs: deps.windowMs },
    /** Waits for a free slot and takes it. */
    async acquire(): Promise<void> {
      for (;;) {
        const wait = await take(null);
        if (wait === 0) return;
        await clock.sleep(wait);
      }
    },
  };
}
export type DialLimiter = ReturnType<typeof createDialLimiter>;
