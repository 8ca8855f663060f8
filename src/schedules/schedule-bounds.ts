import { DateTime } from 'luxon';
import { nextOccurrences, startOfLocalDate, type Bounds } from './recurrence.ts';
import type { Schedule } from './schedule.ts';

/** The instants a schedule's `startsOn`/`endsOn` dates stand for in its zone (`endsOn` inclusive). */
export function boundsOf(schedule: Pick<Schedule, 'startsOn' | 'endsOn' | 'timeZone'>): Bounds {
  const dayAfter = schedule.endsOn ? DateTime.fromISO(schedule.endsOn, { zone: 'UTC' }).plus({ days: 1 }).toISODate() : null;
  return {
    notBefore: schedule.startsOn ? startOfLocalDate(schedule.startsOn, schedule.timeZone) : null,
    before: dayAfter ? startOfLocalDate(dayAfter, schedule.timeZone) : null,
  };
}

/** The schedule's next `count` occurrences strictly after `after`. */
export function occurrencesOf(schedule: Pick<Schedule, 'cron' | 'startsOn' | 'endsOn' | 'timeZone'>, after: number, count: number): number[] {
  return nextOccurrences(schedule.cron, schedule.timeZone, after, count, boundsOf(schedule));
}
