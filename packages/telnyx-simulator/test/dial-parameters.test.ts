import test from 'ava';
import { createManualClock } from './manual-clock.ts';
import { apiFailure, startFixture } from './simulator-fixture.ts';

test('when ringTimeoutCapMs is set, then a legal timeout_secs rings only that long', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, receiver, dial } = await startFixture(t, { clock, ringTimeoutCapMs: 200 });
  const { callControlId } = await dial('+15552350408', { timeout_secs: 30 });
  await receiver.waitForEvent(callControlId, 'call.initiated');
  await simulator.whenWebhooksSettled();
  await clock.advance(199);
  t.is(simulator.call(callControlId)?.state, 'ringing');
  await clock.advance(1);
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');
  t.like(hangup.payload, { hangup_cause: 'timeout' });
});

test('when timeout_secs or time_limit_secs is outside what Telnyx accepts, then the dial is refused 422 naming it', async (t) => {
  const { simulator, dial } = await startFixture(t);
  for (const [name, value] of [
    ['timeout_secs', 4],
    ['timeout_secs', 601],
    ['time_limit_secs', 0],
    ['time_limit_secs', 29],
    ['time_limit_secs', 14_401],
    ['time_limit_secs', 1.5],
  ] as const) {
    const refused = await apiFailure(t, dial('+15551235001', { [name]: value }));
    t.is(refused.status, 422);
    t.like(refused.body.errors[0], { source: { pointer: `/${name}` } });
  }
  t.is(simulator.stats.callsPlaced, 0);
});

test('when an answered call reaches time_limit_secs, then it is ended with hangup_cause time_limit', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, receiver, dial } = await startFixture(t, { clock, answerDelayMs: 100, maxCallMs: 3_600_000 });
  const { callControlId } = await dial('+15551235002', { time_limit_secs: 60 });
  await simulator.whenWebhooksSettled();
  await clock.advance(100);
  await receiver.waitForEvent(callControlId, 'call.answered');
  await simulator.whenWebhooksSettled();
  await clock.advance(59_999);
  t.is(simulator.call(callControlId)?.state, 'answered');
  await clock.advance(1);
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');
  t.like(hangup.payload, { hangup_cause: 'time_limit', state: 'hangup' });
  t.is(simulator.call(callControlId)?.endedAt, clock.now());
});

test('when the dial names no time limit, then Telnyx default of four hours applies from the answer', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, receiver, dial } = await startFixture(t, { clock, answerDelayMs: 0, maxCallMs: 10 * 3_600_000 });
  const { callControlId } = await dial('+15551235003');
  await simulator.whenWebhooksSettled();
  await clock.advance(0);
  await receiver.waitForEvent(callControlId, 'call.answered');
  await simulator.whenWebhooksSettled();
  await clock.advance(14_400_000 - 1);
  t.is(simulator.call(callControlId)?.state, 'answered');
  await clock.advance(1);
  t.like(simulator.call(callControlId), { state: 'ended', hangupCause: 'time_limit' });
});

test('when answering_machine_detection has an unknown value, then the dial is refused 422', async (t) => {
  const { dial } = await startFixture(t);
  const refused = await apiFailure(t, dial('+15551235004', { answering_machine_detection: 'guess' }));
  t.like(refused.body.errors[0], { source: { pointer: '/answering_machine_detection' } });
});
