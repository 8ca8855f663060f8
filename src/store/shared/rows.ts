import type { Call, CallEvent, CallStatus } from '../../calls/call.ts';
import type { InboxEvent } from '../../inbox/inbox-store.ts';

/** A `calls` row as both databases return it (PostgreSQL's bigint columns arrive as strings). */
export type CallRow = {
  id: string;
  to_number: string;
  due_at: number | string;
  time_zone: string;
  message: string | null;
  status: string;
  reason: string | null;
  attempt: number;
  created_at: number | string;
  updated_at: number | string;
  claimed_at: number | string | null;
  lateness_ms: number | string | null;
  call_control_id: string | null;
  ended_at: number | string | null;
  answered_by: string | null;
  schedule_id?: string | null;
  occurrence_at?: number | string | null;
  retry_of?: string | null;
  try_number?: number;
  tries_total?: number;
  retry_after_minutes?: number | null;
  retry_on_failed?: number | boolean;
};

export type EventRow = {
  id: number | string;
  call_id: string;
  at: number | string;
  kind: string;
  name: string;
  detail: string | null;
};

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));

export function callFromRow(row: CallRow): Call {
  return {
    id: row.id,
    to: row.to_number,
    dueAt: num(row.due_at),
    timeZone: row.time_zone,
    message: row.message,
    status: row.status as CallStatus,
    reason: row.reason,
    attempt: row.attempt,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    claimedAt: numOrNull(row.claimed_at),
    latenessMs: numOrNull(row.lateness_ms),
    callControlId: row.call_control_id,
    endedAt: numOrNull(row.ended_at),
    answeredBy: (row.answered_by as Call['answeredBy']) ?? null,
    scheduleId: row.schedule_id ?? null,
    occurrenceAt: numOrNull(row.occurrence_at ?? null),
    retryOf: row.retry_of ?? null,
    tryNumber: row.try_number ?? 1,
    triesTotal: row.tries_total ?? 1,
    retryAfterMinutes: row.retry_after_minutes ?? null,
    retryOnFailed: Boolean(row.retry_on_failed),
  };
}

export type InboxRow = {
  event_id: string;
  call_id: string | null;
  call_control_id: string | null;
  event_type: string;
  occurred_at: number | string;
  payload: string;
  received_at: number | string;
};

export function inboxFromRow(row: InboxRow): InboxEvent {
  return {
    eventId: row.event_id,
    callId: row.call_id,
    callControlId: row.call_control_id,
    eventType: row.event_type,
    occurredAt: num(row.occurred_at),
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    receivedAt: num(row.received_at),
  };
}

export function eventFromRow(row: EventRow): CallEvent {
  return {
    id: num(row.id),
    callId: row.call_id,
    at: num(row.at),
    kind: row.kind,
    name: row.name,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  };
}
