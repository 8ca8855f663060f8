/** What the composition root does with the database itself: bring the schema up to date, check it answers, let go. */
export type StoreLifecycle = {
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
};
