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

for (const mode of ['sip-403-rejected', 'api-403', 'api-429'] as const) {
  const form = mode === 'sip-403-rejected' ? 'a SIP 403 leg with hangup_cause call_rejected' : `the dial itself refused (${mode.slice(4)}, "User channel limit exceeded")`;
  test(`when the channel limit arrives as ${form}, then the call is requeued with back-off, dialed again and completes`, async (t) => {
    const h = await bootReliable(t, {
      simulator: { channels: 1, channelLimitMode: mode },
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
    t.regex(String(requeued?.detail?.reason), mode === 'sip-403-rejected' ? /channel limit was reached \(SIP 403\)/ : /channel limit was reached \(dial refused: (Too many requests: )?User channel limit exceeded/);
    t.is(h.svc.deps.dialer.capacity, 1);
    t.true(h.simulator.stats.channelLimited >= 1);
    // A refused leg is placed (and counted); a refused dial places nothing.
    const placed = h.simulator.placedCount(clientStateOf(refused?.id as string));
    t.is(placed, mode === 'sip-403-rejected' ? (refused?.attempt as number) : 1);
  });
}
