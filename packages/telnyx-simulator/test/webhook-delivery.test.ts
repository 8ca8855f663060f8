import { createPublicKey, verify } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import Telnyx, { TelnyxError } from 'telnyx';
import { CarrierSimulator } from '../index.ts';
import { createManualClock } from './manual-clock.ts';
import { startFixture } from './simulator-fixture.ts';

test('when a webhook is signed, then the SDK verifies it with the simulator public key and rejects a tampered body', async (t) => {
  const { receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551230486');
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');
  t.is(receiver.rejected.length, 0);
  await t.notThrowsAsync(receiver.verify(hangup.raw, hangup.headers));

  const tampered = hangup.raw.replace('user_busy', 'normal_clearing');
  t.not(tampered, hangup.raw);
  await t.throwsAsync(receiver.verify(tampered, hangup.headers), { instanceOf: TelnyxError, message: /Signature verification failed/ });
  const otherTimestamp = { ...hangup.headers, 'telnyx-timestamp': String(Number(hangup.headers['telnyx-timestamp']) - 1) };
  await t.throwsAsync(receiver.verify(hangup.raw, otherTimestamp), { instanceOf: TelnyxError });
});

test('when a webhook is checked by hand, then the signature is ed25519 over "timestamp|body" with the raw public key', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551230032');
  const initiated = await receiver.waitForEvent(callControlId, 'call.initiated');
  const raw = Buffer.from(simulator.publicKeyBase64, 'base64');
  t.is(raw.length, 32);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  const timestamp = initiated.headers['telnyx-timestamp'] ?? '';
  t.regex(timestamp, /^\d{10}$/);
  const signature = Buffer.from(initiated.headers['telnyx-signature-ed25519'] ?? '', 'base64');
  t.true(verify(null, Buffer.from(`${timestamp}|${initiated.raw}`), key, signature));
});

test('when another key is used, then verification fails', async (t) => {
  const { receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551230033');
  const initiated = await receiver.waitForEvent(callControlId, 'call.initiated');
  const stranger = new CarrierSimulator();
  const sdk = new Telnyx({ apiKey: 'unused', baseURL: 'http://127.0.0.1:9/v2' });
  await t.throwsAsync(sdk.webhooks.unwrap(initiated.raw, { headers: initiated.headers, key: stranger.publicKeyBase64 }), { instanceOf: TelnyxError });
});

test('when two simulators share a signing seed, then they share the public key', (t) => {
  const seed = Buffer.alloc(32, 7).toString('base64');
  t.is(new CarrierSimulator({ signingSeedBase64: seed }).publicKeyBase64, new CarrierSimulator({ signingSeedBase64: seed }).publicKeyBase64);
  t.not(new CarrierSimulator().publicKeyBase64, new CarrierSimulator().publicKeyBase64);
});

test('when the receiver fails twice, then the webhook is retried with a rising attempt number and then delivered', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, { webhookAttempts: 3, webhookRetryDelayMs: 1 });
  receiver.answerNextWith(500, 503);
  const { callControlId } = await dial('+15551230034');
  const initiated = await receiver.waitForEvent(callControlId, 'call.initiated');
  t.is(initiated.attempt, 3);
  await simulator.whenIdle();
  t.like(simulator.stats.webhooks, { failed: 2, dropped: 0 });
  t.deepEqual(
    simulator.webhookAttempts.filter((a) => a.eventType === 'call.initiated').map((a) => [a.attempt, a.status]),
    [
      [1, 500],
      [2, 503],
      [3, 200],
    ],
  );
});

test('when the receiver keeps failing, then the webhook is dropped after the last attempt and the next one still goes out', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, { webhookAttempts: 2, webhookRetryDelayMs: 1 });
  receiver.answerNextWith(500, 500);
  const { callControlId } = await dial('+15551230486');
  await receiver.waitForEvent(callControlId, 'call.hangup');
  await simulator.whenIdle();
  t.deepEqual(receiver.eventTypes(callControlId), ['call.hangup']);
  t.like(simulator.stats.webhooks, { sent: 3, delivered: 1, failed: 2, dropped: 1 });
});

test('when nothing listens at the webhook URL, then deliveries fail, are counted and dropped', async (t) => {
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const { port } = closed.address() as AddressInfo;
  closed.close();
  await once(closed, 'close');

  const { simulator, dial } = await startFixture(t, { webhookAttempts: 3, webhookRetryDelayMs: 1 });
  await dial('+15551230486', { webhook_url: `http://127.0.0.1:${port}/webhook` });
  await simulator.whenIdle();
  t.like(simulator.stats.webhooks, { sent: 6, delivered: 0, failed: 6, dropped: 2 });
  t.true(simulator.webhookAttempts.every((attempt) => attempt.status === undefined && typeof attempt.error === 'string'));
});

test('when duplicateWebhooks is on, then every event arrives twice with the same id', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, { duplicateWebhooks: true });
  const { callControlId } = await dial('+15551230486');
  await simulator.whenIdle();
  t.deepEqual(receiver.eventTypes(callControlId), ['call.initiated', 'call.initiated', 'call.hangup', 'call.hangup']);
  const [first, second] = receiver.received;
  t.is(first?.eventId, second?.eventId);
});

test('when reorderWebhooks is on, then consecutive events of a call arrive swapped while occurred_at keeps the true order', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, { reorderWebhooks: true, reorderHoldMs: 5000 });
  const { callControlId } = await dial('+15551230486');
  await simulator.whenIdle();
  t.deepEqual(receiver.eventTypes(callControlId), ['call.hangup', 'call.initiated']);
  const [hangup, initiated] = receiver.received;
  t.true((initiated?.occurredAt ?? '') < (hangup?.occurredAt ?? ''));
});

test('when reorderWebhooks is on and no successor comes in time, then the held webhook goes out alone', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, receiver, dial } = await startFixture(t, { clock, reorderWebhooks: true, reorderHoldMs: 100, answerDelayMs: 1000 });
  const { callControlId } = await dial('+15551230035');
  await clock.advance(100);
  const initiated = await receiver.waitForEvent(callControlId, 'call.initiated');
  t.is(initiated.eventType, 'call.initiated');
  t.is(simulator.call(callControlId)?.state, 'ringing');
});

test('when the simulator stops, then no timer is left on its clock', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, receiver, dial } = await startFixture(t, { clock, answerDelayMs: 1000 });
  const { callControlId } = await dial('+15551230036');
  await receiver.waitForEvent(callControlId, 'call.initiated');
  await simulator.whenWebhooksSettled();
  t.true(clock.pending() > 0);
  await simulator.stop();
  t.is(clock.pending(), 0);
});
