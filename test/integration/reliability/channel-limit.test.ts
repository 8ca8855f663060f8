import test from 'ava';
import { bootReliable, clientStateOf } from '../../helpers/reliability-harness.ts';

test('when the carrier refuses a dial with SIP 403 (channel limit), then the call goes back to the queue, is dialed again and completes', async (t) => {
  // One channel at the carrier, two in our config: the second dial is accepted, then its leg ends 403.
  const h = await bootReliable(t, {
    simulator: { channels: 1, channelLimitMode: 'sip-403' },
    config: { queue: { maxConcurrentCalls: 2, channelLimitBackoffSeconds: 0, capacityProbeSeconds: 3600 } },
  });
  const first = await h.placeNow('+12025550123');
  const second = await h.placeNow('+12025550124');
  const [a, b] = await Promise.all([h.ended(first), h.ended(second)]);
  t.is(a.status, 'completed', a.reason ?? '');
  t.is(b.status, 'completed', b.reason ?? '');
  const refused = [a, b].find((c) => c.attempt > 1);
  t.truthy(refused, 'one of the two was refused and dialed again');
  const requeued = (await h.timeline(refused?.id as string)).find((e) => e.kind === 'status' && e.name === 'scheduled' && e.detail?.requeued === true);
  t.regex(String(requeued?.detail?.reason), /channel limit was reached \(SIP 403\)/);
  t.is(h.svc.deps.dialer.capacity, 1);
  t.is(h.simulator.stats.channelLimited >= 1, true);
  // Each attempt is its own dial (a new command id): the refused leg and the one that got through.
  t.is(h.simulator.placedCount(clientStateOf(refused?.id as string)), refused?.attempt as number);
});
