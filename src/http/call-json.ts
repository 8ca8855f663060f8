import { DateTime } from 'luxon';
import type { Call, CallEvent } from '../calls/call.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The API's view of a call: instants in UTC, plus the scheduled time in the caller's own zone. */
export function callJson(call: Call) {
  return {
    id: call.id,
    to: call.to,
    at: iso(call.dueAt),
    timeZone: call.timeZone,
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

export function eventJson(event: CallEvent) {
  return { at: iso(event.at), kind: event.kind, name: event.name, detail: event.detail };
}
