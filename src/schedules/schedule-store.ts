import type { Call } from '../calls/call.ts';
import type { CallLimitGuard, NewCall, ScheduleTally } from '../calls/call-store.ts';
import type { NewSchedule, Schedule, SchedulePatch } from './schedule.ts';

/**
 * Decided when a schedule is inserted: `decideOpen` gets the account's schedules that are not ended (and, for
 * probation, which of them go to numbers never reached) and throws to refuse; `firstCall`, the limits its first
 * occurrence must pass to be worth creating.
 */
export type ScheduleLimits = { decideOpen(open: ScheduleTally): void; firstCall?: CallLimitGuard };

/** An occurrence to insert: a call linked to its schedule at the occurrence's instant. */
export type NewOccurrence = NewCall & { scheduleId: string; occurrenceAt: number };

/**
 * The schedules' share of the store. `Store` intersects it; SQLite and PostgreSQL implement it in their own files
 * and pass `test/contract/schedule-store.contract.ts`.
 */
export type ScheduleStore = {
  /**
   * Inserts the schedule; with `limits`, only if the account's open schedules and its first occurrence pass them,
   * decided in the insert's own transaction under
   * the account's and the number's locks (see CallLimitGuard). Throws a LimitError to refuse.
   */
  insertSchedule(schedule: NewSchedule, limits?: ScheduleLimits): Promise<Schedule>;
  /** The schedule; with `accountId`, only when that account owns it. */
  getSchedule(id: string, accountId?: string): Promise<Schedule | undefined>;
  /** The account's schedules, newest first, at most `limit`. */
  listSchedules(accountId: string, limit: number): Promise<Schedule[]>;
  /** Sets the fields present; returns the schedule after, or undefined when it does not exist. */
  updateSchedule(id: string, patch: SchedulePatch, at: number): Promise<Schedule | undefined>;
  /**
   * Active schedules with no pending occurrence and no hold beyond `now`, in id order after `afterId` (keyset
   * paging for the keeper's sweep).
   */
  schedulesNeedingOccurrence(now: number, limit: number, afterId?: string): Promise<Schedule[]>;
  /**
   * In one transaction, with the schedule locked: inserts the occurrence and moves the schedule's cursor to it
   * (`afterAt = nextAt = lastOccurrenceAt = occurrenceAt`, hold cleared) — only while the schedule is active, has
   * no pending occurrence, and the occurrence lies after its cursor. Undefined when it was not inserted (another
   * instance made it first, or the schedule changed): the unique key (schedule_id, occurrence_at) backs this.
   */
  insertOccurrence(call: NewOccurrence, guard?: CallLimitGuard): Promise<Call | undefined>;
  /** The schedule's pending (scheduled, first-try) occurrence, if any. */
  pendingOccurrence(scheduleId: string): Promise<Call | undefined>;
  /**
   * Atomically: applies `patch` to the schedule and cancels its pending occurrence (with `reason`); returns the
   * schedule and the canceled call ids. Pause, change and stop go through here, so no occurrence of the old rule
   * can be claimed after the answer.
   */
  changeSchedule(id: string, patch: SchedulePatch, at: number, reason: string): Promise<{ schedule: Schedule; canceled: string[] } | undefined>;
  /** The schedule's calls (occurrences and their retries), latest due first, at most `limit`. */
  scheduleCalls(scheduleId: string, limit: number): Promise<Call[]>;
  /** Ends (with `reason`) every schedule to `number` that has not ended; returns their ids. */
  endSchedulesTo(number: string, at: number, reason: string): Promise<string[]>;
};
