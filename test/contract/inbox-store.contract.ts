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

  test(`${name}: when a call's inbox lock is held, then it cannot be taken again until it is given back, and other calls' locks are free`, async (t) => {
    const store = await withStore(t);
    t.true(await store.tryLockInbox('call-a'));
    t.false(await store.tryLockInbox('call-a'));
    t.true(await store.tryLockInbox('call-b'));
    await store.unlockInbox('call-a');
    t.true(await store.tryLockInbox('call-a'));
    await store.unlockInbox('call-a');
    await store.unlockInbox('call-b');
    // Giving back a lock not held changes nothing.
    await store.unlockInbox('call-a');
    t.true(await store.tryLockInbox('call-a'));
    t.false(await store.tryLockInbox('call-a'));
  });
}
