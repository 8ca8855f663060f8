import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { InboxEvent } from '../store/store.ts';

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

/** Reads a verified Telnyx webhook body into an inbox event; a body of the wrong shape is a 400. */
export function parseTelnyxEvent(body: unknown, receivedAt: number): InboxEvent {
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
