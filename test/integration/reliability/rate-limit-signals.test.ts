import test from 'ava';
import { bootReliable, clientStateOf } from '../../helpers/reliability-harness.ts';

test('when Telnyx refuses dials with 429 and its x-ratelimit headers, then each retry waits for the reset and every call is placed once', async (t) => {
  // The carrier admits 2 dials per 1 s window; we think we may start 50 per second.
  const h = await bootReliable(t, {
    simulator: { dialsPerSecond: 2, rateLimitWindowMs: 1000, rateLimitErrorCode: '90103' },
    config: { queue: { dialsPerSecond: 50, maxConcurrentCalls: 10 } },
  });
  const ids = await Promise.all(['+12025550131', '+12025550132', '+12025550133', '+12025550134', '+12025550135'].map((to) => h.placeNow(to)));
  const ended = await Promise.all(ids.map((id) => h.ended(id)));
  t.deepEqual(
    ended.map((c) => c.status),
    ids.map(() => 'completed'),
  );
  for (const id of ids) t.is(h.simulator.placedCount(clientStateOf(id)), 1);
  const dials = h.simulator.commands.filter((c) => c.kind === 'dial');
  const refused = dials.filter((d) => d.status === 429);
  t.true(refused.length > 0);
  t.true(h.simulator.stats.rateLimited > 0);
  // A refused dial's retry (same command id) came no sooner than the reset the refusal announced (1 s), less jitter.
  for (const refusal of refused) {
    const retry = dials.find((d) => d.commandId === refusal.commandId && d.at > refusal.at);
    t.truthy(retry);
    t.true((retry?.at ?? 0) - refusal.at >= 950, `retry ${(retry?.at ?? 0) - refusal.at} ms after its 429`);
  }
});
