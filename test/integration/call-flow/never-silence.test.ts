import test from 'ava';
import { commandId } from '../../../src/calls/command-id.ts';
import { bootWithSimulator, SIGNING_SEED } from '../../helpers/call-flow-harness.ts';
import { postSigned, telnyxEvent } from '../../helpers/telnyx-webhooks.ts';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';

test('when call.answered is sent again under a new event id, then the first words are spoken once', async (t) => {
  // A long menu wait keeps the call at its first menu while the answer is sent again.
  const h = await bootWithSimulator(t, { config: { telnyx: { answeringMachineDetection: 'disabled', menuTimeoutMs: 60_000 } } });
  const id = await h.placeNow('+12025550123');
  const live = await h.waitFor(id, (c) => c.status === 'in_progress');
  await h.simulator.waitForCommand((c) => c.kind === 'gather');
  await h.svc.deps.inboxWorker.whenIdle();
  for (const type of ['call.answered', 'call.answered', 'call.machine.detection.ended']) {
    const res = await postSigned(h.svc.url, telnyxEvent(type, id, { call_control_id: live.callControlId, result: 'human' }), SIGNING_SEED);
    t.is(res.status, 200);
  }
  await h.svc.deps.inboxWorker.whenIdle();
  t.is(h.simulator.commands.filter((c) => c.kind === 'gather' || c.kind === 'speak').length, 1);
  t.is((await h.timeline(id)).filter((e) => e.kind === 'command' && e.name === 'gather').length, 1);
  t.is(h.simulator.spokenTo('+12025550123').length, 1);
});

test('when the carrier answers a call our books already call final, then it is hung up, not left silent', async (t) => {
  // The far end takes a while to answer: time for our row to end first (as after a dial whose outcome was unknown).
  const h = await bootWithSimulator(t, { simulator: { answerDelayMs: 300, ringTimeoutCapMs: undefined } });
  const id = await h.placeNow('+12025550123');
  const ringing = await h.waitFor(id, (c) => c.status === 'ringing');
  await h.svc.deps.store.transition(id, ['ringing'], 'failed', h.svc.deps.clock.now(), { reason: 'test: ended in our books' });
  const hangup = await h.simulator.waitForCommand((c) => c.kind === 'hangup' && c.callControlId === ringing.callControlId);
  t.is(hangup.status, 200);
  await h.simulator.whenIdle();
  await h.svc.deps.inboxWorker.whenIdle();
  const carrierCall = h.simulator.call(ringing.callControlId ?? '');
  t.truthy(carrierCall?.answeredAt);
  t.deepEqual(carrierCall?.spoken, []);
  t.deepEqual(h.simulator.liveCalls(), []);
  const timeline = await h.timeline(id);
  t.true(timeline.some((e) => e.kind === 'command' && e.name === 'hangup' && e.detail?.step === 'hangup-final-failed'));
  t.false(timeline.some((e) => e.kind === 'command' && (e.name === 'speak' || e.name === 'gather')));
  t.is((await h.svc.deps.store.getCall(id))?.status, 'failed');
});

test('when a canceled call is answered anyway, then a hangup goes out', async (t) => {
  const h = await bootWithSimulator(t);
  const { store, clock } = h.svc.deps;
  await store.insertCall({ id: 'canceled-1', to: '+12025550123', dueAt: clock.now() + 3_600_000, timeZone: 'UTC', message: null, createdAt: clock.now(), accountId: h.account.id });
  t.is((await fetch(`${h.svc.url}/api/calls/canceled-1`, { method: 'DELETE', headers: h.account.headers })).status, 200);
  const res = await postSigned(h.svc.url, telnyxEvent('call.answered', 'canceled-1', { call_control_id: 'v3:stray' }), SIGNING_SEED);
  t.is(res.status, 200);
  const hangup = await h.simulator.waitForCommand((c) => c.kind === 'hangup' && c.callControlId === 'v3:stray');
  t.truthy(hangup);
  await h.svc.deps.inboxWorker.whenIdle();
  t.is((await store.getCall('canceled-1'))?.status, 'canceled');
});

