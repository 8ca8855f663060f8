import { randomBytes, randomUUID } from 'node:crypto';
import { createWebhookSigner, type WebhookSigner } from 'telnyx-simulator';
import type { LoadRequest } from './load-types.ts';

/** A fresh ed25519 seed: the simulator host and the load's signer share it, so both sign as one "Telnyx". */
export function newSigningSeed(): string {
  return randomBytes(32).toString('base64');
}

/** The simulator's own signer (packages/telnyx-simulator/webhooks/webhook-signer.ts), so the bytes signed are Telnyx's. */
export function signerFor(seedBase64: string): WebhookSigner {
  return createWebhookSigner(seedBase64);
}

export type EventFor = {
  eventType: string;
  /** Our call id; travels base64-encoded in client_state as the service's dials send it. */
  callId: string;
  callControlId: string;
  to?: string;
};

/** A Telnyx Call Control webhook envelope, shaped as the simulator (and Telnyx) send it, with a new event id. */
export function telnyxEventBody(event: EventFor, occurredAt = new Date()): string {
  return JSON.stringify({
    data: {
      record_type: 'event',
      event_type: event.eventType,
      id: randomUUID(),
      occurred_at: occurredAt.toISOString().replace('Z', '000Z'),
      payload: {
        call_control_id: event.callControlId,
        call_leg_id: randomUUID(),
        call_session_id: randomUUID(),
        client_state: Buffer.from(event.callId, 'utf8').toString('base64'),
        connection_id: 'bench-connection',
        from: '+12025550100',
        to: event.to ?? '+12025550123',
        direction: 'outgoing',
        state: 'answered',
      },
    },
    meta: { attempt: 1, delivered_to: 'http://127.0.0.1/webhook' },
  });
}

/** `POST /webhook` with Telnyx's two signature headers over `${timestamp}|${body}`. */
export function signedWebhook(signer: WebhookSigner, body: string, nowMs = Date.now()): LoadRequest {
  return {
    method: 'POST',
    path: '/webhook',
    headers: { 'content-type': 'application/json', 'user-agent': 'telnyx-webhooks', ...signer.sign(body, Math.floor(nowMs / 1000)) },
    body,
  };
}
