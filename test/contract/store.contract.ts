import type { ExecutionContext, TestFn } from 'ava';
import type { Store } from '../../src/store/store.ts';
import { claimed } from '../helpers/call-fixtures.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

/**
 * The store port's contract: every implementation runs these same tests. `make` returns a fresh, migrated store;
 * `reopen` (optional) returns a second store over the same data, to show what is durable.
 */
export function storeContract(test: TestFn, name: string, make: () => Promise<{ store: Store; reopen?: () => Promise<Store>; cleanup: () => Promise<void> }>) {
  const withStore = async (t: ExecutionContext) => {
    const made = await make();
    t.teardown(made.cleanup);
    return made;
  };
  let n = 0;
  const newCall = (dueAt: number, id = `call-${String(++n).padStart(4, '0')}`) => ({
    id,
    to: '+12025550123',
    dueAt,
    timeZone: 'Europe/Dublin',
    message: null,
    createdAt: T0,
  });

  test(`${name}: when a call is inserted, then it reads back scheduled with a timeline entry`, async (t) => {
    const { store } = await withStore(t);
    const inserted = await store.insertCall({ ...newCall(T0 + 60_000, 'a'), message: 'hello' });
    t.like(inserted, { id: 'a', status: 'scheduled', dueAt: T0 + 60_000, message: 'hello', attempt: 0, endedAt: null });
    t.deepEqual(await store.getCall('a'), inserted);
    t.is(await store.getCall('missing'), undefined);
    const events = await store.listEvents('a');
    t.is(events.length, 1);
    t.like(events[0], { kind: 'status', name: 'scheduled' });
  });

  test(`${name}: when the same id is inserted twice, then the second insert fails and the first stays`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0, 'dup'));
    await t.throwsAsync(store.insertCall(newCall(T0 + 5, 'dup')));
    t.is((await store.getCall('dup'))?.dueAt, T0);
  });

  test(`${name}: when a transition's source matches, then it moves once and records it; otherwise nothing changes`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0, 'x'));
    const moved = await store.transition('x', ['scheduled'], 'canceled', T0 + 1, { reason: 'asked to' });
    t.like(moved, { status: 'canceled', reason: 'asked to', endedAt: T0 + 1, updatedAt: T0 + 1 });
    t.is(await store.transition('x', ['scheduled'], 'canceled', T0 + 2), undefined);
    t.is(await store.transition('nope', ['scheduled'], 'canceled', T0 + 2), undefined);
    const names = (await store.listEvents('x')).map((e) => e.name);
    t.deepEqual(names, ['scheduled', 'canceled']);
  });

  test(`${name}: when claiming, then only a scheduled call is claimed, once, with attempt and lateness`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0, 'c'));
    const first = await claimed(store, 'c', T0 + 7, 2);
    t.truthy(first.claimed);
    t.like(first.claimed, { status: 'dialing', attempt: 1 });
    // Stamped when the claim holds the dial gate: its `now`, plus on PostgreSQL the milliseconds the statement took to get there.
    const at = first.claimed?.claimedAt ?? NaN;
    t.true(at >= T0 + 7 && at < T0 + 57, `claimed at T0 + ${at - T0}`);
    t.is(first.claimed?.latenessMs, at - T0);
    t.deepEqual(await claimed(store, 'c', T0 + 8, 2), { claimed: null, reason: 'not_scheduled' });
    t.is(await store.countLive(), 1);
  });

  test(`${name}: when a call that still names a carrier leg is claimed, then the new attempt starts with no carrier id`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0, 'leg'));
    await store.update('leg', { callControlId: 'v3:old-leg' }, T0);
    const claim = await claimed(store, 'leg', T0 + 1, 5);
    t.is(claim.claimed?.callControlId, null);
    t.is((await store.getCall('leg'))?.callControlId, null);
  });

  test(`${name}: when a dial's leg is recorded, then only a live call on that same attempt takes it`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0, 'd'));
    await claimed(store, 'd', T0, 5);
    // Requeued before the dial's answer came back: the answer belongs to a dead attempt.
    await store.requeue('d', ['dialing'], T0 + 10, T0 + 1, 'channel limit');
    t.false(await store.recordDialedLeg('d', 1, 'v3:dead', T0 + 2));
    t.is((await store.getCall('d'))?.callControlId, null);
    const claim = await claimed(store, 'd', T0 + 10, 5);
    t.is(claim.claimed?.attempt, 2);
    t.false(await store.recordDialedLeg('d', 1, 'v3:dead', T0 + 11), 'an earlier attempt');
    t.true(await store.recordDialedLeg('d', 2, 'v3:live', T0 + 12));
    t.is((await store.getCall('d'))?.callControlId, 'v3:live');
    await store.transition('d', ['dialing'], 'failed', T0 + 13);
    t.false(await store.recordDialedLeg('d', 2, 'v3:late', T0 + 14), 'an ended call');
    t.is((await store.getCall('d'))?.callControlId, 'v3:live');
  });

  test(`${name}: when a dial's leg is recorded with its timeline event, then the event says whether the leg was kept, in the same step`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0, 'e'));
    await claimed(store, 'e', T0, 5);
    const event = (leg: string, at: number) => (kept: boolean) => ({ callId: 'e', at, kind: 'command' as const, name: 'dial.accepted', detail: { leg, kept } });
    t.true(await store.recordDialedLeg('e', 1, 'v3:one', T0 + 1, event('v3:one', T0 + 1)));
    await store.transition('e', ['dialing'], 'failed', T0 + 2, { reason: 'dial failed: busy' });
    t.false(await store.recordDialedLeg('e', 1, 'v3:two', T0 + 3, event('v3:two', T0 + 3)));
    const events = (await store.listEvents('e')).filter((e) => e.name === 'dial.accepted' || e.name === 'failed');
    t.deepEqual(
      events.map((e) => [e.name, e.at, e.detail]),
      [
        ['dial.accepted', T0 + 1, { leg: 'v3:one', kept: true }],
        ['failed', T0 + 2, { from: 'dialing', reason: 'dial failed: busy' }],
        ['dial.accepted', T0 + 3, { leg: 'v3:two', kept: false }],
      ],
    );
    t.like(await store.getCall('e'), { status: 'failed', reason: 'dial failed: busy', callControlId: 'v3:one' });
  });

  test(`${name}: when every channel is held, then a claim is refused for want of a channel`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0, 'l1'));
    await store.insertCall(newCall(T0, 'l2'));
    t.truthy((await claimed(store, 'l1', T0, 1)).claimed);
    t.deepEqual(await claimed(store, 'l2', T0, 1), { claimed: null, reason: 'no_channel' });
    t.is((await store.getCall('l2'))?.status, 'scheduled');
  });

  test(`${name}: when claim and cancel race, then exactly one wins`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0, 'r'));
    const [claim, cancel] = await Promise.all([claimed(store, 'r', T0, 5), store.transition('r', ['scheduled'], 'canceled', T0)]);
    t.true(Boolean(claim.claimed) !== Boolean(cancel));
  });

  test(`${name}: when listing, then upcoming come soonest first, then history newest first, across pages`, async (t) => {
    const { store } = await withStore(t);
    for (const [id, due] of [['u2', 20], ['u1', 10], ['u3', 30], ['h1', 5], ['h2', 15]] as const) await store.insertCall(newCall(T0 + due, id));
    await store.transition('h1', ['scheduled'], 'canceled', T0);
    await store.transition('h2', ['scheduled'], 'canceled', T0);
    const all = await store.listCalls({ limit: 10 });
    t.deepEqual(all.map((c) => c.id), ['u1', 'u2', 'u3', 'h2', 'h1']);
    const seen: string[] = [];
    let after;
    for (;;) {
      const page = await store.listCalls({ limit: 2, after });
      seen.push(...page.map((c) => c.id));
      const last = page[page.length - 1];
      if (page.length < 2 || !last) break;
      after = last.status === 'scheduled' ? { group: 0 as const, key: last.dueAt, id: last.id } : { group: 1 as const, key: -last.dueAt, id: last.id };
    }
    t.deepEqual(seen, ['u1', 'u2', 'u3', 'h2', 'h1']);
    t.deepEqual((await store.listCalls({ limit: 10, statuses: ['canceled'] })).map((c) => c.id), ['h2', 'h1']);
  });

  test(`${name}: when asking for the next due, then scheduled calls come in due order, skipping the excluded`, async (t) => {
    const { store } = await withStore(t);
    for (const [id, due] of [['b', 2], ['a', 1], ['c', 3], ['d', 3]] as const) await store.insertCall(newCall(T0 + due, id));
    await store.transition('c', ['scheduled'], 'canceled', T0);
    t.deepEqual(await store.nextDue(10), [
      { id: 'a', dueAt: T0 + 1 },
      { id: 'b', dueAt: T0 + 2 },
      { id: 'd', dueAt: T0 + 3 },
    ]);
    t.deepEqual((await store.nextDue(1, new Set(['a']))).map((e) => e.id), ['b']);
  });

  test(`${name}: when marking missed, then only scheduled calls due before the cutoff end as missed`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0 - 10_000, 'old'));
    await store.insertCall(newCall(T0 + 10_000, 'new'));
    t.deepEqual(await store.markMissed(T0, T0, 'down'), ['old']);
    t.like(await store.getCall('old'), { status: 'missed', reason: 'down', endedAt: T0 });
    t.is((await store.getCall('new'))?.status, 'scheduled');
  });

  test(`${name}: when purging, then only finished calls ended before the cutoff go, with their timelines`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0, 'gone'));
    await store.insertCall(newCall(T0, 'kept'));
    await store.insertCall(newCall(T0, 'live'));
    await store.transition('gone', ['scheduled'], 'canceled', T0);
    await store.transition('kept', ['scheduled'], 'canceled', T0 + 100);
    t.is(await store.purgeFinished(T0 + 50), 1);
    t.is(await store.getCall('gone'), undefined);
    t.deepEqual(await store.listEvents('gone'), []);
    t.truthy(await store.getCall('kept'));
    t.truthy(await store.getCall('live'));
  });

  test(`${name}: when a webhook is stored twice, then the second is refused; once applied and past retention, it is purged`, async (t) => {
    const { store } = await withStore(t);
    const event = { eventId: 'ev-1', callId: 'c1', callControlId: 'cc', eventType: 'call.initiated', occurredAt: T0, payload: { a: 1 }, receivedAt: T0 };
    t.true(await store.insertInbox(event));
    t.false(await store.insertInbox(event));
    t.true(await store.insertInbox({ ...event, eventId: 'ev-0', occurredAt: T0 - 5 }));
    t.deepEqual((await store.pendingInbox(10)).map((e) => e.eventId), ['ev-0', 'ev-1']);
    t.deepEqual((await store.pendingInbox(10, { occurredAt: T0 - 5, receivedAt: T0, eventId: 'ev-0' })).map((e) => e.eventId), ['ev-1']);
    await store.markApplied('ev-1', T0 + 10, 'applied');
    t.deepEqual((await store.pendingInbox(10)).map((e) => e.eventId), ['ev-0']);
    await store.purgeFinished(T0 + 11);
    t.true(await store.insertInbox(event)); // the applied row is gone after the retention period
    t.false(await store.insertInbox({ ...event, eventId: 'ev-0' })); // the unapplied one stays
  });

  test(`${name}: when looking for stale calls, then those not updated since the cutoff are found`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall(newCall(T0, 's1'));
    await claimed(store, 's1', T0, 5);
    await store.update('s1', { callControlId: 'cc-1' }, T0 + 10);
    t.is((await store.getCall('s1'))?.callControlId, 'cc-1');
    t.deepEqual((await store.findStale(['dialing'], T0 + 11)).map((c) => c.id), ['s1']);
    t.deepEqual(await store.findStale(['dialing'], T0 + 10), []);
  });

  test(`${name}: when many calls are inserted at once, then each is stored with its timeline, an opted-out number is refused alone, and a bad row fails alone`, async (t) => {
    const { store } = await withStore(t);
    await store.addDoNotCall({ number: '+12025550909', addedAt: T0, callId: null });
    const ids = Array.from({ length: 30 }, (_, i) => `many-${String(i).padStart(2, '0')}`);
    const results = await Promise.allSettled([
      ...ids.map((id, i) => store.insertCall({ ...newCall(T0 + i, id), retryAfterMinutes: i === 3 ? 5 : null, triesTotal: i === 3 ? 2 : 1 })),
      store.insertCall({ ...newCall(T0, 'opted'), to: '+12025550909' }),
      store.insertCall(newCall(T0, 'many-07')),
    ]);
    t.deepEqual(
      results.map((r) => r.status),
      [...ids.map(() => 'fulfilled'), 'rejected', 'rejected'],
      'the opted-out number and the second use of an id fail, and only they',
    );
    t.like(results[30], { reason: { message: 'This number is on the do-not-call list.' } });
    const stored = await Promise.all(ids.map((id) => store.getCall(id)));
    t.deepEqual(stored.map((c) => c?.dueAt), ids.map((_, i) => T0 + i));
    t.like(stored[3], { triesTotal: 2, retryAfterMinutes: 5, status: 'scheduled' });
    t.is(await store.getCall('opted'), undefined);
    for (const id of ids) t.deepEqual((await store.listEvents(id)).map((e) => [e.name, e.detail]), [['scheduled', { dueAt: T0 + ids.indexOf(id) }]]);
  });

  test(`${name}: when a number goes on the do-not-call list, then it reads back, and a second entry keeps the first`, async (t) => {
    const { store } = await withStore(t);
    t.is(await store.getDoNotCall('+12025550909'), undefined);
    t.true(await store.addDoNotCall({ number: '+12025550909', addedAt: T0, callId: 'c-1' }));
    t.false(await store.addDoNotCall({ number: '+12025550909', addedAt: T0 + 5, callId: 'c-2' }));
    t.deepEqual(await store.getDoNotCall('+12025550909'), { number: '+12025550909', addedAt: T0, callId: 'c-1' });
    t.is(await store.getDoNotCall('+12025550123'), undefined);
  });

  test(`${name}: when a scheduled call's number is on the do-not-call list, then the claim cancels it instead of dialing`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall({ ...newCall(T0, 'dnc'), to: '+12025550909' });
    await store.insertCall(newCall(T0, 'ok'));
    await store.addDoNotCall({ number: '+12025550909', addedAt: T0, callId: null });
    const refused = await claimed(store, 'dnc', T0 + 1, 10);
    t.deepEqual(refused, { claimed: null, reason: 'not_scheduled' });
    t.like(await store.getCall('dnc'), { status: 'canceled', attempt: 0, endedAt: T0 + 1 });
    t.regex((await store.getCall('dnc'))?.reason ?? '', /asked not to be called again/);
    t.deepEqual((await store.listEvents('dnc')).map((e) => e.name), ['scheduled', 'canceled']);
    t.truthy((await claimed(store, 'ok', T0 + 1, 10)).claimed);
  });

  test(`${name}: when the scheduled calls to a number are canceled, then only that number's scheduled calls end, with the reason`, async (t) => {
    const { store } = await withStore(t);
    await store.insertCall({ ...newCall(T0, 'live'), to: '+12025550909' });
    await claimed(store, 'live', T0, 10);
    await store.insertCall({ ...newCall(T0 + 10, 'n1'), to: '+12025550909' });
    await store.insertCall({ ...newCall(T0 + 20, 'n2'), to: '+12025550909' });
    await store.insertCall(newCall(T0 + 40, 'other'));
    t.deepEqual(await store.cancelScheduledTo('+12025550909', T0 + 5, 'opted out'), ['n1', 'n2']);
    t.like(await store.getCall('n1'), { status: 'canceled', reason: 'opted out', endedAt: T0 + 5 });
    t.like(await store.getCall('live'), { status: 'dialing' });
    t.like(await store.getCall('other'), { status: 'scheduled' });
    t.deepEqual((await store.listEvents('n2')).map((e) => e.name), ['scheduled', 'canceled']);
    t.deepEqual(await store.cancelScheduledTo('+12025550909', T0 + 6, 'opted out'), []);
  });

  test(`${name}: when who answered is recorded, then it reads back; a new call has none`, async (t) => {
    const { store } = await withStore(t);
    const call = await store.insertCall(newCall(T0, 'ab'));
    t.is(call.answeredBy, null);
    await store.update('ab', { answeredBy: 'machine' }, T0 + 3);
    t.like(await store.getCall('ab'), { answeredBy: 'machine', updatedAt: T0 + 3 });
  });

  test(`${name}: when reopened, then committed calls are still there`, async (t) => {
    const made = await withStore(t);
    if (!made.reopen) return t.pass('no reopen for this implementation');
    await made.store.insertCall(newCall(T0, 'durable'));
    await made.store.close();
    const again = await made.reopen();
    t.teardown(() => again.close());
    t.is((await again.getCall('durable'))?.status, 'scheduled');
  });

  test(`${name}: when pinged, then it answers; when migrated twice, then nothing breaks`, async (t) => {
    const { store } = await withStore(t);
    await t.notThrowsAsync(store.ping());
    await t.notThrowsAsync(store.migrate());
  });
}
