import test from 'ava';
import { bootWithSimulator, SIGNING_SEED } from '../../helpers/call-flow-harness.ts';
import { postSigned, telnyxEvent } from '../../helpers/telnyx-webhooks.ts';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';

type Harness = Awaited<ReturnType<typeof bootWithSimulator>>;

/** Posts a signed webhook of one leg of the call and waits until the event worker has applied it. */
async function deliver(h: Harness, eventType: string, callId: string, leg: string, extra: Record<string, unknown> = {}) {
  const res = await postSigned(h.svc.url, telnyxEvent(eventType, callId, { call_control_id: leg, ...extra }), SIGNING_SEED);
  if (res.status !== 200) throw new Error(`webhook refused: ${res.status}`);
  await h.svc.deps.inboxWorker.whenIdle();
}

/** A call scheduled an hour ahead, so the queue leaves it alone and the test plays the queue's claim itself. */
async function scheduledCall(h: Harness) {
  const { store, clock } = h.svc.deps;
  const id = `call-${Math.random().toString(36).slice(2)}`;
  await store.insertCall({ id, to: '+12025550123', dueAt: clock.now() + 3_600_000, timeZone: 'UTC', message: 'hi', createdAt: clock.now() });
  return id;
}

/** Another call of ours holding a channel: only then is a SIP 403 the channel limit (not a refused caller id). */
async function holdChannel(h: Harness) {
  const { clock, config } = h.svc.deps;
  await claimedOutOfTurn(config.databaseUrl, await scheduledCall(h), clock.now(), 100, HELD);
}

/** The test plays the queue's claims, so their dials stay the test's: no instance takes them over as orphaned. */
const HELD = { heldUntil: Date.now() + 3_600_000 };

const REFUSED = { hangup_cause: 'unspecified', sip_hangup_cause: '403', hangup_source: 'callee' };

test('when a webhook names a call that is still scheduled, then it is recorded and the call stays scheduled with no carrier id', async (t) => {
  const h = await bootWithSimulator(t);
  const id = await scheduledCall(h);
  await deliver(h, 'call.initiated', id, 'v3:stray-leg');
  const call = await h.svc.deps.store.getCall(id);
  t.is(call?.status, 'scheduled');
  t.is(call?.callControlId, null);
  t.true((await h.timeline(id)).some((e) => e.kind === 'webhook' && e.name === 'call.initiated'));
});

test('when late webhooks of a leg refused for the channel limit arrive after the requeue and after the next claim, then they are ignored and the new attempt goes on', async (t) => {
  const h = await bootWithSimulator(t, { config: { queue: { channelLimitBackoffSeconds: 3600 } } });
  const { store, clock } = h.svc.deps;
  await holdChannel(h);
  const id = await scheduledCall(h);
  await claimedOutOfTurn(h.svc.deps.config.databaseUrl, id, clock.now(), 100, HELD);
  await deliver(h, 'call.initiated', id, 'v3:refused-leg');
  await deliver(h, 'call.hangup', id, 'v3:refused-leg', REFUSED);
  t.is((await store.getCall(id))?.status, 'scheduled', 'the refusal requeued the call');

  // Late, out of order: the refused leg's answer (as a reordered delivery could bring it) while the call waits.
  await deliver(h, 'call.answered', id, 'v3:refused-leg');
  const waiting = await store.getCall(id);
  t.is(waiting?.status, 'scheduled');
  t.is(waiting?.callControlId, null);

  // The queue claims it again: a new attempt, whose own leg is not known yet.
  const claimed = await claimedOutOfTurn(h.svc.deps.config.databaseUrl, id, clock.now(), 100, HELD);
  t.is(claimed.claimed?.attempt, 2);
  t.is(claimed.claimed?.callControlId, null);
  await deliver(h, 'call.hangup', id, 'v3:refused-leg', { hangup_cause: 'normal_clearing', hangup_source: 'callee' });
  const afterLate = await store.getCall(id);
  t.is(afterLate?.status, 'dialing');
  t.is(afterLate?.callControlId, null);

  // The new attempt's own leg still drives the call.
  await deliver(h, 'call.initiated', id, 'v3:second-leg');
  const ringing = await store.getCall(id);
  t.is(ringing?.status, 'ringing');
  t.is(ringing?.callControlId, 'v3:second-leg');
});

test('when a webhook names another leg than the call current one, then it is recorded and ignored', async (t) => {
  const h = await bootWithSimulator(t);
  const { store, clock } = h.svc.deps;
  const id = await scheduledCall(h);
  await claimedOutOfTurn(h.svc.deps.config.databaseUrl, id, clock.now(), 100, HELD);
  await deliver(h, 'call.initiated', id, 'v3:live-leg');
  await deliver(h, 'call.hangup', id, 'v3:other-leg', { hangup_cause: 'normal_clearing', hangup_source: 'callee' });
  const call = await store.getCall(id);
  t.is(call?.status, 'ringing');
  t.is(call?.callControlId, 'v3:live-leg');
  t.true((await h.timeline(id)).some((e) => e.kind === 'webhook' && e.name === 'call.hangup'));
});
