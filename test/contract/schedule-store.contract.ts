import type { ExecutionContext, TestFn } from 'ava';
import type { ScheduleTally } from '../../src/calls/call-store.ts';
import type { NewSchedule } from '../../src/schedules/schedule.ts';
import type { NewOccurrence } from '../../src/schedules/schedule-store.ts';
import type { Store } from '../../src/store/store.ts';
import { claimed } from '../helpers/call-fixtures.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const DAY = 86_400_000;
const TO = '+12025550123';

/**
 * The schedule and retry halves of the store port (migration 5): every implementation runs these same tests.
 * `reopen` gives a second store over the same data (a second instance).
 */
export function scheduleStoreContract(test: TestFn, name: string, make: () => Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => Promise<void> }>) {
  const withStore = async (t: ExecutionContext) => {
    const made = await make();
    t.teardown(made.cleanup);
    await made.store.insertAccount({ id: 'acct', email: 'acct@example.test', passwordHash: 'h', createdAt: T0 });
    await made.store.insertAccount({ id: 'other', email: 'other@example.test', passwordHash: 'h', createdAt: T0 });
    return made;
  };
  const schedule = (id: string, extra: Partial<NewSchedule> = {}): NewSchedule => ({
    id,
    accountId: 'acct',
    to: TO,
    timeZone: 'Europe/Dublin',
    repeat: { every: 'weekday', at: '07:00' },
    cron: '0 7 * * 1-5',
    message: null,
    startsOn: null,
    endsOn: null,
    retry: { attempts: 2, afterMinutes: 10 },
    createdAt: T0,
    afterAt: T0,
    ...extra,
  });
  let n = 0;
  const occurrence = (scheduleId: string, at: number, id = `occ-${++n}`): NewOccurrence => ({
    id,
    to: TO,
    dueAt: at,
    timeZone: 'Europe/Dublin',
    message: null,
    createdAt: T0,
    accountId: 'acct',
    scheduleId,
    occurrenceAt: at,
    triesTotal: 3,
    retryAfterMinutes: 10,
    retryOnFailed: false,
  });

  test(`${name}: when a schedule is stored, then it reads back whole, only for its owner, newest first in its owner's list`, async (t) => {
    const { store } = await withStore(t);
    const first = await store.insertSchedule(schedule('s1', { message: 'Wake up', startsOn: '2026-12-01', endsOn: '2027-01-31' }));
    t.like(first, { id: 's1', accountId: 'acct', status: 'active', cron: '0 7 * * 1-5', message: 'Wake up', startsOn: '2026-12-01', afterAt: T0, nextAt: null });
    t.deepEqual(first.repeat, { every: 'weekday', at: '07:00' });
    t.deepEqual(first.retry, { attempts: 2, afterMinutes: 10 });
    await store.insertSchedule(schedule('s2', { createdAt: T0 + 1 }));
    t.deepEqual(await store.getSchedule('s1', 'acct'), first);
    t.is(await store.getSchedule('s1', 'other'), undefined);
    t.deepEqual((await store.listSchedules('acct', 10)).map((s) => s.id), ['s2', 's1']);
    t.deepEqual(await store.listSchedules('other', 10), []);
    const openSeen: ScheduleTally[] = [];
    const limits = { decideOpen: (open: ScheduleTally) => void openSeen.push(open) };
    await store.insertSchedule(schedule('s3', { createdAt: T0 + 2 }), limits);
    t.like(await store.updateSchedule('s2', { status: 'ended', endReason: 'stopped', retry: null }, T0 + 5), { status: 'ended', endReason: 'stopped', retry: null, updatedAt: T0 + 5 });
    await store.insertSchedule(schedule('s4', { createdAt: T0 + 6 }), limits);
    t.deepEqual(openSeen.map((o) => o.open), [2, 2], 'the insert counts the schedules not ended, before itself');
    t.deepEqual(openSeen.map((o) => [o.unreached, o.toReached]), [[2, false], [2, false]], 'no call of the account was answered: none of its numbers is reached');
    const refuse = { decideOpen: () => { throw new Error('too many'); } };
    await t.throwsAsync(store.insertSchedule(schedule('s5'), refuse), { message: 'too many' });
    t.is(await store.getSchedule('s5'), undefined, 'a refusal rolls the insert back');
  });

  test(`${name}: when an occurrence is created, then it is an ordinary scheduled call and the schedule's cursor moves to it`, async (t) => {
    const { store } = await withStore(t);
    await store.insertSchedule(schedule('s'));
    const call = await store.insertOccurrence(occurrence('s', T0 + DAY, 'o1'));
    t.like(call, { id: 'o1', status: 'scheduled', scheduleId: 's', occurrenceAt: T0 + DAY, retryOf: null, tryNumber: 1, triesTotal: 3, retryAfterMinutes: 10 });
    t.like(await store.getSchedule('s'), { afterAt: T0 + DAY, nextAt: T0 + DAY, lastOccurrenceAt: T0 + DAY });
    t.deepEqual(await store.nextDue(10), [{ id: 'o1', dueAt: T0 + DAY }]);
    t.like(await store.pendingOccurrence('s'), { id: 'o1' });
    // While one is pending, no second; the same instant again, or one at or before the cursor, never.
    t.is(await store.insertOccurrence(occurrence('s', T0 + 2 * DAY)), undefined);
    await claimed(store, 'o1', T0 + DAY, 10);
    t.is(await store.pendingOccurrence('s'), undefined);
    t.is(await store.insertOccurrence(occurrence('s', T0 + DAY)), undefined);
    t.is(await store.insertOccurrence(occurrence('s', T0 + DAY - 1)), undefined);
    t.like(await store.insertOccurrence(occurrence('s', T0 + 2 * DAY, 'o2')), { id: 'o2' });
    t.deepEqual((await store.scheduleCalls('s', 10)).map((c) => c.id), ['o2', 'o1']);
  });

  test(`${name}: when two instances create the same occurrence at once, then exactly one call exists`, async (t) => {
    const { store, reopen } = await withStore(t);
    const other = await reopen();
    t.teardown(() => other.close());
    await store.insertSchedule(schedule('s'));
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? other : store).insertOccurrence(occurrence('s', T0 + DAY, `race-${i}`))));
    t.is(results.filter(Boolean).length, 1);
    t.is((await store.scheduleCalls('s', 10)).length, 1);
  });

  test(`${name}: when schedules need an occurrence, then only active ones without a pending call or a live hold are listed, by id pages`, async (t) => {
    const { store } = await withStore(t);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await store.insertSchedule(schedule(id));
    await store.insertOccurrence(occurrence('b', T0 + DAY));
    await store.updateSchedule('c', { status: 'paused' }, T0);
    await store.updateSchedule('d', { holdUntil: T0 + DAY }, T0);
    t.deepEqual((await store.schedulesNeedingOccurrence(T0, 10)).map((s) => s.id), ['a', 'e']);
    t.deepEqual((await store.schedulesNeedingOccurrence(T0 + DAY, 10)).map((s) => s.id), ['a', 'd', 'e']);
    t.deepEqual((await store.schedulesNeedingOccurrence(T0 + DAY, 1, 'a')).map((s) => s.id), ['d']);
  });

  test(`${name}: when a schedule is paused, then its pending occurrence and waiting retries are canceled, and the same instant may be created again after`, async (t) => {
    const { store } = await withStore(t);
    await store.insertSchedule(schedule('s'));
    await store.insertOccurrence(occurrence('s', T0 + DAY, 'o1'));
    await store.insertRetry({ ...occurrence('s', T0 + 10, 'r2'), retryOf: 'earlier', tryNumber: 2 });
    const result = await store.changeSchedule('s', { status: 'paused', nextAt: null, afterAt: T0 }, T0 + 5, 'the schedule was paused');
    t.like(result?.schedule, { status: 'paused', nextAt: null });
    t.deepEqual(result?.canceled.sort(), ['o1', 'r2']);
    t.like(await store.getCall('o1'), { status: 'canceled', reason: 'the schedule was paused' });
    await store.updateSchedule('s', { status: 'active' }, T0 + 6);
    t.like(await store.insertOccurrence(occurrence('s', T0 + DAY, 'o1-again')), { id: 'o1-again', status: 'scheduled' });
    t.is(await store.changeSchedule('missing', { status: 'paused' }, T0, 'x'), undefined);
  });

  test(`${name}: when a number opts out, then every schedule to it ends and others go on`, async (t) => {
    const { store } = await withStore(t);
    await store.insertSchedule(schedule('s1'));
    await store.insertSchedule(schedule('s2', { accountId: 'other', status: 'paused' }));
    await store.insertSchedule(schedule('s3', { to: '+12025550199' }));
    t.deepEqual((await store.endSchedulesTo(TO, T0 + 1, 'the number asked not to be called again')).sort(), ['s1', 's2']);
    t.like(await store.getSchedule('s2'), { status: 'ended', endReason: 'the number asked not to be called again' });
    t.like(await store.getSchedule('s3'), { status: 'active' });
    t.deepEqual(await store.endSchedulesTo(TO, T0 + 2, 'again'), []);
  });

  test(`${name}: when a retry is inserted twice, then it exists once; calls owed a retry are found until it exists or retries stop`, async (t) => {
    const { store } = await withStore(t);
    const first = await store.insertCall({ id: 'c1', to: TO, dueAt: T0, timeZone: 'UTC', message: 'hi', createdAt: T0, accountId: 'acct', triesTotal: 3, retryAfterMinutes: 5 });
    t.like(first, { tryNumber: 1, triesTotal: 3, retryAfterMinutes: 5, retryOf: null, scheduleId: null, occurrenceAt: null, retryOnFailed: false });
    const plain = await store.insertCall({ id: 'c0', to: TO, dueAt: T0, timeZone: 'UTC', message: null, createdAt: T0 });
    t.like(plain, { tryNumber: 1, triesTotal: 1, retryAfterMinutes: null });
    for (const id of ['c0', 'c1']) {
      await claimed(store, id, T0, 10);
      await store.transition(id, ['dialing'], 'busy', T0 + 1000);
    }
    t.deepEqual((await store.callsAwaitingRetry(T0, 10)).map((c) => c.id), ['c1']);
    const retry = { id: 'c1-2', to: TO, dueAt: T0 + 300_000, timeZone: 'UTC', message: 'hi', createdAt: T0 + 1000, accountId: 'acct', retryOf: 'c1', tryNumber: 2, triesTotal: 3, retryAfterMinutes: 5 };
    t.like(await store.insertRetry(retry), { id: 'c1-2', retryOf: 'c1', tryNumber: 2, triesTotal: 3 });
    t.is(await store.insertRetry({ ...retry, id: 'c1-2-dup' }), undefined);
    t.deepEqual(await store.callsAwaitingRetry(T0, 10), []);
    t.is(await store.callOwner('c1-2'), 'acct');
    t.is(await store.callOwner('c0'), null);
    // The second try ends unanswered; its retries are stopped (a limit refused): it is not owed one any more.
    await claimed(store, 'c1-2', T0 + 300_000, 10);
    await store.transition('c1-2', ['dialing'], 'no_answer', T0 + 330_000);
    t.deepEqual((await store.callsAwaitingRetry(T0, 10)).map((c) => c.id), ['c1-2']);
    await store.stopRetries('c1-2', T0 + 330_001, 'a limit refused the retry');
    t.deepEqual(await store.callsAwaitingRetry(T0, 10), []);
    t.like(await store.getCall('c1-2'), { tryNumber: 2, triesTotal: 2 });
    t.like((await store.listEvents('c1-2')).at(-1), { kind: 'note', name: 'no-retry' });
  });
}
