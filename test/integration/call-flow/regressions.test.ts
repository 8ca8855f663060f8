import test from 'ava';
import { once } from 'node:events';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { bootWithSimulator, SIGNING_SEED } from './harness.ts';
import { postSigned, telnyxEvent } from '../webhooks/telnyx-webhooks.ts';

test('when the service stops while a dial waits on a slow carrier, then the dial completes and the call is not failed', async (t) => {
  const h = await bootWithSimulator(t, { simulator: { apiLatencyMs: 300, answerDelayMs: 60_000 } });
  const received = once(h.simulator, 'request');
  const id = await h.placeNow('+12025550123');
  await received; // the dial is at the carrier, its answer 300 ms away
  await h.svc.service.stop(); // the service alone: the test still reads its database file
  const db = new DatabaseSync(join(h.dir, 'test.db'), { readOnly: true });
  t.teardown(() => db.close());
  const row = db.prepare('SELECT status, call_control_id FROM calls WHERE id = ?').get(id) as { status: string; call_control_id: string | null };
  t.is(row.status, 'dialing');
  t.truthy(row.call_control_id);
  const dials = h.simulator.commands.filter((c) => c.kind === 'dial');
  t.is(dials.length, 1);
  t.is(dials[0]?.status, 200);
});

test('when call.answered is applied again after a crash, then the speak is sent again under the same command id', async (t) => {
  const h = await bootWithSimulator(t, { simulator: { answerDelayMs: 60_000 } });
  const id = await h.placeNow('+12025550123');
  const ringing = await h.waitFor(id, (c) => c.status === 'ringing');
  // The crash: the call moved to in_progress, but the speak never left and the event was not marked applied.
  await h.svc.deps.store.transition(id, ['ringing'], 'in_progress', h.svc.deps.clock.now());
  const body = telnyxEvent('call.answered', id, { call_control_id: ringing.callControlId });
  t.is((await postSigned(h.svc.url, body, SIGNING_SEED)).status, 200);
  await h.svc.deps.events.whenIdle();
  const speaks = (await h.timeline(id)).filter((e) => e.kind === 'command' && e.name === 'speak');
  t.is(speaks.length, 1);
  t.is(h.simulator.commands.filter((c) => c.kind === 'speak').length, 1);
});
