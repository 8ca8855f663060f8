import test from 'ava';
import { createScheduleKeeper } from '../../../src/schedules/schedule-keeper.ts';
import type { Store } from '../../../src/store/store.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';
import { withPostgres } from '../../helpers/postgres.ts';
import { noCallLimits } from '../../helpers/no-limits.ts';

const T0 = Date.parse('2026-11-22T12:00:00Z');

await withPostgres(test, (db) => {
  test('postgres: when three instances sweep the same schedules at once, again and again, then each schedule gets its next occurrence once', async (t) => {
    const { store, reopen, cleanup } = await db.makeStore();
    t.teardown(cleanup);
    const others = [await reopen(), await reopen()];
    t.teardown(() => Promise.all(others.map((s) => s.close())));
    await store.insertAccount({ id: 'acct', email: 'acct@example.test', passwordHash: 'h', createdAt: T0 });
    for (let i = 0; i < 40; i++) {
      await store.insertSchedule({
        id: `s${String(i).padStart(2, '0')}`,
        accountId: 'acct',
        to: `+120255501${String(i).padStart(2, '0')}`,
        timeZone: 'Europe/Dublin',
        repeat: { every: 'day', at: '07:00' },
        cron: `${i} 7 * * *`,
        message: null,
        startsOn: null,
        endsOn: null,
        retry: null,
        createdAt: T0,
        afterAt: T0,
      });
    }
    const clock = createManualClock(T0);
    let queued = 0;
    const keeper = (s: Store) =>
      createScheduleKeeper({
        store: s,
        clock,
        logger: createMemoryLogger().logger,
        newId: () => crypto.randomUUID(),
        queue: { scheduled: () => void (queued += 1) },
        callLimits: noCallLimits,
        maxLatenessMs: 900_000,
      });
    const keepers = [store, ...others].map(keeper);
    const created = await Promise.all([...keepers, ...keepers].map((k) => k.sweep()));
    t.is(created.reduce((a, b) => a + b, 0), 40, `created per sweep: ${created.join(', ')}`);
    t.is(queued, 40);
    const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => store.scheduleCalls(`s${String(i).padStart(2, '0')}`, 10)));
    t.deepEqual(counts.map((c) => c.length), Array<number>(40).fill(1));
  });
});
