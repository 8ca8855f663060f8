import test from 'ava';
import { once } from 'node:events';
import type { CallSnapshot } from 'telnyx-simulator';
import { bootWithSimulator } from '../../helpers/call-flow-harness.ts';

test('when a guessed answer is refused "not answered yet" (90034) and the call status says the leg lives, then the call goes back to ringing, is not hung up, and is spoken to once answered', async (t) => {
  // The far end answers after 1.5 s; the test plays the reconciler's guess (answered, its webhook lost) before that.
  const h = await bootWithSimulator(t, { simulator: { answerDelayMs: 1500, ringTimeoutCapMs: undefined }, config: { telnyx: { answeringMachineDetection: 'disabled' } } });
  const id = await h.placeNow('+12025550123');
  await h.waitFor(id, (c) => c.status === 'ringing');
  const { store, clock, inboxWorker, callFlow } = h.svc.deps;
  await store.transition(id, ['ringing'], 'in_progress', clock.now(), { reason: 'test: the reconciler guessed an answer' });
  t.false(await inboxWorker.serialise(id, () => callFlow.nudge(id)));
  t.is((await store.getCall(id))?.status, 'ringing');
  const refused = h.simulator.commands.find((c) => c.kind === 'gather');
  t.is(refused?.status, 422);
  t.false(h.simulator.commands.some((c) => c.kind === 'hangup'));
  const ended = await h.ended(id);
  t.is(ended.status, 'completed');
  t.true(h.simulator.spokenTo('+12025550123').length > 0);
});

test('when a command is refused and the call status says the call is over, then nothing is hung up and the timeline says the carrier has no live call', async (t) => {
  // A busy callee whose webhooks are all lost: our books still say it rings when the test plays a guessed answer.
  const h = await bootWithSimulator(t, { simulator: { webhookLossRate: 1 }, config: { telnyx: { answeringMachineDetection: 'disabled' } } });
  const ended = once(h.simulator, 'call-ended');
  const id = await h.placeNow('+12025550486');
  const [snapshot] = (await ended) as [CallSnapshot];
  t.like(snapshot, { state: 'ended', hangupCause: 'user_busy' });
  const { store, clock, inboxWorker, callFlow } = h.svc.deps;
  // The leg's id as the dial's answer records it (written here too, so the test does not race the dial).
  await store.update(id, { callControlId: snapshot.callControlId }, clock.now());
  await store.transition(id, ['dialing'], 'in_progress', clock.now(), { reason: 'test: the reconciler guessed an answer' });
  t.false(await inboxWorker.serialise(id, () => callFlow.nudge(id)));
  t.like(h.simulator.commands.find((c) => c.kind === 'gather'), { status: 422 });
  t.false(h.simulator.commands.some((c) => c.kind === 'hangup'));
  t.true((await h.timeline(id)).some((e) => e.kind === 'note' && e.name === 'carrier.no-live-call'));
});
