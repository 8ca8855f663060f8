import test, { type ExecutionContext } from 'ava';
import type { DialUnknownOutcomeMode } from 'telnyx-simulator';
import { bootReliable, clientStateOf } from '../../helpers/reliability-harness.ts';

type Repeat = 'replay' | 'empty-200' | '422';

/**
 * The first dial's answer is lost in `mode` although the call is placed; our retry repeats the command_id and the
 * simulator answers it as `repeat` says. Whatever happens, the call is placed once, spoken to, and ends.
 */
async function lostDialAnswer(t: ExecutionContext, mode: DialUnknownOutcomeMode, repeat: Repeat) {
  const h = await bootReliable(t, {
    simulator: { dialUnknownOutcomeRate: 1, dialUnknownOutcomeModes: [mode], repeatedDialCommandId: repeat },
    // The `timeout` mode answers never: give up on it soon.
    config: mode === 'timeout' ? { telnyx: { requestTimeoutMs: 500 } } : {},
  });
  const id = await h.placeNow('+12025550123');
  const ended = await h.ended(id);
  t.is(ended.status, 'completed', `${ended.status}: ${ended.reason ?? ''}`);
  t.is(h.simulator.placedCount(clientStateOf(id)), 1);
  const placed = h.simulator.calls().filter((c) => c.dialClientState === clientStateOf(id));
  t.is(placed.length, 1);
  t.true((placed[0]?.spoken.length ?? 0) > 0);
  t.is(h.simulator.stats.dialsUnknownOutcome, 1);
  const dials = h.simulator.commands.filter((c) => c.kind === 'dial');
  t.true(dials.every((d) => d.body.time_limit_secs === 300));
  t.is(new Set(dials.map((d) => d.commandId)).size, 1);
}

for (const mode of ['timeout', 'drop', 'error-after'] as const) {
  for (const repeat of ['replay', 'empty-200', '422'] as const) {
    test(`when the dial's answer is lost (${mode}) and its retry is answered ${repeat}, then the call is placed once, spoken to and completed`, (t) =>
      lostDialAnswer(t, mode, repeat));
  }
}

test('when the dial is answered 200 without a call id, then the call is not failed: its webhooks settle it and it completes', (t) =>
  lostDialAnswer(t, 'no-call-id', 'replay'));

test('when the dial outcome is unknown and every webhook is lost, then the carrier record finds, answers, speaks to and ends the call', async (t) => {
  const h = await bootReliable(t, {
    simulator: { dialUnknownOutcomeRate: 1, dialUnknownOutcomeModes: ['no-call-id'], webhookLossRate: 1, maxCallMs: 12_000 },
  });
  const id = await h.placeNow('+12025550123');
  const ended = await h.ended(id);
  t.is(ended.status, 'completed', ended.reason ?? '');
  t.is(h.simulator.placedCount(clientStateOf(id)), 1);
  const timeline = await h.timeline(id);
  const notes = timeline.filter((e) => e.kind === 'note').map((e) => e.name);
  t.true(notes.includes('reconcile.found'));
  t.true(notes.includes('reconcile.answered'));
  t.true(h.simulator.calls().some((c) => c.dialClientState === clientStateOf(id) && c.spoken.length > 0));
  t.deepEqual(h.simulator.answeredNeverSpoken(), []);
  t.deepEqual(h.simulator.liveCalls(), []);
});

test('when a dial is refused outright (invalid number), then the call fails at once with Telnyx’s reason', async (t) => {
  const h = await bootReliable(t);
  const id = await h.placeNow('+12025550422');
  const ended = await h.ended(id);
  t.is(ended.status, 'failed');
  t.regex(ended.reason ?? '', /^dial failed: Invalid phone number/);
});