test('when detection never reports, then the reconciler’s nudge speaks to the answered call once', async (t) => {
  // Detection "lost": it would only report after a minute.
  const h = await bootWithSimulator(t, { simulator: { amdDelayMs: 60_000 }, config: { telnyx: { menuTimeoutMs: 60_000 } } });
  const id = await h.placeNow('+12025550123');
  await h.waitFor(id, (c) => c.status === 'in_progress');
  await h.svc.deps.inboxWorker.whenIdle();
  t.true(await h.svc.deps.callFlow.silent((await h.svc.deps.store.getCall(id))!));
  t.true(await h.svc.deps.callFlow.nudge(id));
  t.false(await h.svc.deps.callFlow.nudge(id));
  t.is(h.simulator.commands.filter((c) => c.kind === 'gather').length, 1);
  t.is(h.simulator.spokenTo('+12025550123').length, 1);
});

test('when the last words end cut short by the callee’s hangup, then no hangup is sent; when they end completed, one is', async (t) => {
  const h = await bootWithSimulator(t);
  const { store, clock } = h.svc.deps;
  const lastWordsSaid = async (id: string) => {
    await store.insertCall({ id, to: '+12025550123', dueAt: clock.now() + 3_600_000, timeZone: 'UTC', message: null, createdAt: clock.now() });
    await claimedOutOfTurn(h.svc.deps.config.databaseUrl, id, clock.now(), 100);
    await store.update(id, { callControlId: `v3:test-${id}` }, clock.now());
    await store.transition(id, ['dialing'], 'in_progress', clock.now());
    await store.appendEvent({ callId: id, at: clock.now(), kind: 'command', name: 'speak', detail: { step: 'goodbye', text: 'Goodbye' } });
  };
  await lastWordsSaid('cut-short');
  await lastWordsSaid('said-in-full');
  await postSigned(h.svc.url, telnyxEvent('call.speak.ended', 'cut-short', { status: 'call_hangup' }), SIGNING_SEED);
  await postSigned(h.svc.url, telnyxEvent('call.speak.ended', 'said-in-full', { status: 'completed' }), SIGNING_SEED);
  await h.svc.deps.inboxWorker.whenIdle();
  const hangupsOf = async (id: string) => (await h.timeline(id)).filter((e) => e.detail?.step === 'hangup-last-words').length;
  t.is(await hangupsOf('cut-short'), 0);
  t.is(await hangupsOf('said-in-full'), 1);
  t.false(h.simulator.commands.some((c) => c.kind === 'hangup' && c.callControlId === 'v3:test-cut-short'));
  t.true(h.simulator.commands.some((c) => c.kind === 'hangup' && c.callControlId === 'v3:test-said-in-full'));
});

test('when a key press is reported again under a new event id, then it is answered once', async (t) => {
  // A long menu wait keeps the call at its second menu while the first press is reported again.
  const h = await bootWithSimulator(t, { config: { telnyx: { menuTimeoutMs: 60_000 } } });
  const id = await h.placeNow('+12025550901');
  await h.simulator.waitForCommand((c) => c.kind === 'gather' && c.commandId === commandId('gather', id, 'menu-2'));
  await h.svc.deps.inboxWorker.whenIdle();
  const call = await h.svc.deps.store.getCall(id);
  const first = (await h.timeline(id)).find((e) => e.kind === 'webhook' && e.name === 'call.gather.ended');
  const occurredAt = new Date(String(first?.detail?.occurredAt));
  const replay = telnyxEvent('call.gather.ended', id, { call_control_id: call?.callControlId, digits: '1', status: 'valid' }, occurredAt);
  t.is((await postSigned(h.svc.url, replay, SIGNING_SEED)).status, 200);
  await h.svc.deps.inboxWorker.whenIdle();
  const steps = (await h.timeline(id)).filter((e) => e.kind === 'command' && e.name === 'gather').map((e) => e.detail?.step);
  t.deepEqual(steps, ['menu-1', 'menu-2']);
  t.is(h.simulator.commands.filter((c) => c.kind === 'gather').length, 2);
});
