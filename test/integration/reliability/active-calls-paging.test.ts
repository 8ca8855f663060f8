import test from 'ava';
import { bootReliable, clientStateOf } from '../../helpers/reliability-harness.ts';

test('when 45 calls are live and three dials lost their answers, then the cursor-paged listing finds all three: none failed while alive, none hung up, one request per listing and none once all are found', async (t) => {
  // Every webhook is lost, so the carrier's record alone settles every call; the callee hangs up after 12 s.
  const h = await bootReliable(t, {
    simulator: { webhookLossRate: 1, maxCallMs: 12_000, channels: 100 },
    config: { queue: { maxConcurrentCalls: 60 } },
  });
  const listings: string[] = [];
  h.simulator.on('request', ({ path }) => {
    if (path.includes('/active_calls')) listings.push(path);
  });

  const settled = [];
  for (let i = 0; i < 42; i++) settled.push(await h.placeNow(`+1202555${String(1000 + i)}`));
  await Promise.all(settled.map((id) => h.waitFor(id, (call) => call.callControlId !== null)));

  // Three more whose dial answers are lost (200 without a call id): only the listing can find them.
  h.simulator.configure({ dialUnknownOutcomeRate: 1, dialUnknownOutcomeModes: ['no-call-id'] });
  const lost = [];
  for (let i = 0; i < 3; i++) lost.push(await h.placeNow(`+1202555${String(2000 + i)}`));
  await Promise.all(lost.map((id) => h.waitFor(id, (call) => call.reason !== null || call.callControlId !== null)));
  h.simulator.configure({ dialUnknownOutcomeRate: 0 });
  t.is(h.simulator.stats.dialsUnknownOutcome, 3);

  await Promise.all(lost.map((id) => h.waitFor(id, (call) => call.callControlId !== null)));
  const listingsWhenFound = listings.length;

  const ended = await Promise.all([...settled, ...lost].map((id) => h.ended(id)));
  for (const call of ended) t.is(call.status, 'completed', `${call.id}: ${call.reason ?? ''}`);
  for (const id of lost) {
    t.is(h.simulator.placedCount(clientStateOf(id)), 1);
    t.true((await h.timeline(id)).some((e) => e.kind === 'note' && e.name === 'reconcile.found'));
  }
  // Nobody was hung up on: every answered call heard its first words and ended by the callee's own hangup.
  t.deepEqual(h.simulator.answeredNeverSpoken(), []);
  t.deepEqual(
    h.simulator.commands.filter((c) => c.kind === 'hangup'),
    [],
  );
  // 45 calls fit in one page of 250: each listing is one request, and listing stops once no dial lacks its id
  // (one round may have been under way when the last was found).
  t.true(listings.length > 0);
  t.true(listings.every((path) => path.includes('page%5Blimit%5D=250') || path.includes('page[limit]=250')), listings[0]);
  t.false(listings.some((path) => path.includes('after')));
  t.true(listings.length <= listingsWhenFound + 1, `${listings.length} listings, ${listingsWhenFound} when all were found`);
});
