/**
 * Named leases in the database, for work only one instance may do at a time: a singleton job (`job:reconcile`).
 * (Applying one call's webhooks takes a lock without a write instead: `InboxLocks` in inbox/inbox-store.ts.) A lease is held until `until` unless renewed; an instance
 * killed with `kill -9` stops renewing, and its leases pass to whoever asks after they expire.
 */
export type Leases = {
  /**
   * False for a store only one process may use (SQLite): whatever lease an earlier run left is a dead process's.
   * True for PostgreSQL, where another live instance may hold it.
   */
  readonly sharedByInstances: boolean;
  /** Takes (or renews) the lease when it is free, expired at `at`, or already `owner`'s; true when `owner` holds it. */
  tryLease(key: string, owner: string, at: number, until: number): Promise<boolean>;
  /** Extends the owner's leases among `keys`. */
  renewLeases(owner: string, keys: readonly string[], until: number): Promise<void>;
  /** Gives the lease up when `owner` holds it. */
  releaseLease(key: string, owner: string): Promise<void>;
  /**
   * Ends every lease and dial lease (a store only one process uses calls this at start: whatever an earlier run
   * held is a dead process's).
   */
  expireAllLeases(): Promise<void>;
};
