import type { ExecutionContext, TestFn } from 'ava';
import { OUTCOME_UNKNOWN_REASON } from '../../src/calls/reasons.ts';
import type { Store } from '../../src/store/store.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const LIMITS = { maxLive: 10, perAccount: 10, perWindow: 3, windowMs: 1000 };

/**
 * The contract of what several instances share through the store: claims that take a dial slot and a lease, dial
 * slots for retries, dial leases taken over only once expired, named leases, and the inbox read one call at a time.
 */
export function dialStoreContract(test: TestFn, name: string, make: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
  const withStore = async (t: ExecutionContext) => {
    const made = await make();
    t.teardown(made.cleanup);
    return made.store;
  };
  const insert = (store: Store, id: string, to = '+12025550123') =>
    store.insertCall({ id, to, dueAt: T0, timeZone: 'UTC', message: null, createdAt: T0 });

  test(`${name}: when more calls are claimed in a window than the dial rate allows, then the rest are refused with the wait until a slot frees`, async (t) => {
    const store = await withStore(t);
    for (const id of ['a', 'b', 'c', 'd']) await insert(store, id);
    const lease = { owner: 'i1', until: T0 + 10_000 };
    t.is((await store.claimDue(() => T0, LIMITS, lease, 1)).claimed[0]?.id, 'a');
    t.is((await store.claimDue(() => T0 + 100, LIMITS, lease, 1)).claimed[0]?.id, 'b');
    t.is((await store.claimDue(() => T0 + 200, LIMITS, lease, 1)).claimed[0]?.id, 'c');
    // A claim's slot may be stamped a few ms after its `now` (PostgreSQL adds the time it waited for the claim lock).
    const wait = async (at: number) => {
      const result = await store.claimDue(() => at, LIMITS, lease, 1);
      return result.reason === 'rate' ? result.waitMs : -1;
    };
    const near = (value: number, expected: number) => value > 0 && Math.abs(value - expected) < 50;
    t.true(near(await wait(T0 + 300), 700));
    t.like(await store.getCall('d'), { status: 'scheduled', attempt: 0 });
    // A retry's slot comes from the same window.
    const none = await store.takeDialSlots(() => T0 + 999, 1, 3, 1000);
    t.is(none.taken, 0);
    t.true(near(none.waitMs, 1));
    t.deepEqual(await store.takeDialSlots(() => T0 + 1060, 1, 3, 1000), { taken: 1, waitMs: 0 });
    t.true(near(await wait(T0 + 1061), 39));
    t.is((await store.claimDue(() => T0 + 1260, LIMITS, lease, 1)).claimed[0]?.id, 'd');
  });

  test(`${name}: when a claim is refused for a channel or a canceled call, then it takes no dial slot`, async (t) => {
    const store = await withStore(t);
    await insert(store, 'a');
    await insert(store, 'b', '+12025550909');
    await insert(store, 'c');
    await store.addDoNotCall({ number: '+12025550909', addedAt: T0, callId: null });
    const lease = { owner: 'i1', until: T0 + 10_000 };
    t.is((await store.claimDue(() => T0, { ...LIMITS, maxLive: 1 }, lease, 1)).claimed[0]?.id, 'a');
    // b's number opted out: the claim cancels it instead.
    t.like(await store.claimDue(() => T0, { ...LIMITS, maxLive: 2 }, lease, 1), { claimed: [], reason: 'not_scheduled' });
    t.like(await store.getCall('b'), { status: 'canceled' });
    t.like(await store.claimDue(() => T0, { ...LIMITS, maxLive: 1 }, lease, 1), { claimed: [], reason: 'no_channel' });
    t.like(await store.getCall('c'), { status: 'scheduled' });
    t.deepEqual(await store.takeDialSlots(() => T0, 2, 3, 1000), { taken: 2, waitMs: 0 });
    t.like(await store.takeDialSlots(() => T0, 1, 3, 1000), { taken: 0 });
  });

  test(`${name}: when several dial slots are asked for at once, then the window's free ones are taken and the rest told when the next frees`, async (t) => {
    const store = await withStore(t);
    await insert(store, 'a');
    const lease = { owner: 'i1', until: T0 + 10_000 };
    const [claimed] = (await store.claimDue(() => T0, LIMITS, lease, 1)).claimed;
    // The claim's time is its slot's: the lateness it records is measured to it.
    t.is(claimed?.latenessMs, (claimed?.claimedAt ?? NaN) - T0);
    const some = await store.takeDialSlots(() => T0 + 400, 5, 3, 1000);
    t.is(some.taken, 2);
    // The window is full until the claim's slot leaves it, 1000 ms after the claim.
    t.true(Math.abs(some.waitMs - (1000 - 400 + ((claimed?.claimedAt ?? T0) - T0))) < 50);
    // A window later all three are free; the two left over wait for the window these three fill.
    const later = await store.takeDialSlots(() => T0 + 1600, 5, 3, 1000);
    t.is(later.taken, 3);
    t.true(Math.abs(later.waitMs - 1000) < 50);
  });

  test(`${name}: when more calls are due than the store's batch, then one claim takes its batch in due order, canceling a picked call whose number opted out, and the next claim the rest`, async (t) => {
    const store = await withStore(t);
    const batch = store.claimBatch;
    const ids = Array.from({ length: batch + 2 }, (_, i) => `c${String(i).padStart(4, '0')}`);
    const opted = ids[7] as string;
    for (const id of ids) await insert(store, id, id === opted ? '+12025550909' : '+12025550123');
    await store.addDoNotCall({ number: '+12025550909', addedAt: T0, callId: null });
    const open = { maxLive: 100_000, perAccount: 100_000, perWindow: 100_000, windowMs: 1000 };
    const lease = { owner: 'i1', until: T0 + 10_000 };
    const first = await store.claimDue(() => T0, open, lease, batch);
    t.deepEqual(first.claimed.map((c) => c.id), ids.slice(0, batch).filter((id) => id !== opted));
    t.like(await store.getCall(opted), { status: 'canceled' });
    const rest = await store.claimDue(() => T0, open, lease, batch);
    t.deepEqual(rest.claimed.map((c) => c.id), ids.slice(batch));
    t.like(await store.claimDue(() => T0, open, lease, batch), { claimed: [], reason: 'none_due' });
  });

  test(`${name}: when a dial's lease is alive or renewed, then nobody takes it over; once expired, one instance does, once`, async (t) => {
    const store = await withStore(t);
    await insert(store, 'a');
    await insert(store, 'b');
    t.is((await store.claimDue(() => T0, LIMITS, { owner: 'dead', until: T0 + 10_000 }, 1)).claimed[0]?.id, 'a');
    t.is((await store.claimDue(() => T0, LIMITS, { owner: 'alive', until: T0 + 10_000 }, 1)).claimed[0]?.id, 'b');
    t.deepEqual([...(await store.leasedDials(T0 + 5000))].sort(), ['a', 'b']);
    t.deepEqual(await store.takeOverDials(T0 + 5000, { owner: 'other', until: T0 + 15_000 }, 10), []);
    await store.renewDialLeases('alive', ['b', 'a'], T0 + 20_000);
    const taken = await store.takeOverDials(T0 + 10_001, { owner: 'other', until: T0 + 20_001 }, 10);
    t.deepEqual(taken.map((c) => c.id), ['a']);
    t.like(taken[0], { status: 'dialing', attempt: 1 });
    t.true((taken[0]?.claimedAt ?? NaN) - T0 < 50);
    t.deepEqual(await store.takeOverDials(T0 + 10_002, { owner: 'third', until: T0 + 20_002 }, 10), []);
    // A dial whose outcome is already unknown is the reconciler's, and one with a carrier id is settled.
    await store.update('a', { reason: OUTCOME_UNKNOWN_REASON }, T0 + 10_003);
    await store.recordDialedLeg('b', 1, 'leg-b', T0 + 10_003);
    t.deepEqual(await store.takeOverDials(T0 + 30_000, { owner: 'third', until: T0 + 40_000 }, 10), []);
  });

  test(`${name}: when two owners want one named lease, then one holds it until it expires or is released`, async (t) => {
    const store = await withStore(t);
    t.true(await store.tryLease('inbox:c1', 'a', T0, T0 + 1000));
    t.false(await store.tryLease('inbox:c1', 'b', T0 + 500, T0 + 1500));
    t.true(await store.tryLease('inbox:c1', 'a', T0 + 600, T0 + 1600));
    await store.renewLeases('a', ['inbox:c1'], T0 + 3000);
    t.false(await store.tryLease('inbox:c1', 'b', T0 + 2000, T0 + 4000));
    t.true(await store.tryLease('inbox:c1', 'b', T0 + 3001, T0 + 4000));
    await store.releaseLease('inbox:c1', 'a');
    t.false(await store.tryLease('inbox:c1', 'a', T0 + 3002, T0 + 4000));
    await store.releaseLease('inbox:c1', 'b');
    t.true(await store.tryLease('inbox:c1', 'a', T0 + 3003, T0 + 4000));
    await store.expireAllLeases();
    t.true(await store.tryLease('inbox:c1', 'b', T0 + 3004, T0 + 4000));
  });

  test(`${name}: when a call's events are read by key, then only its unapplied ones come, in occurrence order`, async (t) => {
    const store = await withStore(t);
    const event = (eventId: string, callId: string | null, occurredAt: number, callControlId: string | null = null) => ({
      eventId,
      callId,
      callControlId,
      eventType: 'call.hangup',
      occurredAt,
      payload: {},
      receivedAt: T0,
    });
    await store.insertInbox(event('e2', 'c1', T0 + 2));
    await store.insertInbox(event('e1', 'c1', T0 + 1));
    await store.insertInbox(event('e3', 'c2', T0));
    await store.insertInbox(event('e4', null, T0, 'leg-9'));
    await store.insertInbox(event('e0', 'c1', T0));
    await store.markApplied('e0', T0, 'applied');
    t.deepEqual((await store.pendingInboxFor('c1', 10)).map((e) => e.eventId), ['e1', 'e2']);
    t.deepEqual((await store.pendingInboxFor('c1', 1)).map((e) => e.eventId), ['e1']);
    t.deepEqual((await store.pendingInboxFor('leg-9', 10)).map((e) => e.eventId), ['e4']);
  });
}
