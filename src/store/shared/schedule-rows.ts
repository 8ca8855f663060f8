import type { RetryPolicy } from '../../calls/retry-policy.ts';
import type { Repeat } from '../../schedules/schedule-schema.ts';
import type { NewSchedule, Schedule, SchedulePatch, ScheduleStatus } from '../../schedules/schedule.ts';

/** A `schedules` row as both databases return it (PostgreSQL's BIGINTs read as numbers through our pool). */
export type ScheduleRow = {
  id: string;
  account_id: string;
  to_number: string;
  time_zone: string;
  repeat: string;
  cron: string;
  message: string | null;
  starts_on: string | null;
  ends_on: string | null;
  retry: string | null;
  status: string;
  end_reason: string | null;
  created_at: number | string;
  updated_at: number | string;
  after_at: number | string;
  next_at: number | string | null;
  last_occurrence_at: number | string | null;
  hold_until: number | string | null;
  skip_reason: string | null;
  skip_at: number | string | null;
};

const num = (v: number | string) => Number(v);
const numOrNull = (v: number | string | null) => (v === null ? null : Number(v));

export function scheduleFromRow(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    accountId: row.account_id,
    to: row.to_number,
    timeZone: row.time_zone,
    repeat: JSON.parse(row.repeat) as Repeat,
    cron: row.cron,
    message: row.message,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    retry: row.retry === null ? null : (JSON.parse(row.retry) as RetryPolicy),
    status: row.status as ScheduleStatus,
    endReason: row.end_reason,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    afterAt: num(row.after_at),
    nextAt: numOrNull(row.next_at),
    lastOccurrenceAt: numOrNull(row.last_occurrence_at),
    holdUntil: numOrNull(row.hold_until),
    skipReason: row.skip_reason,
    skipAt: numOrNull(row.skip_at),
  };
}

const COLUMN: Record<keyof SchedulePatch, string> = {
  to: 'to_number',
  timeZone: 'time_zone',
  repeat: 'repeat',
  cron: 'cron',
  message: 'message',
  startsOn: 'starts_on',
  endsOn: 'ends_on',
  retry: 'retry',
  status: 'status',
  endReason: 'end_reason',
  afterAt: 'after_at',
  nextAt: 'next_at',
  holdUntil: 'hold_until',
  skipReason: 'skip_reason',
  skipAt: 'skip_at',
};

/** The patch as (column, value) pairs, JSON fields serialised; only the fields present. */
export function patchColumns(patch: SchedulePatch): [string, string | number | null][] {
  return (Object.keys(patch) as (keyof SchedulePatch)[])
    .filter((key) => patch[key] !== undefined && key in COLUMN)
    .map((key) => {
      const value = patch[key];
      const stored = key === 'repeat' || key === 'retry' ? (value === null ? null : JSON.stringify(value)) : (value as string | number | null);
      return [COLUMN[key], stored];
    });
}

/** The insert's columns and values, in one order. */
export function insertValues(s: NewSchedule): [string[], (string | number | null)[]] {
  const pairs: [string, string | number | null][] = [
    ['id', s.id],
    ['account_id', s.accountId],
    ['to_number', s.to],
    ['time_zone', s.timeZone],
    ['repeat', JSON.stringify(s.repeat)],
    ['cron', s.cron],
    ['message', s.message],
    ['starts_on', s.startsOn],
    ['ends_on', s.endsOn],
    ['retry', s.retry === null ? null : JSON.stringify(s.retry)],
    ['status', s.status ?? 'active'],
    ['created_at', s.createdAt],
    ['updated_at', s.createdAt],
    ['after_at', s.afterAt],
  ];
  return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
}
