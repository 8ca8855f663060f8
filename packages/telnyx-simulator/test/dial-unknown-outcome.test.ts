import test from 'ava';
import Telnyx, { APIConnectionError, APIConnectionTimeoutError, InternalServerError } from 'telnyx';
import type { DialUnknownOutcomeMode } from '../index.ts';
import { clientState, startFixture } from './simulator-fixture.ts';

const lose = (mode: DialUnknownOutcomeMode) => ({ dialUnknownOutcomeRate: 1, dialUnknownOutcomeModes: [mode] });

/** Dials through the SDK and resolves with how the dial ended (the error or the data), never throwing. */
async function dialOutcome(client: Telnyx, webhookUrl: string, to: string, state: string) {
  try {
    const response = await client.calls.dial({ connection_id: 'conn-1', from: '+15550000000', to, webhook_url: webhookUrl, client_state: state, command_id: `dial-${state}` });
    return { data: response.data as Record<string, unknown> | undefined };
  } catch (error) {
    return { error };
  }
}

test('when a dial answer times out, then the client gives up yet the call is placed and its webhooks arrive', async (t) => {
  const { simulator, receiver } = await startFixture(t, lose('timeout'));
  const impatient = new Telnyx({ apiKey: 'test', baseURL: simulator.baseUrl, maxRetries: 0, timeout: 300 });
  const outcome = await dialOutcome(impatient, receiver.url, '+15551231001', clientState('lost-timeout'));
  t.true(outcome.error instanceof APIConnectionTimeoutError);
  const answered = await receiver.waitFor((w) => w.eventType === 'call.answered');
  t.is(answered.payload.client_state, clientState('lost-timeout'));
  t.is(simulator.placedCount(clientState('lost-timeout')), 1);
  t.like(simulator.stats, { callsPlaced: 1, dialsUnknownOutcome: 1 });
  t.like(simulator.commands[0], { kind: 'dial', status: 200, lostAs: 'timeout', callControlId: answered.payload.call_control_id });
});

test('when a dial answer is dropped, then the client sees a connection error yet the call is placed', async (t) => {
  const { simulator, client, receiver } = await startFixture(t, lose('drop'));
  const outcome = await dialOutcome(client, receiver.url, '+15551231002', clientState('lost-drop'));
  t.true(outcome.error instanceof APIConnectionError);
  t.false(outcome.error instanceof APIConnectionTimeoutError);
  await receiver.waitFor((w) => w.eventType === 'call.answered' && w.payload.client_state === clientState('lost-drop'));
  t.like(simulator.stats, { callsPlaced: 1, dialsUnknownOutcome: 1 });
});

test('when a dial is answered 5xx after acting, then the client sees a Telnyx 500 yet the call is placed', async (t) => {
  const { simulator, client, receiver } = await startFixture(t, lose('error-after'));
  const outcome = await dialOutcome(client, receiver.url, '+15551231003', clientState('lost-500'));
  t.true(outcome.error instanceof InternalServerError);
  t.like((outcome.error as InternalServerError).error, { errors: [{ code: '10007' }] });
  await receiver.waitFor((w) => w.eventType === 'call.answered' && w.payload.client_state === clientState('lost-500'));
  t.is(simulator.stats.callsPlaced, 1);
});

test('when a dial is answered 200 without a call id, then data lacks call_control_id yet the call is placed', async (t) => {
  const { simulator, client, receiver } = await startFixture(t, lose('no-call-id'));
  const outcome = await dialOutcome(client, receiver.url, '+15551231004', clientState('lost-id'));
  t.is(outcome.error, undefined);
  t.like(outcome.data, { record_type: 'call', is_alive: false });
  t.false('call_control_id' in (outcome.data ?? {}));
  await receiver.waitFor((w) => w.eventType === 'call.answered' && w.payload.client_state === clientState('lost-id'));
  t.is(simulator.stats.callsPlaced, 1);
});

test('when a lost dial is retried with the same command_id, then the replay names the call placed the first time', async (t) => {
  const { simulator, client, receiver } = await startFixture(t, lose('error-after'));
  const state = clientState('retried');
  t.truthy((await dialOutcome(client, receiver.url, '+15551231005', state)).error);
  simulator.configure({ dialUnknownOutcomeRate: 0 });
  const retry = await dialOutcome(client, receiver.url, '+15551231005', state);
  const answered = await receiver.waitFor((w) => w.eventType === 'call.answered');
  t.is(retry.data?.call_control_id, answered.payload.call_control_id);
  t.is(simulator.placedCount(state), 1);
});

test('when dialUnknownOutcomeRate is 0 (the default), then no answer is lost', async (t) => {
  const { simulator, dial } = await startFixture(t);
  await dial('+15551231006');
  t.is(simulator.stats.dialsUnknownOutcome, 0);
  t.is(simulator.commands[0]?.lostAs, undefined);
});

test('when the simulator stops while a lost answer holds a request open, then stop resolves and the client sees the connection end', async (t) => {
  const { simulator, client, receiver } = await startFixture(t, lose('timeout'));
  const pending = dialOutcome(client, receiver.url, '+15551231007', clientState('held'));
  await simulator.waitForCommand((c) => c.lostAs === 'timeout');
  await simulator.stop();
  t.true((await pending).error instanceof APIConnectionError);
});
