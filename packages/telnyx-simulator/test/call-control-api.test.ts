import test from 'ava';
import { apiFailure, clientState, startFixture } from './simulator-fixture.ts';
import { createManualClock } from './manual-clock.ts';

const JOKE = 'I told my wife she was drawing her eyebrows too high. She looked surprised.';

test('when a call is dialed, answered, spoken to and hung up, then every webhook arrives verified, in order, echoing client_state', async (t) => {
  const { simulator, client, receiver, dial } = await startFixture(t);
  const state = clientState('call-1');

  const { callControlId, data } = await dial('+15551230001', { client_state: state, command_id: 'dial-1', timeout_secs: 30 });
  t.like(data, { record_type: 'call', is_alive: false, call_duration: 0, client_state: state });
  t.regex(callControlId, /^v3:[A-Za-z0-9_-]+$/);
  t.regex(String(data.call_leg_id), /^[0-9a-f-]{36}$/);

  await receiver.waitForEvent(callControlId, 'call.answered');
  const spoke = await client.calls.actions.speak(callControlId, { payload: JOKE, voice: 'female', language: 'en-US', command_id: 'speak-1' });
  t.deepEqual(spoke, { data: { result: 'ok' } });
  await receiver.waitForEvent(callControlId, 'call.speak.ended');
  const hungUp = await client.calls.actions.hangup(callControlId, { command_id: 'hangup-1' });
  t.deepEqual(hungUp, { data: { result: 'ok' } });
  const hangup = await receiver.waitForEvent(callControlId, 'call.hangup');

  t.deepEqual(receiver.eventTypes(callControlId), ['call.initiated', 'call.answered', 'call.speak.started', 'call.speak.ended', 'call.hangup']);
  t.like(hangup.payload, {
    call_control_id: callControlId,
    call_leg_id: data.call_leg_id,
    call_session_id: data.call_session_id,
    connection_id: 'conn-1',
    from: '+15550000000',
    to: '+15551230001',
    state: 'hangup',
    hangup_cause: 'normal_clearing',
    hangup_source: 'caller',
  });
  // Telnyx's spec carries `direction` on call.initiated only.
  t.is(receiver.received.find((w) => w.eventType === 'call.initiated')?.payload.direction, 'outgoing');
  t.false('direction' in hangup.payload);
  t.true(receiver.received.every((webhook) => webhook.payload.client_state === state));
  t.is(receiver.received.find((w) => w.eventType === 'call.speak.ended')?.payload.status, 'completed');
  t.deepEqual(simulator.spoken(callControlId), [JOKE]);
  t.deepEqual(simulator.spokenTo('+15551230001'), [JOKE]);
  t.deepEqual(
    simulator.commands.map((command) => [command.kind, command.commandId, command.callControlId, command.status]),
    [
      ['dial', 'dial-1', callControlId, 200],
      ['speak', 'speak-1', callControlId, 200],
      ['hangup', 'hangup-1', callControlId, 200],
    ],
  );
  t.is(receiver.rejected.length, 0);
  await simulator.whenIdle();
  t.like(simulator.stats, { callsPlaced: 1, liveCalls: 0, maxLiveCalls: 1, webhooks: { sent: 5, delivered: 5, failed: 0, dropped: 0 } });
});

