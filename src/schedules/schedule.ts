import type { RetryPolicy } from '../calls/retry-policy.ts';
import type { Repeat } from './schedule-schema.ts';

export const ScheduleStatus = { active: 'active', paused: 'paused', ended: 'ended' } as const;
export type ScheduleStatus = (typeof ScheduleStatus)[keyof typeof ScheduleStatus];

/**
 * A repeating call. Its occurrences are ordinary calls (linked by `scheduleId`); at most one is pending at a time.
 * `afterAt` is the schedule's cursor: every occurrence at or before it has been created, skipped or paused over.
 */
export type Schedule = {
  id: string;
  accountId: string;
  to: string;
  timeZone: string;
  repeat: Repeat;
  /** The rule as a 5-field cron expression, local to `timeZone`. */
  cron: string;
  message: string | null;
  /** Local dates (`YYYY-MM-DD`) in `timeZone`, both inclusive. */
  startsOn: string | null;
  endsOn: string | null;
  retry: RetryPolicy | null;
  status: ScheduleStatus;
  /** Why an ended schedule ended (stopped, the number opted out, its last date passed). */
  endReason: string | null;
  createdAt: number;
  updatedAt: number;
  afterAt: number;
  /** The next occurrence: the pending call's time, or one being waited out after a limit refused it. */
  nextAt: number | null;
  lastOccurrenceAt: number | null;
  /** Set when the abuse limits refused the occurrence at this instant: nothing is created before it passes. */
  holdUntil: number | null;
  /** The last occurrence that was skipped (refused by a limit, passed while the service was down), and why. */
  skipReason: string | null;
  skipAt: number | null;
};

export type NewSchedule = Omit<Schedule, 'updatedAt' | 'nextAt' | 'lastOccurrenceAt' | 'holdUntil' | 'skipReason' | 'skipAt' | 'endReason' | 'status'> & {
  status?: ScheduleStatus;
};

/** Fields a change may set (the store writes those present). */
export type SchedulePatch = Partial<
  Pick<Schedule, 'to' | 'timeZone' | 'repeat' | 'cron' | 'message' | 'startsOn' | 'endsOn' | 'retry' | 'status' | 'endReason' | 'afterAt' | 'nextAt' | 'holdUntil' | 'skipReason' | 'skipAt'>
>;
