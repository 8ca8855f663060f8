import { z } from 'zod';
import type { CarrierEvent, CarrierNotice, DigitsGathered, HungUp, MachineDetected, SpeechEnded } from '../calls/carrier-event.ts';
import { ValidationError } from '../kernel/errors.ts';
import type { InboxEvent } from '../inbox/inbox-store.ts';
import type { InboxCodec } from '../inbox/inbox-codec.ts';

/**
 * The one place Telnyx's webhook JSON is read: the envelope (id, type, time, which call) when a verified webhook is
 * stored, and the payload's meaning (event names, `hangup_cause`, `sip_hangup_cause`, results and statuses) when
 * the stored event is applied. Names and values follow the `telnyx` SDK's webhook types.
 */

const envelope = z.object({
  data: z.object({
    id: z.string().min(1).max(200),
    event_type: z.string().min(1).max(100),
    occurred_at: z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: 'is not a date-time' }),
    payload: z.record(z.string(), z.unknown()).default({}),
  }),
});

const CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Our call id travels base64-encoded in `client_state`; anything else there is not ours. */
function callIdFrom(clientState: unknown): string | null {
  if (typeof clientState !== 'string' || clientState === '') return null;
  const decoded = Buffer.from(clientState, 'base64').toString('utf8');
  return CALL_ID.test(decoded) ? decoded : null;
}

/** Reads a verified Telnyx webhook body into an inbox event; a body of the wrong shape is a validation error. */
export function parseTelnyxWebhook(body: unknown, receivedAt: number): InboxEvent {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      'The webhook is not a Telnyx event.',
    );
  }
  const { id, event_type, occurred_at, payload } = parsed.data.data;
  const controlId = payload.call_control_id;
  return {
    eventId: id,
    callId: callIdFrom(payload.client_state),
    callControlId: typeof controlId === 'string' ? controlId : null,
    eventType: event_type,
    occurredAt: Date.parse(occurred_at),
    payload,
    receivedAt,
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * `call.machine.detection.ended` (`human|machine|not_sure`) and the premium variant's finer results
 * (`human_residence|human_business|machine|silence|fax_detected|not_sure`, the SDK's webhook types).
 */
function detected(result: unknown): MachineDetected {
  switch (result) {
    case 'human':
    case 'human_residence':
    case 'human_business':
      return { kind: 'machineDetected', answeredBy: 'human', heard: 'person' };
    case 'machine':
      return { kind: 'machineDetected', answeredBy: 'machine', heard: 'machine' };
    case 'fax_detected':
      return { kind: 'machineDetected', answeredBy: 'machine', heard: 'fax' };
    case 'silence':
      return { kind: 'machineDetected', answeredBy: 'unknown', heard: 'silence' };
    default:
      return { kind: 'machineDetected', answeredBy: 'unknown', heard: 'unsure' };
  }
}

function ending(cause: string): HungUp['ending'] {
  switch (cause) {
    case 'normal_clearing':
      return 'normal';
    case 'user_busy':
      return 'busy';
    case 'no_answer':
    case 'timeout':
      return 'noAnswer';
    case 'time_limit':
      return 'timeLimit';
    case 'call_rejected':
      return 'rejected';
    case 'originator_cancel':
      return 'canceled';
    case 'not_found':
      return 'notFound';
    default:
      return 'other';
  }
}

function hungUp(p: Record<string, unknown>): HungUp {
  const cause = str(p.hangup_cause) ?? 'unspecified';
  const sip = typeof p.sip_hangup_cause === 'number' ? String(p.sip_hangup_cause) : str(p.sip_hangup_cause);
  const source = p.hangup_source;
  return {
    kind: 'hungUp',
    cause,
    ending: ending(cause),
    // Telnyx writes `unspecified` when it has no SIP response; that tells us nothing.
    sipCause: sip === 'unspecified' ? null : sip,
    source: source === 'caller' || source === 'callee' ? source : 'unknown',
  };
}

function gatherStatus(status: unknown): DigitsGathered['status'] {
  switch (status) {
    case 'valid':
    case 'invalid':
    case 'timeout':
      return status;
    case 'call_hangup':
      return 'hangup';
    case 'cancelled_amd':
      return 'cancelledByDetection';
    default:
      // `cancelled`, or a status added later: the menu did not run to its end.
      return 'cancelled';
  }
}

function speechHow(status: unknown): SpeechEnded['how'] {
  switch (status) {
    case undefined:
    case 'completed':
      return 'completed';
    case 'call_hangup':
      return 'hangup';
    case 'cancelled_amd':
      return 'cancelledByDetection';
    default:
      return 'cancelled';
  }
}

/** What a stored Telnyx event means for the call, in our own terms. */
export function toCarrierEvent(event: Pick<InboxEvent, 'eventType' | 'payload'>): CarrierEvent {
  const p = event.payload;
  switch (event.eventType) {
    case 'call.initiated':
      return { kind: 'initiated' };
    case 'call.answered':
      return { kind: 'answered' };
    case 'call.machine.detection.ended':
    case 'call.machine.premium.detection.ended':
      return detected(p.result);
    case 'call.machine.greeting.ended':
    case 'call.machine.premium.greeting.ended':
      return { kind: 'greetingEnded' };
    case 'call.speak.ended':
      return { kind: 'speechEnded', how: speechHow(p.status) };
    case 'call.gather.ended':
      return { kind: 'digitsGathered', digits: typeof p.digits === 'string' ? p.digits : '', status: gatherStatus(p.status) };
    case 'call.hangup':
      return hungUp(p);
    default:
      return { kind: 'other' };
  }
}

/** The few payload fields worth keeping in a call's timeline (no numbers, no SIP headers). */
export function timelineDetail(event: Pick<InboxEvent, 'payload'>): Record<string, unknown> {
  const p = event.payload;
  const out: Record<string, unknown> = {};
  for (const key of ['hangup_cause', 'hangup_source', 'sip_hangup_cause', 'result', 'status', 'digits'] as const) {
    if (p[key] !== undefined) out[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = p[key];
  }
  return out;
}

/** A stored Telnyx event read into the domain's {@link CarrierNotice}: the edge the inbox worker applies through. */
export function toCarrierNotice(event: InboxEvent): CarrierNotice {
  return {
    eventId: event.eventId,
    callId: event.callId,
    callControlId: event.callControlId,
    occurredAt: event.occurredAt,
    name: event.eventType,
    event: toCarrierEvent(event),
    detail: timelineDetail(event),
  };
}

/** Telnyx's webhook format as the inbox reads it: the envelope at intake, the notice when applied. */
export const telnyxInboxCodec: InboxCodec = { envelope: parseTelnyxWebhook, notice: toCarrierNotice };
