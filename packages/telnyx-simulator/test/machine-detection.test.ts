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

test('when a machine without a beep (0701) answers, then detect_beep and premium send no greeting event, greeting_end and detect_words send it with result ended', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, QUICK);
  const expected: [string, string[], string | undefined][] = [
    ['detect_beep', ['call.initiated', 'call.answered', 'call.machine.detection.ended'], undefined],
    ['premium', ['call.initiated', 'call.answered', 'call.machine.premium.detection.ended'], undefined],
    ['greeting_end', ['call.initiated', 'call.answered', 'call.machine.detection.ended', 'call.machine.greeting.ended'], 'ended'],
    ['detect_words', ['call.initiated', 'call.answered', 'call.machine.detection.ended', 'call.machine.greeting.ended'], 'ended'],
  ];
  for (const [i, [mode, events, greeting]] of expected.entries()) {
    const { callControlId } = await dial(`+155512${i}0701`, { answering_machine_detection: mode });
    await receiver.waitForEvent(callControlId, events[2] as string);
    await simulator.whenIdle();
    t.deepEqual(receiver.eventTypes(callControlId), events, mode);
    if (greeting) t.is((await receiver.waitForEvent(callControlId, 'call.machine.greeting.ended')).payload.result, greeting);
    t.like(simulator.call(callControlId), { answeredBy: 'machine' });
  }
});

test('when premium detection hears a fax, silence or a business, then it says fax_detected, silence or human_business; the standard modes say machine, not_sure or human', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t, QUICK);
  const cases: [string, string, string][] = [
    ['0329', 'fax_detected', 'machine'],
    ['0702', 'silence', 'not_sure'],
    ['0703', 'human_business', 'human'],
  ];
  for (const [suffix, premium, standard] of cases) {
    const a = await dial(`+1555125${suffix}`, { answering_machine_detection: 'premium' });
    t.is((await receiver.waitForEvent(a.callControlId, 'call.machine.premium.detection.ended')).payload.result, premium);
    const b = await dial(`+1555126${suffix}`, { answering_machine_detection: 'detect_beep' });
    t.is((await receiver.waitForEvent(b.callControlId, 'call.machine.detection.ended')).payload.result, standard);
  }
  await simulator.whenIdle();
  // A fax has no greeting to end.
  t.false(receiver.eventTypes((simulator.calls().find((c) => c.to === '+15551250329') ?? { callControlId: '' }).callControlId).includes('call.machine.premium.greeting.ended'));
});

test('when detection finishes while a prompt plays, then the prompt ends cancelled_amd and what was queued behind it is dropped', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, client, receiver, dial } = await startFixture(t, { clock, amdDelayMs: 300, speakMsPerChar: 20, answerDelayMs: 0 });
  const { callControlId } = await dial('+15551270123', { answering_machine_detection: 'detect' });
  await simulator.whenWebhooksSettled();
  await clock.advance(0);
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.speak(callControlId, { payload: 'x'.repeat(200), voice: 'female' });
  await client.calls.actions.speak(callControlId, { payload: 'queued behind', voice: 'female' });
  await simulator.whenWebhooksSettled();
  await clock.advance(300);
  const ended = await receiver.waitForEvent(callControlId, 'call.speak.ended');
  t.is(ended.payload.status, 'cancelled_amd');
  await receiver.waitForEvent(callControlId, 'call.machine.detection.ended');
  await simulator.whenWebhooksSettled();
  await clock.advance(10_000);
  await simulator.whenWebhooksSettled();
  t.deepEqual(simulator.spoken(callControlId), ['x'.repeat(200)]);
});
