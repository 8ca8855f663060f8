import test from 'ava';
import { createManualClock } from './manual-clock.ts';
import { clientState, startFixture } from './simulator-fixture.ts';

test('when the status of a call is retrieved through its life, then the fields follow Telnyx spec', async (t) => {
  const clock = createManualClock(Date.now());
  const { simulator, client, receiver, dial } = await startFixture(t, { clock, answerDelayMs: 1000 });
  const state = clientState('status');
  const { callControlId, data } = await dial('+15551238001', { client_state: state });
  const ringing = (await client.calls.retrieveStatus(callControlId)).data;
  t.deepEqual(ringing, {
    record_type: 'call',
    call_control_id: callControlId,
    call_leg_id: data.call_leg_id as string,
    call_session_id: data.call_session_id as string,
    client_state: state,
    is_alive: true,
    call_duration: 0,
    start_time: new Date(clock.now()).toISOString(),
  });
  await simulator.whenWebhooksSettled();
  await clock.advance(1000);
  await receiver.waitForEvent(callControlId, 'call.answered');
  await simulator.whenWebhooksSettled();
  await clock.advance(2500);
  t.like((await client.calls.retrieveStatus(callControlId)).data, { is_alive: true, call_duration: 2 });
  await client.calls.actions.hangup(callControlId, { client_state: clientState('later') });
  await receiver.waitForEvent(callControlId, 'call.hangup');
  await simulator.whenWebhooksSettled();
  await clock.advance(10_000);
  const ended = (await client.calls.retrieveStatus(callControlId)).data;
  t.like(ended, { is_alive: false, call_duration: 2, client_state: clientState('later'), end_time: new Date(clock.now() - 10_000).toISOString() });
});

test('when a call was dialed without client_state, then the call resource leaves client_state out', async (t) => {
  const { client, dial } = await startFixture(t);
  const { callControlId, data } = await dial('+15551238002');
  t.false('client_state' in data);
  t.false('client_state' in ((await client.calls.retrieveStatus(callControlId)).data ?? {}));
});

test('when active calls are listed for a connection, then only its live calls come back, cursor paginated as Telnyx’s spec describes', async (t) => {
  const { simulator, client, receiver, dial } = await startFixture(t);
  const first = await dial('+15551238003', { client_state: clientState('one') });
  const second = await dial('+15551238004');
  const ended = await dial('+15551230486');
  const third = await dial('+15551238006');
  await dial('+15551238005', { connection_id: 'other-connection' });
  await receiver.waitForEvent(ended.callControlId, 'call.hangup');
  await simulator.whenIdle();

  type Page = { data: { call_control_id: string }[]; meta: { cursors: { after?: string; before?: string }; total_items: number } };
  const list = (query: Record<string, string | number>) => client.get<Page>('/connections/conn-1/active_calls', { query });
  const page1 = await list({ 'page[limit]': 1 });
  t.deepEqual(page1.data, [
    {
      record_type: 'call',
      call_control_id: first.callControlId,
      call_leg_id: first.data.call_leg_id as string,
      call_session_id: first.data.call_session_id as string,
      call_duration: 0,
      client_state: clientState('one'),
    } as never,
  ]);
  t.is(page1.meta.total_items, 3);
  t.is(page1.meta.cursors.before, undefined);
  const after1 = page1.meta.cursors.after as string;
  const page2 = await list({ 'page[limit]': 2, 'page[after]': after1 });
  t.deepEqual(page2.data.map((c) => c.call_control_id), [second.callControlId, third.callControlId]);
  // The last page names no next cursor; it names the way back.
  t.is(page2.meta.cursors.after, undefined);
  const back = await list({ 'page[limit]': 5, 'page[before]': page2.meta.cursors.before as string });
  t.deepEqual(back.data.map((c) => c.call_control_id), [first.callControlId]);
  // Page numbers are not parameters of this endpoint: "page 2" is the first page again (what the SDK's paging asks).
  const byNumber = await list({ 'page[number]': 2, 'page[size]': 1 });
  t.deepEqual(byNumber.data.map((c) => c.call_control_id), [first.callControlId, second.callControlId, third.callControlId]);
  t.deepEqual((await client.get<Page>('/connections/nobody/active_calls')).data, []);
  const refused = await t.throwsAsync(list({ 'page[limit]': 251 }));
  t.is((refused as { status?: number }).status, 422);
});
