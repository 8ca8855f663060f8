import test from 'ava';
import type { ExecutionContext } from 'ava';
import { createManualClock } from './manual-clock.ts';
import { apiFailure, startFixture } from './simulator-fixture.ts';
import type { Fixture } from './simulator-fixture.ts';

const MENU = { payload: 'Press 1 for another joke, 9 to stop these calls.', voice: 'female', valid_digits: '19', maximum_digits: 1, timeout_millis: 20, maximum_tries: 1 };

/** Runs `menus` gathers one after another on an answered call to `to`; resolves with each call.gather.ended payload. */
async function runMenus(t: ExecutionContext, fixture: Fixture, to: string, menus: number) {
  const { client, receiver, dial } = fixture;
  const { callControlId } = await dial(to);
  await receiver.waitForEvent(callControlId, 'call.answered');
  const gatherEnds = () => receiver.received.filter((w) => w.eventType === 'call.gather.ended' && w.payload.call_control_id === callControlId);
  for (let menu = 0; menu < menus; menu++) {
    await client.calls.actions.gatherUsingSpeak(callControlId, { ...MENU, command_id: `menu-${menu}` });
    await receiver.waitFor(() => gatherEnds().length > menu, `call.gather.ended #${menu + 1}`);
  }
  const results = gatherEnds().map((w) => [w.payload.digits, w.payload.status]);
  t.is(results.length, menus);
  return { callControlId, results };
}

const quick = { digitDelayMs: 1 };

test('when 0901 hears two menus, then it presses 1 at the first and nothing at the second', async (t) => {
  const fixture = await startFixture(t, quick);
  const { callControlId, results } = await runMenus(t, fixture, '+15551230901', 2);
  t.deepEqual(results, [
    ['1', 'valid'],
    ['', 'timeout'],
  ]);
  t.like(fixture.simulator.call(callControlId), { digitsPressed: ['1'], spoken: [MENU.payload, MENU.payload] });
  t.is(fixture.receiver.received.find((w) => w.eventType === 'call.dtmf.received')?.payload.digit, '1');
});

test('when 0909 hears a menu, then it presses 9', async (t) => {
  const { results } = await runMenus(t, await startFixture(t, quick), '+15551230909', 1);
  t.deepEqual(results, [['9', 'valid']]);
});

test('when 0911 hears three menus, then it presses 1 at every one', async (t) => {
  const { results } = await runMenus(t, await startFixture(t, quick), '+15551230911', 3);
  t.deepEqual(results, [
    ['1', 'valid'],
    ['1', 'valid'],
    ['1', 'valid'],
  ]);
});

test('when 0919 hears three menus, then it presses 1, then 9, then nothing', async (t) => {
  const { results } = await runMenus(t, await startFixture(t, quick), '+15551230919', 3);
  t.deepEqual(results, [
    ['1', 'valid'],
    ['9', 'valid'],
    ['', 'timeout'],
  ]);
});

test('when a person who presses nothing hears a menu, then the prompt replays maximum_tries times and the gather ends timeout', async (t) => {
  const clock = createManualClock(Date.now());
  const fixture = await startFixture(t, { clock, answerDelayMs: 0, speakMsPerChar: 1 });
  const { simulator, client, receiver, dial } = fixture;
  const { callControlId } = await dial('+15551237001');
  await simulator.whenWebhooksSettled();
  await clock.advance(0);
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.gatherUsingSpeak(callControlId, { payload: 'Press 1.', voice: 'female', timeout_millis: 1000, maximum_tries: 2 });
  // Each try: 8 characters of prompt at 1 ms each, then 1000 ms of waiting.
  await clock.advance(2 * (8 + 1000) - 1);
  t.false(simulator.call(callControlId)?.events.includes('call.gather.ended'));
  await clock.advance(1);
  const ended = await receiver.waitForEvent(callControlId, 'call.gather.ended');
  t.like(ended.payload, { digits: '', status: 'timeout' });
  t.deepEqual(simulator.spoken(callControlId), ['Press 1.', 'Press 1.']);
  t.false(receiver.eventTypes(callControlId).includes('call.speak.started'));
});

