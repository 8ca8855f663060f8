import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';

/**
 * When a schedule rings, computed with cron-parser rather than node-cron: node-cron runs jobs in this process on
 * a timer; it does not answer "which instants come next after T in zone Z", which is what a schedule stored in a
 * database and dialed by the timed queue needs (and what its page shows before saving).
 *
 * DST: cron-parser's own zone handling moves a skipped local time by the length of the gap (02:30 on the night
 * New York springs forward becomes 03:30) and fires a repeated local time twice when the pattern matches both
 * passes (every 15 minutes through the hour New York falls back). Our rules differ: a skipped local time moves to
 * the first valid minute after it (the end of the gap, 03:00), and a repeated local time happens once, at its first
 * pass. So cron-parser walks wall-clock times only (evaluated in UTC, where no wall time is skipped or repeated), and
 * each wall time is placed in the zone here (see {@link wallToInstant}).
 */

const MINUTE = 60_000;
/** Wall-clock times are walked from this far before the asked instant: larger than any zone's offset change. */
const WALL_MARGIN_MS = 3 * 3_600_000;
/** How many wall-clock matches one call may read before giving up (a pattern like `0 0 31 2 *` never matches). */
const MAX_STEPS = 2_000;

/** The zone's offset at `instant`, in minutes. */
function offsetAt(instant: number, zone: string): number {
  return DateTime.fromMillis(instant, { zone }).offset;
}

/**
 * The instant a wall-clock time (given as ms of that wall time read as UTC) happens in `zone`: a time that happens
 * twice is its first pass; a time the zone skips is the first minute after the gap.
 */
export function wallToInstant(wall: number, zone: string): number {
  // Each candidate reads the wall time with an offset the zone has around then; keep those that give it back.
  const offsets = new Set([offsetAt(wall - 86_400_000, zone), offsetAt(wall + 86_400_000, zone), offsetAt(wall, zone)]);
  for (const o of [...offsets]) offsets.add(offsetAt(wall - o * MINUTE, zone));
  const exact = [...offsets].map((o) => wall - o * MINUTE).filter((instant) => offsetAt(instant, zone) * MINUTE + instant === wall);
  if (exact.length > 0) return Math.min(...exact);
  // Skipped: the gap lies between the wall time read with the later offset and with the earlier one; the first
  // instant whose wall time is past it is where the clocks jumped to.
  const candidates = [...offsets].map((o) => wall - o * MINUTE).sort((a, b) => a - b);
  let lo = candidates[0] as number;
  let hi = candidates[candidates.length - 1] as number;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (mid + offsetAt(mid, zone) * MINUTE > wall) hi = mid;
    else lo = mid;
  }
  // Invariant: `lo` reads before the skipped wall time, `hi` after it; gaps start on whole minutes, so `hi` ends as
  // the instant the clocks jumped.
  return hi;
}

/** Throws cron-parser's error when the expression is not valid (the schema calls it to validate). */
export function checkCron(expression: string): void {
  CronExpressionParser.parse(expression, { tz: 'UTC', strict: false });
}

export type Bounds = {
  /** The first instant an occurrence may have (a `startsOn` date's local midnight). */
  notBefore?: number | null;
  /** No occurrence at or after this instant (the day after `endsOn`, local midnight). */
  before?: number | null;
};

/**
 * The next `count` instants at which `cron` (5 fields, local to `zone`) rings, each strictly after `after` and
 * within `bounds`. Fewer are returned when the schedule ends (or the pattern never matches again).
 */
export function nextOccurrences(cron: string, zone: string, after: number, count: number, bounds: Bounds = {}): number[] {
  const from = Math.max(after, (bounds.notBefore ?? -Infinity) - 1);
  const wallFrom = from + offsetAt(from, zone) * MINUTE - WALL_MARGIN_MS;
  const walls = CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: new Date(wallFrom) });
  const out: number[] = [];
  let last = from;
  for (let step = 0; step < MAX_STEPS && out.length < count; step++) {
    let wall: number;
    try {
      wall = walls.next().getTime();
    } catch {
      break; // no further match
    }
    const instant = wallToInstant(wall, zone);
    if (bounds.before != null && instant >= bounds.before) break;
    // Several skipped wall times land on the same first minute after the gap: it happens once.
    if (instant <= last) continue;
    out.push(instant);
    last = instant;
  }
  return out;
}

/** The instant a local date (`YYYY-MM-DD`) begins in `zone`. */
export function startOfLocalDate(date: string, zone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return wallToInstant(Date.UTC(y, m - 1, d), zone);
}
