import type { Call } from '../calls/call.ts';
import type { CallLimitGuard, NewCall } from '../calls/call-store.ts';

/** A later try of a call: linked to the chain's first call, numbered. */
export type NewRetry = NewCall & { retryOf: string; tryNumber: number };

/** The retries' share of the store (see ScheduleStore for how `Store` takes it in). */
export type RetryStore = {
  /**
   * Inserts the try unless the chain already has one with its number (unique key (retry_of, try_number)): a retry
   * is created once however many times its trigger runs. Undefined when it was there already.
   */
  insertRetry(call: NewRetry, guard?: CallLimitGuard): Promise<Call | undefined>;
  /**
   * Calls that ended busy, unanswered or failed after `endedAfter`, with tries left and no next try yet: what a
   * crash between the ending and its retry left behind. At most `limit`, oldest ending first.
   */
  callsAwaitingRetry(endedAfter: number, limit: number): Promise<Call[]>;
  /**
   * Ends the chain at this try (its `triesTotal` becomes its `tryNumber`), with a timeline note saying why: a retry
   * refused (do-not-call, a limit, the schedule stopped) is not asked for again.
   */
  stopRetries(id: string, at: number, reason: string): Promise<void>;
  /** The account a call belongs to (null for calls made outside the app). */
  callOwner(id: string): Promise<string | null>;
};
