import parsePhoneNumber from 'libphonenumber-js/max';
import type { Call, CallStatus } from '../../calls/call.ts';

/** `+1 202 555 0123`: libphonenumber's international format (the stored E.164 when it cannot parse it). */
export function formatNumber(e164: string): string {
  try {
    return parsePhoneNumber(e164)?.formatInternational() ?? e164;
  } catch {
    return e164;
  }
}

/** The reason the schedules store gives the occurrence a pause cancels (src/schedules/schedule-service.ts). */
export const SCHEDULE_PAUSED = 'the schedule was paused';

/** The badge's words: an occurrence a pause took back reads "Paused", not "Canceled". */
export function statusWord(call: Pick<Call, 'status' | 'reason'>): string {
  if (call.status === 'canceled' && call.reason === SCHEDULE_PAUSED) return 'Paused';
  return STATUS_WORDS[call.status];
}

/** The status in a word or two, for a badge. */
export const STATUS_WORDS: Record<CallStatus, string> = {
  scheduled: 'Scheduled',
  dialing: 'Dialing',
  ringing: 'Ringing',
  in_progress: 'On the call',
  completed: 'Completed',
  busy: 'Line busy',
  no_answer: 'No answer',
  failed: 'Failed',
  canceled: 'Canceled',
  missed: 'Missed',
};

/** Carrier hangup causes (Telnyx `hangup_cause`) in words a person understands; the raw cause is never shown. */
const CAUSES: Record<string, string> = {
  call_rejected: 'the phone rejected the call',
  user_busy: 'the line was busy',
  unallocated_number: 'the number does not exist',
  invalid_number_format: 'the number does not exist',
  no_route_destination: 'the number cannot be reached from our carrier',
  destination_out_of_order: 'the phone could not be reached',
  subscriber_absent: 'the phone is switched off or out of coverage',
  normal_temporary_failure: 'a network problem at the carrier',
  network_out_of_order: 'a network problem at the carrier',
  originator_cancel: 'the call was stopped before it was answered',
  timeout: 'nobody answered',
  no_answer: 'nobody answered',
};

/** Why a failed call failed, in plain words, from the reason we stored (which may carry a raw carrier cause). */
function failure(reason: string | null): string {
  if (!reason) return 'The call could not be connected.';
  const cause = /\b([a-z]+(?:_[a-z]+)+|timeout)\b/.exec(reason)?.[1];
  if (cause && CAUSES[cause]) return `The call could not be connected: ${CAUSES[cause]}.`;
  if (reason.startsWith('dial failed')) return 'Our carrier refused to place the call.';
  if (reason.startsWith('dial outcome unknown')) return 'We could not confirm that the call was placed, so it was not tried again.';
  if (reason.includes('time limit')) return 'The call was cut off at its time limit.';
  return 'The call could not be connected.';
}

/** True while a scheduled call is past due: it waits for a free line (or for the dial rate). */
export function isWaiting(call: Pick<Call, 'status' | 'dueAt'>, now: number): boolean {
  return call.status === 'scheduled' && call.dueAt <= now;
}

/** What happened, or what is happening, in one sentence. */
export function outcomeWords(call: Pick<Call, 'status' | 'reason' | 'answeredBy' | 'message' | 'dueAt'>, now: number): string {
  const heard = call.message ? 'your message' : 'a joke';
  switch (call.status) {
    case 'scheduled':
      return isWaiting(call, now) ? 'Due now: waiting for a free line.' : 'Waiting for its time.';
    case 'dialing':
      return 'Dialing the number now.';
    case 'ringing':
      return 'The phone is ringing.';
    case 'in_progress':
      return call.answeredBy === 'machine' ? `Answered by a machine: it hears ${heard} after the greeting.` : `Answered: they are hearing ${heard}.`;
    case 'completed':
      if (call.reason?.includes('time limit')) return `Answered; the call was cut off at its time limit.`;
      return call.answeredBy === 'machine' ? `Answered by a machine, which recorded ${heard}.` : `Answered; they heard ${heard}.`;
    case 'busy':
      return 'The line was busy.';
    case 'no_answer':
      return 'Nobody answered.';
    case 'failed':
      return failure(call.reason);
    case 'canceled':
      if (call.reason?.includes('asked not to be called')) return 'Canceled: the number asked not to be called again.';
      if (call.reason === SCHEDULE_PAUSED) return 'Not made: its schedule is paused. Resuming the schedule makes it again if its time has not passed.';
      if (call.reason === 'the schedule was changed') return 'Not made: its schedule was changed, and the new rule made its own calls.';
      if (call.reason === 'the schedule was stopped') return 'Not made: its schedule was deleted.';
      return call.reason === 'canceled by the person' ? 'You canceled it.' : 'Canceled.';
    case 'missed':
      return 'Missed: the service was down when it was due.';
  }
}
