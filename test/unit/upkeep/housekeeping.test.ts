import test, { type ExecutionContext } from 'ava';
import { rmSync } from 'node:fs';
import { createHousekeeping, HousekeepingJobs } from '../../../src/upkeep/housekeeping.ts';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { TelephonyError } from '../../../src/calls/carrier.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';
import { testConfig } from '../../helpers/test-service.ts';
import { join } from 'node:path';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';

const T0 = Date.UTC(2026, 10, 21, 12);

/** Dial window + ring timeout + time limit + grace with the default config: no call outlives its claim by more. */
const MAX_CALL_MS = (55 + 30 + 300 + 30) * 1000;

async function setup(t: ExecutionContext, maxCallMs = MAX_CALL_MS) {
  const { dir } = testConfig();
  const store = createSqliteStore({ path: join(dir, 'm.db') });
  await store.migrate();
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = createManualClock(T0);
  const memory = createMemoryLogger();
  let freed = 0;
  const options = { stuckSchedule: '*/5 * * * *', stuckAfterMinutes: 30, purgeSchedule: '17 3 * * *', retentionDays: 30 };
  // The carrier's record: alive calls by carrier id; `unreachable` makes every question fail.
  const carrier = { alive: new Set<string>(), hangups: [] as string[], unreachable: false };
  const telephony = {
    callStatus: async (callControlId: string) => {
      await Promise.resolve();
      if (carrier.unreachable) throw new TelephonyError('Telnyx could not be reached', 'retryable');
      const alive = carrier.alive.has(callControlId);
      return { callControlId, alive, ended: !alive, callId: undefined, durationSecs: undefined };
    },
    hangup: async (callControlId: string) => {
      await Promise.resolve();
      carrier.hangups.push(callControlId);
      carrier.alive.delete(callControlId);
    },
  };
  const maintenance = createHousekeeping({ store, clock, logger: memory.logger, options, channelFreed: () => (freed += 1), telephony, maxCallMs });
  const add = (id: string) => store.insertCall({ id, to: '+12025550123', dueAt: T0, timeZone: 'UTC', message: null, createdAt: T0 });
  return { store, database: join(dir, 'm.db'), clock, memory, maintenance, add, options, carrier, freed: () => freed };
}

test('when a live call has heard nothing for longer than the timeout, then it ends failed with a reason and frees its channel', async (t) => {
  const { store, database, clock, memory, maintenance, add, freed } = await setup(t);
  await add('stuck');
  await add('fresh');
  await claimedOutOfTurn(database, 'stuck', T0, 10);
  await clock.advance(20 * 60_000);
  await claimedOutOfTurn(database, 'fresh', clock.now(), 10);
  await clock.advance(11 * 60_000);
  t.is(await maintenance.endStuck(), 1);
  t.like(await store.getCall('stuck'), { status: 'failed', reason: 'no word from the carrier for 30 minutes while dialing' });
  t.is((await store.getCall('fresh'))?.status, 'dialing');
  t.is(freed(), 1);
  t.truthy(memory.lines.find((l) => l.job === 'end-stuck' && l.ended === 1));
});

test('when finished calls are older than the retention, then they are purged; newer and unfinished ones stay', async (t) => {
  const { store, clock, memory, maintenance, add } = await setup(t);
  await add('old');
  await add('waiting');
  await store.transition('old', ['scheduled'], 'canceled', T0);
  await clock.advance(31 * 86_400_000);
  await add('recent');
  await store.transition('recent', ['scheduled'], 'canceled', clock.now());
  t.is(await maintenance.purge(), 1);
  t.is(await store.getCall('old'), undefined);
  t.truthy(await store.getCall('recent'));
  t.truthy(await store.getCall('waiting'));
  t.truthy(memory.lines.find((l) => l.job === 'purge' && l.purged === 1));
});

test('when the cron jobs are started and stopped, then stop resolves and leaves no task behind', async (t) => {
  const { maintenance, memory, options } = await setup(t);
  const jobs = new HousekeepingJobs({ maintenance, options, logger: memory.logger });
  jobs.start();
  await t.notThrowsAsync(jobs.stop());
});

test('when a stuck call is still alive at the carrier, then it is hung up there and ended failed saying so', async (t) => {
  const { store, database, clock, maintenance, add, carrier, freed } = await setup(t);
  await add('live');
  await claimedOutOfTurn(database, 'live', T0, 10);
  await store.update('live', { callControlId: 'v3:live' }, T0);
  await store.transition('live', ['dialing'], 'ringing', T0);
  carrier.alive.add('v3:live');
  await clock.advance(31 * 60_000);
  t.is(await maintenance.endStuck(), 1);
  t.deepEqual(carrier.hangups, ['v3:live']);
  t.like(await store.getCall('live'), {
    status: 'failed',
    reason: 'no word from the carrier for 30 minutes while ringing; hung up at the carrier',
  });
  t.is(freed(), 1);
});

test('when the carrier cannot be asked about a stuck call that could still be alive there, then the call is left for the next run', async (t) => {
  // A time limit longer than the stuck timeout: 31 minutes after its claim the call may still be talking.
  const { store, database, clock, maintenance, add, carrier } = await setup(t, 2 * 3_600_000);
  await add('unknown');
  await claimedOutOfTurn(database, 'unknown', T0, 10);
  await store.update('unknown', { callControlId: 'v3:unknown' }, T0);
  carrier.unreachable = true;
  await clock.advance(31 * 60_000);
  t.is(await maintenance.endStuck(), 0);
  t.is((await store.getCall('unknown'))?.status, 'dialing');
  t.deepEqual(carrier.hangups, []);
});

test('when the carrier cannot be asked about a stuck call older than any call can live, then it ends failed all the same and frees its channel', async (t) => {
  const { store, database, clock, maintenance, add, carrier, freed } = await setup(t);
  await add('unreadable');
  await add('also');
  for (const id of ['unreadable', 'also']) {
    await claimedOutOfTurn(database, id, T0, 10);
    await store.update(id, { callControlId: `v3:${id}` }, T0);
  }
  carrier.unreachable = true;
  await clock.advance(31 * 60_000);
  t.is(await maintenance.endStuck(), 2);
  for (const id of ['unreadable', 'also']) {
    const call = await store.getCall(id);
    t.is(call?.status, 'failed');
    t.regex(call?.reason ?? '', /could not be asked/);
  }
  t.is(await store.countLive(), 0);
  t.is(freed(), 1);
});
