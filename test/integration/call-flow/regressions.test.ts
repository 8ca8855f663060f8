import test from 'ava';
import { once } from 'node:events';
import { readRows } from '../../helpers/suite-store.ts';
import { bootWithSimulator } from '../../helpers/call-flow-harness.ts';

test('when the service stops while a dial waits on a slow carrier, then the dial completes and the call is not failed', async (t) => {
  const h = await bootWithSimulator(t, { simulator: { apiLatencyMs: 300, answerDelayMs: 60_000 } });
  const received = once(h.simulator, 'request');
  const id = await h.placeNow('+12025550123');
  await received; // the dial is at the carrier, its answer 300 ms away
  await h.svc.service.stop(); // the service alone: the test still reads its database
  const [row] = await readRows<{ status: string; call_control_id: string | null }>(h.svc.config.databaseUrl, 'SELECT status, call_control_id FROM calls WHERE id = ?', [id]);
  t.is(row?.status, 'dialing');
  t.truthy(row?.call_control_id);
  const dials = h.simulator.commands.filter((c) => c.kind === 'dial');
  t.is(dials.length, 1);
  t.is(dials[0]?.status, 200);
});
