import { randomUUID } from 'node:crypto';
import { createWebhookSigner } from 'telnyx-simulator';

/** Builds a Telnyx-shaped webhook body for one of our calls. */
export function telnyxEvent(eventType: string, callId: string, extra: Record<string, unknown> = {}, occurredAt = new Date()) {
  return JSON.stringify({
    data: {
      record_type: 'event',
      event_type: eventType,
      id: randomUUID(),
      occurred_at: occurredAt.toISOString(),
      payload: {
        call_control_id: `v3:test-${callId}`,
        call_leg_id: randomUUID(),
        call_session_id: randomUUID(),
        client_state: Buffer.from(callId).toString('base64'),
        connection_id: 'test-connection',
        from: '+12025550100',
        to: '+12025550123',
        direction: 'outgoing',
        ...extra,
      },
    },
    meta: { attempt: 1, delivered_to: 'http://127.0.0.1/webhook' },
  });
}

/** Posts a body signed with the key from `seedBase64`, at `timestamp` (seconds), optionally altered after signing. */
export async function postSigned(url: string, body: string, seedBase64: string, options: { timestamp?: number; alter?: (b: string) => string } = {}) {
  const signer = createWebhookSigner(seedBase64);
  const headers = signer.sign(body, options.timestamp ?? Math.floor(Date.now() / 1000));
  return fetch(`${url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: options.alter ? options.alter(body) : body,
  });
}
