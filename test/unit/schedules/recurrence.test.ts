import test, { type ExecutionContext } from 'ava';
import { CronExpressionParser } from 'cron-parser';
import { nextOccurrences, wallToInstant } from '../../../src/schedules/recurrence.ts';
import { cronOf } from '../../../src/schedules/schedule-schema.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const START = Date.UTC(2026, 10, 22, 12, 0, 0); // Sunday 22 Nov 2026
const YEAR_END = Date.UTC(2027, 10, 22);

/** Every weekday date (YYYY-MM-DD) from the day after `from` to `to`, counted on a plain calendar. */
function weekdaysBetween(from: number, to: number): string[] {
  const out: string[] = [];
  for (let d = new Date(from + 86_400_000); d.getTime() < to; d = new Date(d.getTime() + 86_400_000)) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/** A year of "weekdays at 07:00": one ring per weekday, at 07:00 local, whose UTC hour follows the zone's offset. */
function yearOfWeekdays(t: ExecutionContext, zone: string, utcHour: (date: string) => number) {
  const all = nextOccurrences(cronOf({ every: 'weekday', at: '07:00' }), zone, START, 400).filter((at) => at < YEAR_END);
  const expected = weekdaysBetween(START, YEAR_END);
  t.is(all.length, expected.length);
  t.deepEqual(
    all.map(iso),
    expected.map((date) => `${date}T${String(utcHour(date)).padStart(2, '0')}:00:00.000Z`),
  );
}

test('when a weekday 07:00 schedule runs a year in Europe/Dublin, then it rings at 07:00Z in winter and 06:00Z in summer time', (t) => {
  // Irish summer time 2027: from Sunday 28 March to Sunday 31 October.
  yearOfWeekdays(t, 'Europe/Dublin', (date) => (date >= '2027-03-29' && date <= '2027-10-29' ? 6 : 7));
});

test('when a weekday 07:00 schedule runs a year in America/New_York, then it rings at 12:00Z in winter and 11:00Z in daylight time', (t) => {
  // US daylight time: until Sunday 1 November 2026, and from Sunday 14 March to Sunday 7 November 2027.
  yearOfWeekdays(t, 'America/New_York', (date) => (date >= '2027-03-15' && date <= '2027-11-05' ? 11 : 12));
});

test('when the local time is skipped by the clocks going forward, then it rings at the first minute after the gap', (t) => {
  // New York, 14 March 2027: 02:00 EST becomes 03:00 EDT (07:00Z). 02:30 does not exist.
  const after = Date.UTC(2027, 2, 13, 12);
  t.deepEqual(nextOccurrences('30 2 * * *', 'America/New_York', after, 2).map(iso), ['2027-03-14T07:00:00.000Z', '2027-03-15T06:30:00.000Z']);
  // cron-parser alone would ring an hour late (03:30): the reason the wall-clock walk exists.
  const raw = CronExpressionParser.parse('30 2 * * *', { tz: 'America/New_York', currentDate: new Date(after) }).next().toDate();
  t.is(raw.toISOString(), '2027-03-14T07:30:00.000Z');
  // Dublin, 28 March 2027: 01:00 GMT becomes 02:00 IST (01:00Z).
  t.deepEqual(nextOccurrences('30 1 * * *', 'Europe/Dublin', Date.UTC(2027, 2, 27, 12), 1).map(iso), ['2027-03-28T01:00:00.000Z']);
  t.is(iso(wallToInstant(Date.UTC(2027, 2, 14, 2, 59), 'America/New_York')), '2027-03-14T07:00:00.000Z');
});

test('when the local time happens twice as the clocks go back, then it rings once, at the first pass', (t) => {
  // New York, 1 November 2026: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
  t.deepEqual(nextOccurrences('30 1 * * *', 'America/New_York', Date.UTC(2026, 9, 31, 12), 2).map(iso), ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  // Every 15 minutes through the repeated hour: each local time once, then on to 02:00 EST.
  t.deepEqual(nextOccurrences('*/15 * * * *', 'America/New_York', Date.UTC(2026, 10, 1, 5, 20), 4).map(iso), [
    '2026-11-01T05:30:00.000Z',
    '2026-11-01T05:45:00.000Z',
    '2026-11-01T07:00:00.000Z',
    '2026-11-01T07:15:00.000Z',
  ]);
  // Starting inside the second pass: what already rang in the first is not rung again.
  t.deepEqual(nextOccurrences('*/15 * * * *', 'America/New_York', Date.UTC(2026, 10, 1, 6, 10), 1).map(iso), ['2026-11-01T07:00:00.000Z']);
  // Dublin, 31 October 2027: 01:30 IST (00:30Z) once.
  t.deepEqual(nextOccurrences('30 1 * * *', 'Europe/Dublin', Date.UTC(2027, 9, 30, 12), 2).map(iso), ['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']);
});

test('when a schedule has start and end dates, then it rings only between them, both days included', (t) => {
  const list = nextOccurrences('0 7 * * *', 'Europe/Dublin', START, 10, {
    notBefore: Date.UTC(2026, 11, 1, 0, 0),
    before: Date.UTC(2026, 11, 4, 0, 0),
  });
  t.deepEqual(list.map(iso), ['2026-12-01T07:00:00.000Z', '2026-12-02T07:00:00.000Z', '2026-12-03T07:00:00.000Z']);
});

test('when the simple rules are turned into cron, then weekly days are sorted and deduplicated', (t) => {
  t.is(cronOf({ every: 'day', at: '07:05' }), '5 7 * * *');
  t.is(cronOf({ every: 'weekday', at: '23:59' }), '59 23 * * 1-5');
  t.is(cronOf({ every: 'week', days: ['fri', 'mon', 'fri', 'sun'], at: '09:00' }), '0 9 * * 0,1,5');
  t.is(cronOf({ cron: ' */15   *  * * * ' }), '*/15 * * * *');
  t.throws(() => nextOccurrences('0 0 31 2 *', 'UTC', START, 3), { message: /day of month/ }, 'a date that never comes is refused');
});
