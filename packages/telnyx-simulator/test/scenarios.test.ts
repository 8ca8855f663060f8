import test from 'ava';
import Telnyx, { RateLimitError } from 'telnyx';
import type { TelnyxErrorBody } from '../index.ts';
import { Scenario, scenarioFor } from '../call/scenarios.ts';
import { createManualClock } from './manual-clock.ts';
import { apiFailure, startFixture } from './simulator-fixture.ts';

test('when a number ends in a scenario suffix, then that scenario is chosen; otherwise the call is answered', (t) => {
  t.is(scenarioFor('+15551230486'), Scenario.busy);
  t.is(scenarioFor('+15551230408'), Scenario.noAnswer);
  t.is(scenarioFor('+15551230603'), Scenario.rejected);
  t.is(scenarioFor('+15551230500'), Scenario.carrierError);
  t.is(scenarioFor('+15551230429'), Scenario.rateLimited);
  t.is(scenarioFor('+15551230422'), Scenario.invalidDestination);
  t.is(scenarioFor('+15551230700'), Scenario.machine);
  t.is(scenarioFor('+15551230901'), Scenario.pressesOneOnce);
  t.is(scenarioFor('+15551230909'), Scenario.pressesNine);
  t.is(scenarioFor('+15551230911'), Scenario.pressesOneAlways);
  t.is(scenarioFor('+15551230919'), Scenario.pressesOneThenNine);
  t.is(scenarioFor('+15551230001'), Scenario.answered);
  t.is(scenarioFor('+353 1 234 0486'), Scenario.busy);
});

test('when the callee is busy, then call.initiated is followed by call.hangup user_busy from the callee', async (t) => {
  const { receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551230486');
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');
  t.deepEqual(receiver.eventTypes(callControlId), ['call.initiated', 'call.hangup']);
  t.like(hangup.payload, { hangup_cause: 'user_busy', hangup_source: 'callee', sip_hangup_cause: '486' });
});

test('when the callee rejects, then call.initiated is followed by call.hangup call_rejected', async (t) => {
  const { receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551230603');
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');
  t.deepEqual(receiver.eventTypes(callControlId), ['call.initiated', 'call.hangup']);
  t.like(hangup.payload, { hangup_cause: 'call_rejected', hangup_source: 'callee' });
});

test('when nobody answers, then call.hangup timeout comes exactly at the ring timeout', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, receiver, dial } = await startFixture(t, { clock });
  const { callControlId } = await dial('+15551230408', { timeout_secs: 20 });
  await receiver.waitForEvent(callControlId, 'call.initiated');
  // Deliveries time out on the same clock: let them finish before jumping ahead.
  await simulator.whenWebhooksSettled();
  await clock.advance(19_999);
  t.is(simulator.call(callControlId)?.state, 'ringing');
  await clock.advance(1);
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');
  t.like(hangup.payload, { hangup_cause: 'timeout' });
  t.deepEqual(receiver.eventTypes(callControlId), ['call.initiated', 'call.hangup']);
});

test('when the dial names no ring timeout, then Telnyx default of 30 s applies', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, receiver, dial } = await startFixture(t, { clock });
  const { callControlId } = await dial('+15551230408');
  await receiver.waitForEvent(callControlId, 'call.initiated');
  // Deliveries time out on the same clock: let them finish before jumping ahead.
  await simulator.whenWebhooksSettled();
  await clock.advance(29_999);
  t.is(simulator.call(callControlId)?.state, 'ringing');
  await clock.advance(1);
  await receiver.waitForEvent(callControlId, 'call.hangup');
  t.pass();
});

test('when the carrier errors, then the first dial for a command_id gets 500 and its retry is answered', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t);
  const failed = await apiFailure(t, dial('+15551230500', { command_id: 'carrier-1' }));
  t.is(failed.status, 500);
  t.like(failed.body.errors[0], { code: '10007' });
  const { callControlId } = await dial('+15551230500', { command_id: 'carrier-1' });
  await receiver.waitForEvent(callControlId, 'call.answered');
  // Another command_id is another first attempt.
  t.is((await apiFailure(t, dial('+15551230500', { command_id: 'carrier-2' }))).status, 500);
  t.is(simulator.stats.callsPlaced, 1);
});

test('when the SDK retries a carrier error by itself, then the same command_id places exactly one call', async (t) => {
  const { simulator, receiver } = await startFixture(t);
  // Default SDK retries (2, with its own backoff): the simulator must look like Telnyx to the retry logic too.
  const retrying = new Telnyx({ apiKey: 'test', baseURL: simulator.baseUrl });
  const response = await retrying.calls.dial({ connection_id: 'c', from: '+15550000000', to: '+15551230500', webhook_url: receiver.url, command_id: 'sdk-retry' });
  const callControlId = response.data?.call_control_id ?? '';
  await receiver.waitForEvent(callControlId, 'call.answered');
  t.deepEqual(
    simulator.commands.map((c) => c.status),
    [500, 200],
  );
  t.is(simulator.stats.callsPlaced, 1);
});

test('when the scenario is rate limited, then the first dial gets 429 with Retry-After and the retry is answered', async (t) => {
  const { receiver, dial } = await startFixture(t);
  const error = await t.throwsAsync(dial('+15551230429', { command_id: 'rl-1' }), { instanceOf: RateLimitError });
  t.is(error?.headers.get('retry-after'), '1');
  t.like((error?.error as TelnyxErrorBody).errors[0], { code: '10011', title: 'Too many requests' });
  const { callControlId } = await dial('+15551230429', { command_id: 'rl-1' });
  await receiver.waitForEvent(callControlId, 'call.answered');
  t.pass();
});

test('when the destination is invalid, then every dial gets 422 and no call is placed', async (t) => {
  const { simulator, dial } = await startFixture(t);
  for (const commandId of ['bad-1', 'bad-1', 'bad-2']) {
    const { status, body } = await apiFailure(t, dial('+15551230422', { command_id: commandId }));
    t.is(status, 422);
    t.like(body.errors[0], { code: '10002', source: { pointer: '/to' } });
  }
  t.is(simulator.stats.callsPlaced, 0);
});

test('when the callee runs out of patience, then call.hangup normal_clearing comes from the callee, cutting speech short', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, client, receiver, dial } = await startFixture(t, { clock, maxCallMs: 10_000, speakMsPerChar: 1000 });
  const { callControlId } = await dial('+15551230030');
  await simulator.whenWebhooksSettled();
  await clock.advance(5);
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.speak(callControlId, { payload: 'a long story', voice: 'female' });
  await receiver.waitForEvent(callControlId, 'call.speak.started');
  await simulator.whenWebhooksSettled();
  await clock.advance(10_000);
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');
  t.like(hangup.payload, { hangup_cause: 'normal_clearing', hangup_source: 'callee' });
  t.deepEqual(receiver.eventTypes(callControlId), ['call.initiated', 'call.answered', 'call.speak.started', 'call.speak.ended', 'call.hangup']);
  t.is(receiver.received.find((w) => w.eventType === 'call.speak.ended')?.payload.status, 'call_hangup');
});

test('when we hang up a call still ringing, then call.hangup says originator_cancel from the caller', async (t) => {
  const { client, receiver, dial } = await startFixture(t, { answerDelayMs: 60_000 });
  const { callControlId } = await dial('+15551230031');
  await client.calls.actions.hangup(callControlId, {});
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');
  t.like(hangup.payload, { hangup_cause: 'originator_cancel', hangup_source: 'caller' });
});
