import type { Call } from '../calls/call.ts';

/** The limits a claim checks in the database, under the same lock as every other claim and dial slot. */
export type DialLimits = {
  /** Calls allowed to hold a channel at once (the capacity object's current ceiling). */
  maxLive: number;
  /** Live calls one account may hold while other accounts' calls wait (the fair share). */
  perAccount: number;
  /** Dials allowed in any `windowMs` (dialsPerSecond, the window a little over 1 s). */
  perWindow: number;
  windowMs: number;
};

/** Who holds an in-flight dial, and until when (renewed while it dials). */
export type DialLease = { owner: string; until: number };

/**
 * A batch claim: the calls claimed, or why none was. `none_due`: no scheduled call is due. `no_channel`: every
 * channel is taken, or every waiting account holds its share. `rate`: no dial slot until `waitMs`. `not_scheduled`:
 * the calls picked were canceled meanwhile or their numbers opted out (canceled now): ask again.
 */
export type DueClaim =
  | { claimed: Call[]; reason?: undefined }
  | { claimed: []; reason: 'none_due' | 'no_channel' | 'not_scheduled' }
  | { claimed: []; reason: 'rate'; waitMs: number };

/**
 * The queue's port for dials shared by several instances on one database: claims that take a dial slot and a lease
 * in the claim's own transaction, dial slots for retries, and the leases that tell a live instance's dial from a
 * dead one's. Both stores implement it (`test/contract/dial-store.contract.ts`).
 */
export type DialStore = {
  /**
   * Due calls one claim takes at most, as the dialer asks. PostgreSQL's claim is one statement on the server, and a
   * claim's fixed cost (the fair pick ranks its scan of due calls; one commit) is shared by more calls in a larger
   * batch; SQLite's runs on the event loop, where a batch of 500 held it 54-77 ms (100: about 10 ms).
   */
  readonly claimBatch: number;
  /**
   * Claims, in one transaction under the dial gate (the lock every instance's claims and dial slots take), up to
   * `max` due calls (`due_at` ≤ now): as many as the free channels (`maxLive` less the gate's live count) and the
   * dial rate (`perWindow` dials in any `windowMs`) allow, picked round-robin across accounts, each account's in
   * due order and none past `perAccount` live calls while another account's calls wait (the fair share). Each moves
   * `scheduled → dialing`, counts the attempt, records the lateness (`now − dueAt`), clears the carrier's id, takes
   * a dial slot and is leased to `lease.owner` until `lease.until`. Calls picked whose number is on the do-not-call
   * list are canceled instead. `now` is read once the claim holds the gate, so a claim that waited records the time
   * its dials really start.
   */
  claimDue(now: () => number, limits: DialLimits, lease: DialLease, max: number): Promise<DueClaim>;
  /** Counts the live calls again, for the carrier account and per account, and corrects the gate; returns the drift corrected. */
  recountLive(): Promise<number>;
  /**
   * Takes up to `count` dial slots, as many as the last `windowMs` has free of its `perWindow`, in one transaction
   * under the dial gate (`now` as above). `waitMs`: when fewer than `count` were taken, the ms until the next frees; else 0.
   */
  takeDialSlots(now: () => number, count: number, perWindow: number, windowMs: number): Promise<{ taken: number; waitMs: number }>;
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
