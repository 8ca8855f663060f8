import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suiteDatabaseUrl, suiteStoreFor } from '../../helpers/suite-store.ts';
import { bootReliable, clientStateOf } from '../../helpers/reliability-harness.ts';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';

/** A database as a `kill -9` leaves it: rows claimed at `at`, some with a carrier id, none ended. */
async function crashedDatabase(rows: { id: string; status: 'dialing' | 'ringing'; callControlId?: string }[], at: number) {
  const dir = mkdtempSync(join(tmpdir(), 'daj-crash-'));
  const databaseUrl = suiteDatabaseUrl(dir);
  const store = await suiteStoreFor(databaseUrl);
  await store.migrate();
  for (const [i, row] of rows.entries()) {
    await store.insertCall({ id: row.id, to: `+1202555${String(1000 + i)}`, dueAt: at, timeZone: 'UTC', message: null, createdAt: at });
    await claimedOutOfTurn(databaseUrl, row.id, at, 1000);
    if (row.callControlId) await store.update(row.id, { callControlId: row.callControlId }, at);
    if (row.status === 'ringing') await store.transition(row.id, ['dialing'], 'ringing', at);
  }
  await store.close();
  return dir;
}

test('when the service restarts with both channels held by calls the carrier no longer has, then they end within seconds and the next call is dialed', async (t) => {
  const dir = await crashedDatabase(
    [
      { id: 'held-1', status: 'ringing', callControlId: 'v3:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' },
      { id: 'held-2', status: 'ringing', callControlId: 'v3:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' },
    ],
    Date.now() - 5000,
  );
  const h = await bootReliable(t, { dir, config: { queue: { maxConcurrentCalls: 2 } } });
  const next = await h.placeNow('+12025550123');
  const [a, b, c] = await Promise.all([h.ended('held-1'), h.ended('held-2'), h.ended(next)]);
  t.is(a.status, 'failed');
  t.is(b.status, 'failed');
  t.regex(a.reason ?? '', /the carrier ended the call/);
  t.is(c.status, 'completed');
  // Freed by the carrier's word, in seconds, not by the 30-minute housekeeping.
  t.true((a.endedAt as number) - h.svc.deps.instance.startedAt < 10_000);
});

test('when dials interrupted by a crash are retried at start, then they keep to DIALS_PER_SECOND', async (t) => {
  const ids = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
  const dir = await crashedDatabase(
    ids.map((id) => ({ id, status: 'dialing' as const })),
    Date.now(),
  );
  const h = await bootReliable(t, { dir, config: { queue: { dialsPerSecond: 2, maxConcurrentCalls: 10 } } });
  await Promise.all(ids.map((id) => h.ended(id)));
  // One call each (a dial repeated under its command id after a slow answer is the same dial).
  for (const id of ids) t.is(h.simulator.placedCount(clientStateOf(id)), 1);
  // When each dial started, by our own timeline (the carrier's arrival times add the network's jitter).
  const timelines = await Promise.all(ids.map((id) => h.timeline(id)));
  const dials = timelines
    .flatMap((events) => events.filter((e) => e.kind === 'command' && e.name === 'dial').map((e) => e.at))
    .sort((a, b) => a - b);
  t.is(dials.length, ids.length);
  // At most two dial starts per second: without the limit all six start within milliseconds. The timeline is
  // written a moment after the rate slot is taken, and that moment varies with load, so allow for it.
  for (let i = 2; i < dials.length; i++) t.true((dials[i] as number) - (dials[i - 2] as number) >= 700, `dial ${i} came ${(dials[i] as number) - (dials[i - 2] as number)} ms after dial ${i - 2}`);
  t.true((dials[5] as number) - (dials[0] as number) >= 1800);
});
