import test from 'ava';
import { bootReliable, clientStateOf } from '../../helpers/reliability-harness.ts';

test('when the hangup webhook is lost, then the carrier record ends the call within seconds and frees its channel', async (t) => {
  const h = await bootReliable(t);
  // From our hangup on, the carrier's webhooks are lost (Telnyx delivers once; this one never arrives).
  h.simulator.on('command', (command) => {
    if (command.kind === 'hangup') h.simulator.configure({ webhookLossRate: 1 });
  });
  const id = await h.placeNow('+12025550123');
  const ended = await h.ended(id);
  t.is(ended.status, 'completed');
  t.is(ended.reason, 'ended at the carrier; its hangup webhook never arrived');
  t.true(h.simulator.stats.webhooks.lost >= 1);
  t.deepEqual(h.simulator.liveCalls(), []);
});

test('when call.answered is lost, then the call is found alive past its ring timeout, spoken to and not left silent', async (t) => {
  const h = await bootReliable(t, { simulator: { maxCallMs: 12_000 } });
  // Lose everything from the answer on: only the carrier's record tells us the callee picked up.
  h.simulator.on('command', (command) => {
    if (command.kind === 'dial') h.simulator.configure({ webhookLossRate: 1 });
  });
  const id = await h.placeNow('+12025550123');
  const ended = await h.ended(id);
  t.is(ended.status, 'completed', ended.reason ?? '');
  const timeline = await h.timeline(id);
  t.true(timeline.some((e) => e.kind === 'note' && e.name === 'reconcile.answered'));
  const placed = h.simulator.calls().filter((c) => c.dialClientState === clientStateOf(id));
  t.is(placed.length, 1);
  t.true((placed[0]?.spoken.length ?? 0) > 0);
  t.deepEqual(h.simulator.answeredNeverSpoken(), []);
});