test('when the key pressed is not among valid_digits, then the gather ends invalid with that digit', async (t) => {
  const { client, receiver, dial } = await startFixture(t, quick);
  const { callControlId } = await dial('+15552370909');
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.gatherUsingSpeak(callControlId, { ...MENU, valid_digits: '12' });
  t.like((await receiver.waitForEvent(callControlId, 'call.gather.ended')).payload, { digits: '9', status: 'invalid' });
});

test('when fewer than maximum_digits are pressed, then the gather ends valid after the inter-digit timeout', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, client, receiver, dial } = await startFixture(t, { clock, answerDelayMs: 0, speakMsPerChar: 1, digitDelayMs: 500 });
  const { callControlId } = await dial('+15552380901');
  await simulator.whenWebhooksSettled();
  await clock.advance(0);
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.gatherUsingSpeak(callControlId, { payload: 'Press.', voice: 'female', inter_digit_timeout_millis: 3000 });
  await clock.advance(6 + 500);
  await receiver.waitForEvent(callControlId, 'call.dtmf.received');
  await simulator.whenWebhooksSettled();
  await clock.advance(2999);
  t.false(simulator.call(callControlId)?.events.includes('call.gather.ended'));
  await clock.advance(1);
  t.like((await receiver.waitForEvent(callControlId, 'call.gather.ended')).payload, { digits: '1', status: 'valid' });
});

test('when the call is hung up during a gather, then call.gather.ended call_hangup comes before call.hangup', async (t) => {
  const { client, receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551237002');
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.gatherUsingSpeak(callControlId, { ...MENU, timeout_millis: 60_000 });
  await client.calls.actions.hangup(callControlId, {});
  await receiver.waitForEvent(callControlId, 'call.hangup');
  t.deepEqual(receiver.eventTypes(callControlId).slice(-2), ['call.gather.ended', 'call.hangup']);
  t.is(receiver.received.find((w) => w.eventType === 'call.gather.ended')?.payload.status, 'call_hangup');
});

test('when gather_stop is sent during a gather, then it ends cancelled', async (t) => {
  const { client, receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551237003');
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.gatherUsingSpeak(callControlId, { ...MENU, timeout_millis: 60_000 });
  await client.calls.actions.stopGather(callControlId, {});
  t.like((await receiver.waitForEvent(callControlId, 'call.gather.ended')).payload, { digits: '', status: 'cancelled' });
});

test('when a gather reaches a ringing or ended call or lacks voice, then it is refused as Telnyx refuses it', async (t) => {
  const { client, receiver, dial } = await startFixture(t, { answerDelayMs: 60_000 });
  const { callControlId } = await dial('+15551237004');
  t.like((await apiFailure(t, client.calls.actions.gatherUsingSpeak(callControlId, MENU))).body.errors[0], { code: '90034' });
  const noVoice = await apiFailure(t, client.calls.actions.gatherUsingSpeak(callControlId, { payload: 'x' } as typeof MENU));
  t.like(noVoice.body.errors[0], { code: '10004', source: { pointer: '/voice' } });
  await client.calls.actions.hangup(callControlId, {});
  await receiver.waitForEvent(callControlId, 'call.hangup');
  t.like((await apiFailure(t, client.calls.actions.gatherUsingSpeak(callControlId, MENU))).body.errors[0], { code: '90018' });
});

test('when a speak follows a gather, then it plays after the gather ends', async (t) => {
  const { simulator, client, receiver, dial } = await startFixture(t, quick);
  const { callControlId } = await dial('+15552390909');
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.gatherUsingSpeak(callControlId, MENU);
  await client.calls.actions.speak(callControlId, { payload: 'Goodbye.', voice: 'female' });
  await receiver.waitForEvent(callControlId, 'call.speak.ended');
  await simulator.whenIdle();
  t.deepEqual(receiver.eventTypes(callControlId).slice(2), ['call.dtmf.received', 'call.gather.ended', 'call.speak.started', 'call.speak.ended']);
});
