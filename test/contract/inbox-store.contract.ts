import type { ExecutionContext, TestFn } from 'ava';
import type { InboxEvent } from '../../src/inbox/inbox-store.ts';
import type { Store } from '../../src/store/store.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const event = (eventId: string, occurredAt = T0): InboxEvent => ({
  eventId,
  callId: 'c1',
  callControlId: 'v3:leg-1',
  eventType: 'call.answered',
  occurredAt,
  payload: { call_control_id: 'v3:leg-1', nested: { digits: '1#' } },
  receivedAt: T0 + 1,
});

/** The webhook intake's group commit as each store does it: one commit per batch, each event once, all or none. */
export function inboxStoreContract(test: TestFn, name: string, make: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
  const withStore = async (t: ExecutionContext) => {
    const made = await make();
    t.teardown(made.cleanup);
    return made.store;
  };

  test(`${name}: when a batch of webhooks is stored, then each new one is told new, a redelivery is not, and each row reads back whole`, async (t) => {
    const store = await withStore(t);
    t.deepEqual(await store.insertInboxBatch([]), new Set());
    t.deepEqual(await store.insertInboxBatch([event('e1', T0 + 2), event('e2', T0 + 1)]), new Set(['e1', 'e2']));
    // A redelivery beside a new event: only the new one is new, and the stored one is not changed.
    t.deepEqual(await store.insertInboxBatch([{ ...event('e2'), eventType: 'call.hangup' }, event('e3', T0 + 3)]), new Set(['e3']));
    t.false(await store.insertInbox(event('e1')));
    const pending = await store.pendingInbox(10);
    t.deepEqual(pending.map((e) => e.eventId), ['e2', 'e1', 'e3']);
    t.deepEqual(pending[0], event('e2', T0 + 1));
  });

  test(`${name}: when one event of a batch cannot be stored, then none of the batch is (all or none)`, async (t) => {
    const store = await withStore(t);
    const broken = { ...event('bad'), eventType: null } as unknown as InboxEvent;
    await t.throwsAsync(store.insertInboxBatch([event('ok-1'), broken, event('ok-2')]));
    t.deepEqual(await store.pendingInbox(10), []);
    t.deepEqual(await store.insertInboxBatch([event('ok-1'), event('ok-2')]), new Set(['ok-1', 'ok-2']));
  });

  test(`${name}: when 500 webhooks are stored in one batch, then all 500 are there once`, async (t) => {
    const store = await withStore(t);
    const events = Array.from({ length: 500 }, (_, i) => event(`b-${i}`, T0 + i));
    t.is((await store.insertInboxBatch(events)).size, 500);
    t.is((await store.insertInboxBatch(events)).size, 0);
    t.is((await store.pendingInbox(1000)).length, 500);
  });

  test(`${name}: when applied events are marked together in one call, then exactly those are no longer pending (an unknown id changes nothing)`, async (t) => {
    const store = await withStore(t);
    await store.insertInboxBatch([event('m1'), event('m2', T0 + 1), event('m3', T0 + 2)]);
    await store.markAppliedMany([], T0 + 5);
    await store.markAppliedMany(
      [
        { eventId: 'm1', outcome: 'applied' },
        { eventId: 'm3', outcome: 'stale' },
        { eventId: 'no-such-event', outcome: 'applied' },
      ],
      T0 + 10,
    );
    t.deepEqual((await store.pendingInbox(10)).map((e) => e.eventId), ['m2']);
    t.deepEqual((await store.pendingInboxFor('c1', 10)).map((e) => e.eventId), ['m2']);
  });

  test(`${name}: when the worker's timeline rows are written together, then each call reads its rows back in the order given, and a batch with a bad row writes none`, async (t) => {
    const store = await withStore(t);
    await store.appendTimeline([]);
    await store.appendTimeline([
      { callId: 'c1', at: T0, kind: 'webhook', name: 'call.answered', detail: { eventId: 'e1', nested: { n: 1 } } },
      { callId: 'c2', at: T0, kind: 'webhook', name: 'call.initiated', detail: null },
      { callId: 'c1', at: T0 + 1, kind: 'note', name: 'ignored', detail: { reason: 'stale' } },
    ]);
    t.deepEqual(
      (await store.listEvents('c1')).map((e) => [e.kind, e.name, e.at, e.detail]),
      [
        ['webhook', 'call.answered', T0, { eventId: 'e1', nested: { n: 1 } }],
        ['note', 'ignored', T0 + 1, { reason: 'stale' }],
      ],
    );
    t.deepEqual((await store.listEvents('c2')).map((e) => [e.name, e.detail]), [['call.initiated', null]]);
    const broken = { callId: 'c3', at: T0, kind: null, name: 'x', detail: null } as unknown as Parameters<Store['appendEvent']>[0];
    await t.throwsAsync(store.appendTimeline([{ callId: 'c3', at: T0, kind: 'note', name: 'ok', detail: null }, broken]));
    t.deepEqual(await store.listEvents('c3'), []);
  });

  test(`${name}: when calls' inbox locks are taken together, then a held one is not taken again until given back, and the others are taken`, async (t) => {
    const store = await withStore(t);
    t.deepEqual(await store.tryLockInbox([]), new Set());
    t.deepEqual(await store.tryLockInbox(['call-a']), new Set(['call-a']));
    t.deepEqual(await store.tryLockInbox(['call-a', 'call-b', 'call-c']), new Set(['call-b', 'call-c']), 'call-a is held');
    await store.unlockInbox(['call-a', 'call-c']);
    t.deepEqual(await store.tryLockInbox(['call-a', 'call-b', 'call-c']), new Set(['call-a', 'call-c']));
    await store.unlockInbox(['call-a', 'call-b', 'call-c']);
    // Giving back a lock not held changes nothing.
    await store.unlockInbox(['call-a', 'never-taken']);
    t.deepEqual(await store.tryLockInbox(['call-a']), new Set(['call-a']));
    t.deepEqual(await store.tryLockInbox(['call-a']), new Set());
  });

  test(`${name}: when the pending events of several calls are read together, then each call's come in order, at most the limit each`, async (t) => {
    const store = await withStore(t);
    const of = (eventId: string, callId: string | null, occurredAt: number, leg = 'v3:leg-1'): InboxEvent => ({ ...event(eventId, occurredAt), callId, callControlId: leg });
    await store.insertInboxBatch([of('a2', 'ca', T0 + 2), of('a1', 'ca', T0 + 1), of('a3', 'ca', T0 + 3), of('b1', 'cb', T0), of('l1', null, T0, 'leg-9'), of('x1', 'cx', T0)]);
    await store.markAppliedMany([{ eventId: 'a1', outcome: 'applied' }], T0 + 5);
    const read = await store.pendingInboxForKeys(['ca', 'cb', 'leg-9', 'nobody'], 10);
    const byKey = (key: string) => read.filter((e) => (e.callId ?? e.callControlId) === key).map((e) => e.eventId);
    t.deepEqual(byKey('ca'), ['a2', 'a3']);
    t.deepEqual(byKey('cb'), ['b1']);
    t.deepEqual(byKey('leg-9'), ['l1']);
    t.is(read.length, 4, 'nothing of a key not asked for');
    t.deepEqual((await store.pendingInboxForKeys(['ca'], 1)).map((e) => e.eventId), ['a2']);
    t.deepEqual(await store.pendingInboxForKeys([], 10), []);
  });

  test(`${name}: when calls are read by id together, then those that exist come back whole`, async (t) => {
    const store = await withStore(t);
    t.deepEqual(await store.callsById([]), []);
    for (const id of ['k1', 'k2']) {
      await store.insertCall({ id, to: '+12025550123', dueAt: T0 + 60_000, timeZone: 'UTC', message: null, createdAt: T0 });
    }
    const read = await store.callsById(['k2', 'k1', 'missing', 'k1']);
    t.deepEqual(read.map((c) => c.id).sort(), ['k1', 'k2']);
    t.deepEqual(
      read.find((c) => c.id === 'k1'),
      await store.getCall('k1'),
    );
  });
}
