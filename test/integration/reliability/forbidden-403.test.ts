import test from 'ava';
import { bootReliable, clientStateOf } from '../../helpers/reliability-harness.ts';

test('when the carrier refuses a lone dial with SIP 403 (no channel of ours in use: a refused caller id, say), then the call ends failed with the SIP cause, once, and the queue keeps its concurrency', async (t) => {
  // Every leg refused 403 `unspecified` whatever is live: what Telnyx does for a caller id it does not accept.
  const h = await bootReliable(t, {
    simulator: { channels: 0, channelLimitMode: 'sip-403' },
    config: { queue: { maxConcurrentCalls: 2, channelLimitBackoffSeconds: 0, capacityProbeSeconds: 3600 } },
  });
  const id = await h.placeNow('+12025550123');
  const call = await h.ended(id);
  t.is(call.status, 'failed');
  t.regex(call.reason ?? '', /SIP 403/);
  t.is(call.attempt, 1);
  t.is(h.simulator.placedCount(clientStateOf(id)), 1);
  t.is(h.svc.deps.dialer.capacity, 2);
  t.false((await h.timeline(id)).some((e) => e.kind === 'status' && e.name === 'scheduled' && e.detail?.requeued === true));
});
