import type { ExecutionContext } from 'ava';
import Telnyx, { APIError } from 'telnyx';
import { CarrierSimulator } from '../index.ts';
import type { SimulatorOptions } from '../index.ts';
import type { TelnyxErrorBody } from '../index.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';

export type Fixture = {
  simulator: CarrierSimulator;
  client: Telnyx;
  receiver: WebhookReceiver;
  /** Dials through the real SDK with the receiver as webhook_url. */
  dial(to: string, extra?: Record<string, unknown>): Promise<{ callControlId: string; data: Record<string, unknown> }>;
};

/** Fast timings so flows finish in milliseconds; tests override what they exercise. */
export const FAST: SimulatorOptions = { answerDelayMs: 5, speakMsPerChar: 0.1, maxCallMs: 60_000 };

/** A started simulator, an SDK client pointed at it and a verifying receiver; all torn down after the test. */
export async function startFixture(t: ExecutionContext, options: SimulatorOptions = {}): Promise<Fixture> {
  const simulator = new CarrierSimulator({ ...FAST, ...options });
  const receiver = await startWebhookReceiver(t, simulator.publicKeyBase64);
  const { baseUrl } = await simulator.start();
  t.teardown(() => simulator.stop());
  const client = new Telnyx({ apiKey: 'test', baseURL: baseUrl, maxRetries: 0 });
  return {
    simulator,
    client,
    receiver,
    async dial(to, extra = {}) {
      const response = await client.calls.dial({ connection_id: 'conn-1', from: '+15550000000', to, webhook_url: receiver.url, ...extra });
      const data = response.data;
      if (!data) throw new Error('dial answered without data');
      return { callControlId: data.call_control_id, data: { ...data } };
    },
  };
}

/** Awaits an SDK call expected to fail and returns its status and Telnyx error body. */
export async function apiFailure(t: ExecutionContext, promise: Promise<unknown>): Promise<{ status: number; body: TelnyxErrorBody }> {
  const error = await t.throwsAsync(promise, { instanceOf: APIError });
  if (!error) throw new Error('expected an APIError');
  return { status: error.status as number, body: error.error as TelnyxErrorBody };
}

/** A base64 client_state, as Telnyx requires. */
export function clientState(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
