import test from 'ava';
import { createManualClock } from './manual-clock.ts';
import { clientState, startFixture } from './simulator-fixture.ts';

test('when calls are placed per client_state, then placedCount counts each dial that placed a call', async (t) => {
  const { simulator, dial } = await startFixture(t);
  await dial('+15551234001', { client_state: clientState('a') });
  await dial('+15551234002', { client_state: clientState('b') });
  await dial('+15551234003', { client_state: clientState('b') });
  // A refused dial places nothing and is not counted.
  await t.throwsAsync(dial('+15551240422', { client_state: clientState('c') }));
  t.is(simulator.placedCount(clientState('a')), 1);
  t.is(simulator.placedCount(clientState('b')), 2);
  t.is(simulator.placedCount(clientState('c')), 0);
  t.deepEqual([...simulator.observe.placedByClientState()], [
    [clientState('a'), 1],
    [clientState('b'), 2],
  ]);
});

test('when a call is answered and never spoken to, then answeredNeverSpoken names it until something is said', async (t) => {
  const { simulator, client, receiver, dial } = await startFixture(t);
  const silent = await dial('+15551234004');
  const talked = await dial('+15551234005');
  await receiver.waitForEvent(silent.callControlId, 'call.answered');
  await receiver.waitForEvent(talked.callControlId, 'call.answered');
  await client.calls.actions.speak(talked.callControlId, { payload: 'hello', voice: 'female' });
  await simulator.whenIdle();
  t.deepEqual(
    simulator.answeredNeverSpoken().map((call) => call.callControlId),
    [silent.callControlId],
  );
});

test('when calls are alive or ended, then liveCalls lists only the live ones and snapshots carry the answer and what was said', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, client, receiver, dial } = await startFixture(t, { clock, answerDelayMs: 100 });
  const kept = await dial('+15551234006', { client_state: clientState('kept') });
  const ended = await dial('+15551240486');
  await simulator.whenWebhooksSettled();
  await clock.advance(100);
  await receiver.waitForEvent(kept.callControlId, 'call.answered');
  await receiver.waitForEvent(ended.callControlId, 'call.hangup');
  const answeredAt = clock.now();
  await client.calls.actions.speak(kept.callControlId, { payload: 'joke', voice: 'female' });
  await receiver.waitForEvent(kept.callControlId, 'call.speak.started');
  await simulator.whenWebhooksSettled();
  await clock.advance(1);
  await receiver.waitForEvent(kept.callControlId, 'call.speak.ended');
  t.deepEqual(
    simulator.liveCalls().map((call) => call.callControlId),
    [kept.callControlId],
  );
  t.is(simulator.stats.liveCalls, 1);
  t.like(simulator.call(kept.callControlId), {
    state: 'answered',
    answeredAt,
    answeredBy: 'human',
    dialClientState: clientState('kept'),
    connectionId: 'conn-1',
    spoken: ['joke'],
    digitsPressed: [],
  });
  t.like(simulator.call(ended.callControlId), { state: 'ended', answeredAt: undefined, answeredBy: undefined, hangupCause: 'user_busy' });
});

test('when more calls than historyLimit were placed, then the oldest ended ones are forgotten and live ones kept', async (t) => {
  const { simulator, client, receiver, dial } = await startFixture(t, { historyLimit: 10, answerDelayMs: 60_000 });
  const live = await dial('+15551234100');
  const ended: string[] = [];
  for (let i = 0; i < 11; i++) {
    const { callControlId } = await dial(`+15551250${String(i).padStart(2, '0')}1`);
    await client.calls.actions.hangup(callControlId, {});
    await receiver.waitForEvent(callControlId, 'call.hangup');
    ended.push(callControlId);
  }
  const kept = simulator.calls().map((call) => call.callControlId);
  t.true(kept.length <= 10);
  t.true(kept.includes(live.callControlId));
  t.false(kept.includes(ended[0] ?? ''));
  t.true(kept.includes(ended.at(-1) ?? ''));
  t.true(simulator.commands.length <= 10);
  t.is(simulator.commands.at(-1)?.kind, 'hangup');
  t.is((await t.throwsAsync(client.calls.retrieveStatus(ended[0] ?? '')))?.message.startsWith('404'), true);
});
