import test from 'ava';
import { startFixture } from './simulator-fixture.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

test('when the receiver fails once in Telnyx default mode, then that webhook is not retried and the next still goes out', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t);
  receiver.answerNextWith(500);
  const { callControlId } = await dial('+15551233001');
  await receiver.waitForEvent(callControlId, 'call.answered');
  await simulator.whenWebhooksSettled();
  t.deepEqual(receiver.eventTypes(callControlId), ['call.answered']);
  t.like(simulator.stats.webhooks, { sent: 2, delivered: 1, failed: 1, dropped: 1 });
});

test('when the dial sets webhook_retries_policies, then that event type is retried after the given delays', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t);
  receiver.answerNextWith(500, 502);
  const { callControlId } = await dial('+15551233002', { webhook_retries_policies: { 'call.initiated': { retries_ms: [1, 2] } } });
  const initiated = await receiver.waitForEvent(callControlId, 'call.initiated');
  t.is(initiated.attempt, 3);
  await simulator.whenWebhooksSettled();
  t.deepEqual(
    simulator.webhookAttempts.filter((a) => a.eventType === 'call.initiated').map((a) => a.status),
    [500, 502, 200],
  );
});

test('when the primary URL fails and the dial names webhook_failover_url, then the failover URL gets the webhook', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t);
  const failover = await startWebhookReceiver(t, simulator.publicKeyBase64);
  receiver.answerNextWith(503);
  const { callControlId } = await dial('+15551233003', { webhook_failover_url: failover.url });
  const initiated = await failover.waitForEvent(callControlId, 'call.initiated');
  t.is(initiated.attempt, 1);
  await receiver.waitForEvent(callControlId, 'call.answered');
  t.deepEqual(failover.eventTypes(callControlId), ['call.initiated']);
  await simulator.whenWebhooksSettled();
  t.like(simulator.stats.webhooks, { delivered: 2, failed: 1, dropped: 0 });
});

test('when webhookLossRate is 1, then no webhook is sent, each is counted lost, and the call goes on regardless', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, { webhookLossRate: 1 });
  const { callControlId } = await dial('+15551233004');
  await simulator.whenIdle();
  t.is(receiver.received.length, 0);
  t.is(simulator.call(callControlId)?.state, 'answered');
  t.like(simulator.stats.webhooks, { sent: 0, lost: 2 });
});

test('when webhookLossRate is a fraction, then a webhook is lost exactly when the random draw falls below it', async (t) => {
  const below = await startFixture(t, { webhookLossRate: 0.5, random: () => 0.49 });
  await below.dial('+15551233005');
  await below.simulator.whenIdle();
  t.like(below.simulator.stats.webhooks, { sent: 0, lost: 2 });
  const above = await startFixture(t, { webhookLossRate: 0.5, random: () => 0.5 });
  await above.dial('+15551233006');
  await above.simulator.whenIdle();
  t.like(above.simulator.stats.webhooks, { sent: 2, lost: 0 });
});
