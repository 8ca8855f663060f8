import { once } from 'node:events';
import test from 'ava';
import { createManualClock } from './manual-clock.ts';
import { apiFailure, startFixture } from './simulator-fixture.ts';

test('when dials exceed dialsPerSecond within a 1 s window, then the excess gets 429 until the window moves on', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, dial } = await startFixture(t, { clock, dialsPerSecond: 2, rateLimitWindowMs: 1000 });
  await dial('+15551230012');
  await simulator.whenWebhooksSettled();
  await clock.advance(999);
  await dial('+15551230013');
  const refused = await apiFailure(t, dial('+15551230014'));
  t.is(refused.status, 429);
  t.like(refused.body.errors[0], { code: '90103', title: 'Too many requests' });
  await simulator.whenWebhooksSettled();
  await clock.advance(1);
  await dial('+15551230014');
  t.like(simulator.stats, { callsPlaced: 3, rateLimited: 1 });
});

test('when channelLimitMode is api-429 and a dial would exceed the channels, then it gets 429 until a live call ends', async (t) => {
  const { simulator, client, receiver, dial } = await startFixture(t, { channels: 1, channelLimitMode: 'api-429' });
  const { callControlId } = await dial('+15551230015');
  const refused = await apiFailure(t, dial('+15551230016'));
  t.is(refused.status, 429);
  t.regex(refused.body.errors[0]?.detail ?? '', /channel limit/);
  await client.calls.actions.hangup(callControlId, {});
  await receiver.waitForEvent(callControlId, 'call.hangup');
  await dial('+15551230016');
  t.like(simulator.stats, { callsPlaced: 2, channelLimited: 1, maxLiveCalls: 1 });
});

test('when the channels are full (Telnyx default mode), then the dial is accepted and the call fails with SIP 403 before any answer', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, { channels: 1 });
  await dial('+15551230017');
  const { callControlId } = await dial('+15551230018');
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');
  t.like(hangup.payload, { hangup_cause: 'unspecified', sip_hangup_cause: '403' });
  t.like(simulator.stats, { channelLimited: 1, maxLiveCalls: 1 });
});

test('when faultRate is 1, then every API request gets 503 and nothing happens', async (t) => {
  const { simulator, dial } = await startFixture(t, { faultRate: 1 });
  const refused = await apiFailure(t, dial('+15551230019', { command_id: 'faulty' }));
  t.is(refused.status, 503);
  t.like(simulator.stats, { callsPlaced: 0, faultsInjected: 1 });
  simulator.configure({ faultRate: 0 });
  // A refused dial does not consume its command_id: the retry places the call.
  await dial('+15551230019', { command_id: 'faulty' });
  t.is(simulator.stats.callsPlaced, 1);
});

test('when apiLatencyMs is set, then answers wait that long on the clock', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, dial } = await startFixture(t, { clock, apiLatencyMs: 200 });
  let settled = false;
  const dialing = dial('+15551230020').finally(() => {
    settled = true;
  });
  await once(simulator, 'request');
  await clock.advance(199);
  t.false(settled);
  await clock.advance(1);
  await dialing;
  t.is(simulator.stats.callsPlaced, 1);
});

test('when channelLimitMode is api-403, then a dial over the channels is refused 403 "User channel limit exceeded" and places nothing', async (t) => {
  const { simulator, dial } = await startFixture(t, { channels: 1, channelLimitMode: 'api-403' });
  await dial('+15551230017');
  const refused = await apiFailure(t, dial('+15551230018'));
  t.is(refused.status, 403);
  t.like(refused.body.errors[0], { title: 'User channel limit exceeded' });
  t.like(simulator.stats, { callsPlaced: 1, channelLimited: 1 });
});

test('when channelLimitMode is sip-403-rejected, then a dial over the channels is placed and its leg ends call_rejected with SIP 403', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, { channels: 1, channelLimitMode: 'sip-403-rejected' });
  await dial('+15551230019');
  const { callControlId } = await dial('+15551230020');
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');
  t.like(hangup.payload, { hangup_cause: 'call_rejected', sip_hangup_cause: '403' });
  t.like(simulator.stats, { callsPlaced: 2, channelLimited: 1 });
});
