import test from 'ava';
import { bootReliable, clientStateOf } from '../../helpers/reliability-harness.ts';

// One channel at the carrier, two in our config: the second dial is refused in each form the limit may take.
const FORMS = {
  'sip-403': 'a SIP 403 leg (hangup_cause unspecified)',
  'sip-403-rejected': 'a SIP 403 leg with hangup_cause call_rejected',
  'api-403': 'the dial itself refused (403, "User channel limit exceeded")',
  'api-429': 'the dial itself refused (429, "User channel limit exceeded")',
} as const;

for (const [mode, form] of Object.entries(FORMS) as [keyof typeof FORMS, string][]) {
  const leg = mode.startsWith('sip-');
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
    t.regex(String(requeued?.detail?.reason), leg ? /channel limit was reached \(SIP 403\)/ : /channel limit was reached \(dial refused: (Too many requests: )?User channel limit exceeded/);
    t.is(h.svc.deps.dialer.capacity, 1);
    t.true(h.simulator.stats.channelLimited >= 1);
    // A refused leg is placed (each attempt its own dial, a new command id); a refused dial places nothing.
    const placed = h.simulator.placedCount(clientStateOf(refused?.id as string));
    t.is(placed, leg ? (refused?.attempt as number) : 1);
  });
}
