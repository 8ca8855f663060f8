import type { Clock } from '../kernel/clock.ts';
import type { DialStore } from './dial-store.ts';

/**
 * The one dial-rate limiter: at most `perSecond` dial starts in any `windowMs` (1000 ms plus a small margin for the
 * network jitter between our count and the carrier's), so any 5 s holds at most 5 × `perSecond` (Telnyx counts its
 * limit over 5 s). The slots live in the database, so every instance on it draws from the same window: the queue's
 * claims take theirs in the claim's transaction ({@link limits}), dial retries and recovered dials through
 * {@link acquire}.
 */
export function createDialLimiter(deps: { store: Pick<DialStore, 'takeDialSlot'>; clock: Clock; perSecond: number; windowMs: number }) {
  const { store, clock } = deps;
  return {
    /** The figures a claim checks (see `DialStore.claimDue`). */
    limits: { perWindow: deps.perSecond, windowMs: deps.windowMs },
    /** Waits for a free slot and takes it. */
    async acquire(): Promise<void> {
      for (;;) {
        const wait = await store.takeDialSlot(() => clock.now(), deps.perSecond, deps.windowMs);
        if (wait === 0) return;
        await clock.sleep(wait);
      }
    },
  };
}
export type DialLimiter = ReturnType<typeof createDialLimiter>;
