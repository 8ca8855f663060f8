import { DateTime } from 'luxon';
import type { Call, CallEvent } from '../calls/call.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The API's view of a call: instants in UTC, plus the scheduled time in the callee's zone (`timezone`, one spelling everywhere). */
export function callJson(call: Call) {
  return {
    id: call.id,
    to: call.to,
    at: iso(call.dueAt),
    timezone: call.timeZone,
    localAt: DateTime.fromMillis(call.dueAt, { zone: call.timeZone }).toISO({ suppressMilliseconds: true }),
    message: call.message,
    status: call.status,
    reason: call.reason,
    answeredBy: call.answeredBy,
    attempt: call.attempt,
    latenessMs: call.latenessMs,
    createdAt: iso(call.createdAt),
    updatedAt: iso(call.updatedAt),
    endedAt: iso(call.endedAt),
    scheduleId: call.scheduleId,
    occurrenceAt: iso(call.occurrenceAt),
    retryOf: call.retryOf,
    try: { number: call.tryNumber, of: call.triesTotal },
  };
}
export type CallJson = ReturnType<typeof callJson>;

/** Detail fields named `…At` hold epoch milliseconds in the timeline: shown as ISO-8601, like every time in the API. */
function detailJson(detail: Record<string, unknown> | null): Record<string, unknown> | null {
  if (detail === null) return null;
  return Object.fromEntries(Object.entries(detail).map(([key, value]) => [key, key.endsWith('At') && typeof value === 'number' && Number.isFinite(value) ? iso(value) : value]));
}

export function eventJson(event: CallEvent) {
  return { at: iso(event.at), kind: event.kind, name: event.name, detail: detailJson(event.detail) };
}
