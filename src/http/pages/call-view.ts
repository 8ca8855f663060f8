import { DateTime } from 'luxon';
import { isFinal, LIVE_STATUSES, type Call } from '../../calls/call.ts';
import { formatNumber, isWaiting, outcomeWords, statusWord } from './call-words.ts';
import { cityOf, offsetLabel, zoneLabel } from './zone-options.ts';

/** How a page shows times: the viewer's zone (not the callee's) and locale (which decides 12- or 24-hour). */
export type Viewer = { zone: string; locale: string; now: number };

/** A locale from `Accept-Language` that Intl supports, else `en-GB`. */
export function pickLocale(accepted: readonly string[]): string {
  for (const tag of accepted) {
    if (tag === '*' || tag.length > 35) continue;
    try {
      const [supported] = Intl.DateTimeFormat.supportedLocalesOf([tag]);
      if (supported) return supported;
    } catch {
      // not a well-formed tag: try the next one
    }
  }
  return 'en-GB';
}

/** `Sun 22 Nov, 22:41` (the year only when it is not this year), in `zone`, as the locale writes it. */
export function formatWhen(ms: number, zone: string, viewer: Pick<Viewer, 'locale' | 'now'>): string {
  const sameYear = DateTime.fromMillis(ms, { zone }).year === DateTime.fromMillis(viewer.now, { zone }).year;
  return new Intl.DateTimeFormat(viewer.locale, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
    hour: 'numeric',
    minute: '2-digit',
  }).format(ms);
}

export function formatTime(ms: number, zone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(ms);
}

/** `in 3 minutes`, `2 hours ago`, `tomorrow`: the distance from now in the largest unit that fits. */
export function relative(ms: number, viewer: Pick<Viewer, 'locale' | 'now'>): string {
  const format = new Intl.RelativeTimeFormat(viewer.locale, { numeric: 'auto', style: 'long' });
  const seconds = (ms - viewer.now) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 45) return format.format(0, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}

/** `Today`, `Tomorrow`, `Later` (upcoming, by the viewer's calendar), `Now` for calls under way or past due. */
export function groupOf(call: Call, viewer: Viewer): 'Now' | 'Today' | 'Tomorrow' | 'Later' | 'Recent' {
  if (isFinal(call.status)) return 'Recent';
  if (LIVE_STATUSES.includes(call.status) || isWaiting(call, viewer.now)) return 'Now';
  const today = DateTime.fromMillis(viewer.now, { zone: viewer.zone }).startOf('day');
  const day = DateTime.fromMillis(call.dueAt, { zone: viewer.zone }).startOf('day');
  const days = Math.round(day.diff(today, 'days').days);
  return days <= 0 ? 'Today' : days === 1 ? 'Tomorrow' : 'Later';
}

/** Everything a page shows about one call. */
export function callView(call: Call, viewer: Viewer) {
  // The callee's own time, when their clock reads differently from the viewer's at that moment.
  const differs = DateTime.fromMillis(call.dueAt, { zone: call.timeZone }).offset !== DateTime.fromMillis(call.dueAt, { zone: viewer.zone }).offset;
  return {
    id: call.id,
    to: formatNumber(call.to),
    status: call.status,
    statusWord: isWaiting(call, viewer.now) ? 'Waiting for a free line' : statusWord(call),
    live: LIVE_STATUSES.includes(call.status),
    waiting: isWaiting(call, viewer.now),
    iso: new Date(call.dueAt).toISOString(),
    when: formatWhen(call.dueAt, viewer.zone, viewer),
    // A call that ended before its time (canceled, paused) never rings: "in 12 hours" alone would say it will.
    relative: isFinal(call.status) && call.dueAt > viewer.now ? `was due ${relative(call.dueAt, viewer)}` : relative(call.dueAt, viewer),
    ended: isFinal(call.status) && call.endedAt !== null ? formatWhen(call.endedAt, viewer.zone, viewer) : null,
    endedRelative: isFinal(call.status) && call.endedAt !== null ? relative(call.endedAt, viewer) : null,
    endedIso: call.endedAt !== null ? new Date(call.endedAt).toISOString() : null,
    calleeWhen: differs ? `${formatWhen(call.dueAt, call.timeZone, viewer)} in ${cityOf(call.timeZone)}` : null,
    callZone: zoneLabel(call.timeZone, call.dueAt),
    // Beside `calleeWhen`, which names the city already: the offset alone (none for UTC, which is its own offset).
    calleeOffset: call.timeZone === 'UTC' ? null : offsetLabel(call.timeZone, call.dueAt),
    message: call.message,
    outcome: outcomeWords(call, viewer.now),
    cancelable: call.status === 'scheduled',
    url: `/calls/${encodeURIComponent(call.id)}`,
    // A call with retries says which try it is; a schedule's occurrence links to the schedule's own page.
    attempt: call.triesTotal > 1 ? `attempt ${call.tryNumber} of ${call.triesTotal}` : null,
    scheduleUrl: call.scheduleId ? `/schedules/${encodeURIComponent(call.scheduleId)}` : null,
  };
}
export type CallView = ReturnType<typeof callView>;

const GROUP_ORDER = ['Now', 'Today', 'Tomorrow', 'Later'] as const;

/** The upcoming calls in their groups (empty groups left out), and the recent ones. */
export function groupCalls(upcoming: Call[], recent: Call[], viewer: Viewer) {
  const groups = GROUP_ORDER.map((name) => ({ name, calls: upcoming.filter((c) => groupOf(c, viewer) === name).map((c) => callView(c, viewer)) }));
  return { groups: groups.filter((g) => g.calls.length > 0), recent: recent.map((c) => callView(c, viewer)) };
}
