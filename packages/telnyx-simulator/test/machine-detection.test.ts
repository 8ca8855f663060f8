import test from 'ava';
import { createManualClock } from './manual-clock.ts';
import { startFixture } from './simulator-fixture.ts';

const QUICK = { amdDelayMs: 10, machineGreetingMs: 20 };

test('when a person answers a dial with detection, then call.machine.detection.ended says human after amdDelayMs', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, receiver, dial } = await startFixture(t, { clock, answerDelayMs: 100, amdDelayMs: 1500 });
  const { callControlId } = await dial('+15551236001', { answering_machine_detection: 'greeting_end' });
  await simulator.whenWebhooksSettled();
  await clock.advance(100);
  await receiver.waitForEvent(callControlId, 'call.answered');
  await simulator.whenWebhooksSettled();
  await clock.advance(1499);
  t.false(simulator.call(callControlId)?.events.includes('call.machine.detection.ended'));
  await clock.advance(1);
  const detected = await receiver.waitForEvent(callControlId, 'call.machine.detection.ended');
  t.like(detected.payload, { result: 'human', call_control_id: callControlId, connection_id: 'conn-1' });
  t.is(simulator.call(callControlId)?.answeredBy, 'human');
});

test('when a machine answers (0700) with greeting_end, then detection says machine and the greeting ends with a beep', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, QUICK);
  const { callControlId } = await dial('+15551230700', { answering_machine_detection: 'greeting_end' });
  const greeting = await receiver.waitForEvent(callControlId, 'call.machine.greeting.ended');
  t.is(greeting.payload.result, 'beep_detected');
  t.like((await receiver.waitForEvent(callControlId, 'call.machine.detection.ended')).payload, { result: 'machine' });
  t.deepEqual(receiver.eventTypes(callControlId), ['call.initiated', 'call.answered', 'call.machine.detection.ended', 'call.machine.greeting.ended']);
  t.like(simulator.call(callControlId), { answeredBy: 'machine', state: 'answered' });
});

test('when a machine answers a dial with detect, then only call.machine.detection.ended is sent', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, QUICK);
  const { callControlId } = await dial('+15551240700', { answering_machine_detection: 'detect' });
  await receiver.waitForEvent(callControlId, 'call.machine.detection.ended');
  await simulator.whenIdle();
  t.deepEqual(receiver.eventTypes(callControlId), ['call.initiated', 'call.answered', 'call.machine.detection.ended']);
});

test('when a machine answers a premium dial, then the premium detection and greeting events are sent', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, QUICK);
  const { callControlId } = await dial('+15551250700', { answering_machine_detection: 'premium' });
  await simulator.whenIdle();
  t.deepEqual(receiver.eventTypes(callControlId).slice(2), ['call.machine.premium.detection.ended', 'call.machine.premium.greeting.ended']);
  t.is(receiver.received.find((w) => w.eventType === 'call.machine.premium.detection.ended')?.payload.result, 'machine');
  t.is(receiver.received.find((w) => w.eventType === 'call.machine.premium.greeting.ended')?.payload.result, 'beep_detected');
});

test('when a person answers a premium dial, then detection says human_residence and no greeting event follows', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, QUICK);
  const { callControlId } = await dial('+15551236002', { answering_machine_detection: 'premium' });
  await simulator.whenIdle();
  t.deepEqual(receiver.eventTypes(callControlId).slice(2), ['call.machine.premium.detection.ended']);
  t.is(receiver.received.at(-1)?.payload.result, 'human_residence');
});

test('when detection runs longer than total_analysis_time_millis, then it reports not_sure at that time', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, { amdDelayMs: 50, machineGreetingMs: 80 });
  const { callControlId } = await dial('+15551236003', {
    answering_machine_detection: 'detect',
    answering_machine_detection_config: { total_analysis_time_millis: 20 },
  });
  await simulator.whenIdle();
  t.is((await receiver.waitForEvent(callControlId, 'call.machine.detection.ended')).payload.result, 'not_sure');
});

test('when the dial asks for no detection or disabled, then no machine event is sent, even for a machine', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, QUICK);
  const none = await dial('+15551260700');
  const disabled = await dial('+15551270700', { answering_machine_detection: 'disabled' });
  await simulator.whenIdle();
  t.deepEqual(receiver.eventTypes(none.callControlId), ['call.initiated', 'call.answered']);
  t.deepEqual(receiver.eventTypes(disabled.callControlId), ['call.initiated', 'call.answered']);
  t.is(simulator.call(none.callControlId)?.answeredBy, 'machine');
});
