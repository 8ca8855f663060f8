/** One open live stream as the database knows it: whose, on which instance, and until when it counts. */
export type StreamLease = { accountId: string; instanceId: string; streamId: string; openedAt: number; expiresAt: number };

/** Why the database refused a stream: the account may not stream yet, or it holds its limit already. */
export type StreamRefusal = { reason: 'no_account' | 'not_activated' | 'nothing_scheduled' } | { reason: 'limit'; open: number };

/**
 * The store port behind the per-account stream limit: a table of open streams (leases), shared by every instance on
 * one database. A lease counts until it expires; its instance renews it while the stream is open.
 */
export type StreamLeases = {
  /**
   * In one transaction under the account's lock: checks that the account is activated and has scheduled a call (or
   * a schedule), drops the account's expired leases, counts the rest, and inserts `lease` when fewer than `perAccount`
   * are open at `lease.openedAt`. Returns undefined when inserted, else why not.
   */
  openStreamLease(lease: StreamLease, perAccount: number): Promise<StreamRefusal | undefined>;
  /**
   * Extends the leases of `instanceId` among `streamIds` (its open streams: a row whose delete failed is not renewed,
   * and expires) to `expiresAt`; returns the stream ids renewed (a lease swept after it expired is not among them).
   */
  renewStreamLeases(instanceId: string, streamIds: readonly string[], expiresAt: number): Promise<string[]>;
  /** Deletes one lease (the stream ended). */
  closeStreamLease(lease: Pick<StreamLease, 'accountId' | 'instanceId' | 'streamId'>): Promise<void>;
  /** Deletes every lease of `instanceId` (it stops), or with `except`, of every instance but that one. */
  closeInstanceStreamLeases(instance: { instanceId: string } | { except: string }): Promise<number>;
  /** Deletes up to `max` leases expired at `at` (any instance's); returns how many. */
  sweepStreamLeases(at: number, max: number): Promise<number>;
  /** The account's leases unexpired at `at`, on every instance. */
  countStreamLeases(accountId: string, at: number): Promise<number>;
};
