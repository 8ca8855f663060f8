import test from 'ava';
import { once } from 'node:events';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { bootWithSimulator } from '../../helpers/call-flow-harness.ts';

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
