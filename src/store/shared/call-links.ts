import type { NewCall } from '../../calls/call-store.ts';

/** The call columns migration 5 added: the schedule and retry chain a call belongs to, and its policy. */
export const NEW_CALL_COLUMNS = 'schedule_id, occurrence_at, retry_of, try_number, tries_total, retry_after_minutes, retry_on_failed';

/** Their values for an insert, in {@link NEW_CALL_COLUMNS} order (a call from before schedules: none of them). */
export function newCallValues(call: NewCall): (string | number | null)[] {
  return [
    call.scheduleId ?? null,
    call.occurrenceAt ?? null,
    call.retryOf ?? null,
    call.tryNumber ?? 1,
    call.triesTotal ?? 1,
    call.retryAfterMinutes ?? null,
    call.retryOnFailed ? 1 : 0,
  ];
}
