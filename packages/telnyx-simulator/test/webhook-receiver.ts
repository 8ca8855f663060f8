import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import Telnyx from 'telnyx';

/** A webhook the receiver got and the SDK verified. */
export type ReceivedWebhook = {
  eventType: string;
  eventId: string;
  occurredAt: string;
  payload: Record<string, unknown>;
  attempt: number;
  raw: string;
  headers: Record<string, string>;
};

export type WebhookReceiver = {
  url: string;
  /** Verified webhooks in arrival order. */
  readonly received: ReceivedWebhook[];
  /** Requests whose signature did not verify. */
  readonly rejected: { raw: string; error: unknown }[];
  /** Answers the next requests with these statuses (then 200 again). */
  answerNextWith(...statuses: number[]): void;
  /** Resolves with the first verified webhook, already received or yet to come, that matches. */
  waitFor(match: (webhook: ReceivedWebhook) => boolean, what?: string): Promise<ReceivedWebhook>;
  waitForEvent(callControlId: string, eventType: string): Promise<ReceivedWebhook>;
  /** Event types received for a call, in arrival order. */
  eventTypes(callControlId: string): string[];
  /** Verifies a body and headers exactly as the service will: the SDK's `webhooks.unwrap` with the key. */
  verify(raw: string, headers: Record<string, string>): Promise<unknown>;
};

// Only a guard so a broken simulator fails the test with a message instead of ava's global timeout.
const WAIT_GUARD_MS = 10_000;

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') flat[name] = value;
  return flat;
}

/** Starts a loopback receiver that verifies every webhook with the real SDK and the given public key. */
export async function startWebhookReceiver(t: ExecutionContext, publicKeyBase64: string): Promise<WebhookReceiver> {
  const sdk = new Telnyx({ apiKey: 'unused', baseURL: 'http://127.0.0.1:9/v2', maxRetries: 0 });
  const verify = (raw: string, headers: Record<string, string>) => sdk.webhooks.unwrap(raw, { headers, key: publicKeyBase64 });
  const received: ReceivedWebhook[] = [];
  const rejected: { raw: string; error: unknown }[] = [];
  const statuses: number[] = [];
  const listeners = new Set<() => void>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = flatHeaders(req.headers);
      verify(raw, headers).then(
        () => {
          const envelope = JSON.parse(raw) as {
            data: { event_type: string; id: string; occurred_at: string; payload: Record<string, unknown> };
            meta: { attempt: number };
          };
          const status = statuses.shift() ?? 200;
          res.writeHead(status).end();
          // A webhook answered non-2xx was not accepted, so it does not count as received.
          if (status >= 300) return;
          const { data } = envelope;
          received.push({ eventType: data.event_type, eventId: data.id, occurredAt: data.occurred_at, payload: data.payload, attempt: envelope.meta.attempt, raw, headers });
          for (const listener of [...listeners]) listener();
        },
        (error: unknown) => {
          rejected.push({ raw, error });
          res.writeHead(400).end();
        },
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  const waitFor = (match: (webhook: ReceivedWebhook) => boolean, what = 'a matching webhook') => {
    const seen = received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<ReceivedWebhook>((resolve, reject) => {
      const guard = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no ${what} within ${WAIT_GUARD_MS} ms; got ${received.map((w) => w.eventType).join(', ')}`));
      }, WAIT_GUARD_MS);
      function check() {
        const found = received.find(match);
        if (!found) return;
        clearTimeout(guard);
        listeners.delete(check);
        resolve(found);
      }
      listeners.add(check);
    });
  };

  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    received,
    rejected,
    answerNextWith: (...next) => statuses.push(...next),
    waitFor,
    waitForEvent: (callControlId, eventType) =>
      waitFor((w) => w.payload.call_control_id === callControlId && w.eventType === eventType, `${eventType} for ${callControlId}`),
    eventTypes: (callControlId) => received.filter((w) => w.payload.call_control_id === callControlId).map((w) => w.eventType),
    verify,
  };
}
