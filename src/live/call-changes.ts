import type { Call } from '../calls/call.ts';

/** Where a change feed stands: the last change it read, in `(updatedAt, id)` order. */
export type ChangePosition = { updatedAt: number; id: string };

/**
 * The store port the live stream reads: an account's calls in the order they last changed. Every change to a call
 * stamps `updated_at`, so following this order follows every change, on whichever instance it was made.
 */
export type CallChanges = {
  /** The account's calls changed at or after `from.updatedAt` (strictly after `from` in `(updatedAt, id)` order), oldest change first. */
  changedCalls(accountId: string, from: ChangePosition, limit: number): Promise<Call[]>;
};