test('when a webhook arrives, then it has the Telnyx envelope with event id, occurred_at and meta', async (t) => {
  const { receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551230002');
  const initiated = await receiver.waitForEvent(callControlId, 'call.initiated');
  const envelope = JSON.parse(initiated.raw) as { data: Record<string, unknown>; meta: Record<string, unknown> };
  t.like(envelope, { data: { record_type: 'event', event_type: 'call.initiated' }, meta: { attempt: 1, delivered_to: receiver.url } });
  t.regex(String(envelope.data.id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.regex(String(envelope.data.occurred_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  t.is(initiated.payload.client_state, null);
});

test('when a command carries a new client_state, then later webhooks echo the new one', async (t) => {
  const { client, receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551230003', { client_state: clientState('first') });
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.speak(callControlId, { payload: 'hi', voice: 'male', client_state: clientState('second') });
  const started = await receiver.waitForEvent(callControlId, 'call.speak.started');
  t.is(started.payload.client_state, clientState('second'));
});

test('when two speaks are sent back to back, then they play one after the other', async (t) => {
  const { simulator, client, receiver, dial } = await startFixture(t, { speakMsPerChar: 1 });
  const { callControlId } = await dial('+15551230004');
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.speak(callControlId, { payload: 'first words', voice: 'female' });
  await client.calls.actions.speak(callControlId, { payload: 'second words', voice: 'female' });
  await receiver.waitFor((w) => w.eventType === 'call.speak.ended' && receiver.eventTypes(callControlId).filter((e) => e === 'call.speak.ended').length === 2);
  t.deepEqual(receiver.eventTypes(callControlId).slice(2), ['call.speak.started', 'call.speak.ended', 'call.speak.started', 'call.speak.ended']);
  t.deepEqual(simulator.spoken(callControlId), ['first words', 'second words']);
});

test('when the same dial command_id is sent twice, then one call is placed and both answers name it', async (t) => {
  const { simulator, receiver, dial } = await startFixture(t);
  const first = await dial('+15551230005', { command_id: 'call-42-attempt-1' });
  const second = await dial('+15551230005', { command_id: 'call-42-attempt-1' });
  t.is(second.callControlId, first.callControlId);
  t.deepEqual(second.data, first.data);
  await simulator.whenIdle();
  t.is(simulator.stats.callsPlaced, 1);
  t.is(receiver.received.filter((w) => w.eventType === 'call.initiated').length, 1);
  t.deepEqual(
    simulator.commands.map((c) => c.deduplicated),
    [false, true],
  );
});

test('when a dial command_id is reused after 60 s, then a new call is placed', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, dial } = await startFixture(t, { clock });
  const first = await dial('+15551230006', { command_id: 'reused' });
  await simulator.whenWebhooksSettled();
  await clock.advance(60_000);
  const second = await dial('+15551230006', { command_id: 'reused' });
  t.not(second.callControlId, first.callControlId);
  t.is(simulator.stats.callsPlaced, 2);
});

test('when a speak or hangup command_id is repeated on a call, then it answers ok and acts once', async (t) => {
  const { simulator, client, receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551230007');
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.speak(callControlId, { payload: 'once', voice: 'female', command_id: 'speak-a' });
  await client.calls.actions.speak(callControlId, { payload: 'once', voice: 'female', command_id: 'speak-a' });
  await client.calls.actions.hangup(callControlId, { command_id: 'hangup-a' });
  // The call has ended, yet the repeat is answered ok: Telnyx ignores it instead of refusing it.
  t.deepEqual(await client.calls.actions.hangup(callControlId, { command_id: 'hangup-a' }), { data: { result: 'ok' } });
  await simulator.whenIdle();
  t.deepEqual(simulator.spoken(callControlId), ['once']);
  t.is(receiver.eventTypes(callControlId).filter((e) => e === 'call.hangup').length, 1);
  t.deepEqual(
    simulator.commands.map((c) => [c.kind, c.deduplicated]),
    [
      ['dial', false],
      ['speak', false],
      ['speak', true],
      ['hangup', false],
      ['hangup', true],
    ],
  );
});

test('when speak or hangup reaches a call that has ended, then it is refused 422 with Telnyx code 90018', async (t) => {
  const { client, receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551230008');
  await receiver.waitForEvent(callControlId, 'call.answered');
  await client.calls.actions.hangup(callControlId, {});
  await receiver.waitForEvent(callControlId, 'call.hangup');
  const expected = {
    status: 422,
    body: { errors: [{ code: '90018', title: 'Call has already ended', detail: "This call is no longer active and can't receive commands." }] },
  };
  t.deepEqual(await apiFailure(t, client.calls.actions.speak(callControlId, { payload: 'late', voice: 'female' })), expected);
  t.deepEqual(await apiFailure(t, client.calls.actions.hangup(callControlId, { command_id: 'another' })), expected);
});

test('when speak reaches a call still ringing, then it is refused 422 with Telnyx code 90034', async (t) => {
  const { client, dial } = await startFixture(t, { answerDelayMs: 60_000 });
  const { callControlId } = await dial('+15551230009');
  const { status, body } = await apiFailure(t, client.calls.actions.speak(callControlId, { payload: 'too early', voice: 'female' }));
  t.is(status, 422);
  t.is(body.errors[0]?.code, '90034');
});

test('when a command names an unknown or malformed call, then it is refused 404 or 422 in Telnyx shape', async (t) => {
  const { client } = await startFixture(t);
  const unknown = await apiFailure(t, client.calls.actions.hangup('v3:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', {}));
  t.is(unknown.status, 404);
  t.like(unknown.body.errors[0], { code: '10005', title: 'Resource not found' });
  const malformed = await apiFailure(t, client.calls.actions.speak('not-a-call-id', { payload: 'x', voice: 'female' }));
  t.is(malformed.status, 422);
  t.deepEqual(malformed.body.errors[0], {
    code: '90015',
    title: 'Invalid Call Control ID',
    detail: 'The call_control_id provided was not valid.',
    source: { pointer: '/call_control_id' },
  });
});

test('when a request has no bearer token, then it is refused 401 in Telnyx shape and nothing is placed', async (t) => {
  const { simulator } = await startFixture(t);
  const response = await fetch(`${simulator.baseUrl}/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ connection_id: 'c', to: '+15551230010', from: '+15550000000', webhook_url: 'http://127.0.0.1:9/' }),
  });
  t.is(response.status, 401);
  t.deepEqual(await response.json(), {
    errors: [{ code: '10009', title: 'Authentication failed', detail: 'The required authentication headers were either invalid or not included in the request.' }],
  });
  t.is(simulator.stats.callsPlaced, 0);
  t.like(simulator.commands[0], { kind: 'dial', status: 401 });
});

test('when a dial lacks a field or has a number not in E.164, then it is refused 422 with a source pointer', async (t) => {
  const { simulator } = await startFixture(t);
  const post = (body: Record<string, unknown>) =>
    fetch(`${simulator.baseUrl}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
      body: JSON.stringify({ connection_id: 'c', from: '+15550000000', webhook_url: 'http://127.0.0.1:9/', ...body }),
    });
  const missing = await post({});
  t.is(missing.status, 422);
  t.like(((await missing.json()) as { errors: unknown[] }).errors[0], { code: '10004', source: { pointer: '/to' } });
  const local = await post({ to: '0871234567' });
  t.like(((await local.json()) as { errors: unknown[] }).errors[0], { code: '10016', source: { pointer: '/to' } });
  const remote = await post({ to: '+15551230011', webhook_url: 'https://example.com/webhook' });
  t.like(((await remote.json()) as { errors: unknown[] }).errors[0], { code: '10003', source: { pointer: '/webhook_url' } });
});

test('when a test waits for a command before it is sent, then the wait resolves with it', async (t) => {
  const { simulator, dial } = await startFixture(t);
  const waiting = simulator.waitForCommand((command) => command.kind === 'dial');
  const { callControlId } = await dial('+15551230021', { command_id: 'observed' });
  const command = await waiting;
  t.like(command, { kind: 'dial', commandId: 'observed', callControlId, status: 200 });
  t.like(command.body, { to: '+15551230021' });
});

test('when the call status is retrieved, then it reports liveness like Telnyx', async (t) => {
  const { client, receiver, dial } = await startFixture(t);
  const { callControlId } = await dial('+15551230022');
  await receiver.waitForEvent(callControlId, 'call.answered');
  t.like((await client.calls.retrieveStatus(callControlId)).data, { is_alive: true, record_type: 'call' });
  await client.calls.actions.hangup(callControlId, {});
  await receiver.waitForEvent(callControlId, 'call.hangup');
  const ended = (await client.calls.retrieveStatus(callControlId)).data;
  t.like(ended, { is_alive: false });
  t.is(typeof ended?.end_time, 'string');
});
