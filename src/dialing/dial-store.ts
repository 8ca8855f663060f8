import type { Call } from '../calls/call.ts';
import type { ClaimResult } from '../calls/call-store.ts';

/** The limits a claim checks in the database, under the same lock as every other claim and dial slot. */
export type DialLimits = {
  /** Calls allowed to hold a channel at once (the capacity object's current ceiling). */
  maxLive: number;
  /** Dials allowed in any `windowMs` (dialsPerSecond, the window a little over 1 s). */
  perWindow: number;
  windowMs: number;
};

/** Who holds an in-flight dial, and until when (renewed while it dials). */
export type DialLease = { owner: string; until: number };

/** A claim refused for the dial rate says how long until the next slot frees. */
export type DialClaimResult = ClaimResult | { claimed: null; reason: 'rate'; waitMs: number };
/** `none_due`: no scheduled call is due, or every due one is being claimed by another instance right now. */
export type NextDialResult = DialClaimResult | { claimed: null; reason: 'none_due' };

/**
 * The queue's port for dials shared by several instances on one database: claims that take a dial slot and a lease
 * in the claim's own transaction, dial slots for retries, and the leases that tell a live instance's dial from a
 * dead one's. Both stores implement it (`test/contract/dial-store.contract.ts`).
 */
export type DialStore = {
  /**
   * Claims the earliest due call (`due_at` ≤ now, due order) that no other instance is claiming at this moment:
   * instances racing for the same due calls each get a different one instead of queueing on one row. Atomically
   * `scheduled → dialing`, only while fewer than `maxLive` calls hold a channel (else `no_channel`); counts the
   * attempt, records the lateness (`now − dueAt`) and clears the carrier's id. Refused with `rate` (and the wait)
   * when `perWindow` dials already started in the last `windowMs`; else a dial slot is taken and the call is leased
   * to `lease.owner` until `lease.until`. `now` is read once the claim holds the lock every claim and slot takes, so
   * a claim that waited for the lock records the time its dial really starts, not the time it asked. A call to a
   * number on the do-not-call list is canceled and reported `not_scheduled`: ask again.
   */
  claimNextDial(now: () => number, limits: DialLimits, lease: DialLease): Promise<NextDialResult>;
  /** Takes a dial slot when fewer than `perWindow` were taken in the last `windowMs`: 0; else the wait in ms (`now` as above). */
  takeDialSlot(now: () => number, perWindow: number, windowMs: number): Promise<number>;
  /** Extends the owner's leases on these calls (only those still dialing without a carrier id). */
  renewDialLeases(owner: string, ids: readonly string[], until: number): Promise<void>;
  /**
   * Leases to `lease.owner` the dials nobody is working on: `dialing`, no carrier id, outcome not already known
   * to be unknown, and a lease that expired before `at` (its instance died). Returns them, oldest claim first.
   */
  takeOverDials(at: number, lease: DialLease, limit: number): Promise<Call[]>;
  /**
   * Ids of calls some instance is dialing right now: a lease not expired at `at`, and the dial not yet answered (no
   * carrier id, outcome not known to be unknown: such a dial is over, whatever its lease says).
   */
  leasedDials(at: number): Promise<Set<string>>;
};
