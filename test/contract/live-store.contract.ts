import type { ExecutionContext, TestFn } from 'ava';
import { DuplicateIdempotencyKey } from '../../src/calls/idempotency-keys.ts';
import type { CallLimitGuard } from '../../src/calls/call-store.ts';
import { LimitError } from '../../src/kernel/errors.ts';
import type { Store } from '../../src/store/store.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

/** The live stream's and the idempotency keys' store methods, on every implementation. */
export function liveStoreContract(test: TestFn, name: string, make: () => Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => Promise<void> }>) {
  const withAccounts = async (t: ExecutionContext) => {
    const made = await make();
    t.teardown(made.cleanup);
    for (const id of ['acc-a', 'acc-b']) await made.store.insertAccount({ id, email: `${id}@example.test`, passwordHash: 'x', createdAt: T0 });
    return made.store;
  };
  const call = (id: string, accountId: string, createdAt = T0, idempotency?: { key: string; requestHash: string }) => ({
    id,
    to: '+12025550123',
    dueAt: T0 + 3_600_000,
    timeZone: 'UTC',
    message: null,
    createdAt,
    accountId,
    idempotency,
  });

  test(`${name}: when calls change, then an account's changes read back in (updatedAt, id) order from a position, and only its own`, async (t) => {
    const store = await withAccounts(t);
    await store.insertCall(call('c1', 'acc-a'));
    await store.insertCall(call('c2', 'acc-a'));
    await store.insertCall(call('other', 'acc-b'));
    await store.transition('c1', ['scheduled'], 'canceled', T0 + 10, { reason: 'canceled by the person' });
    const all = await store.changedCalls('acc-a', { updatedAt: T0 - 1, id: '' }, 10);
    t.deepEqual(all.map((c) => [c.id, c.updatedAt]), [['c2', T0], ['c1', T0 + 10]]);
    // Strictly after a position: the same time with a later id, then later times.
    t.deepEqual((await store.changedCalls('acc-a', { updatedAt: T0, id: 'c2' }, 10)).map((c) => c.id), ['c1']);
    t.deepEqual((await store.changedCalls('acc-a', { updatedAt: T0 - 1, id: '' }, 1)).map((c) => c.id), ['c2']);
    t.deepEqual((await store.changedCalls('acc-b', { updatedAt: T0 - 1, id: '' }, 10)).map((c) => c.id), ['other']);
  });

  test(`${name}: when a key is used twice by one account, then the second insert fails and nothing of it stays; another account may use it`, async (t) => {
    const store = await withAccounts(t);
    await store.insertCall(call('first', 'acc-a', T0, { key: 'k', requestHash: 'h1' }));
    await t.throwsAsync(store.insertCall(call('second', 'acc-a', T0, { key: 'k', requestHash: 'h2' })), { instanceOf: DuplicateIdempotencyKey });
    t.is(await store.getCall('second'), undefined);
    t.deepEqual(await store.listEvents('second'), []);
    await store.insertCall(call('theirs', 'acc-b', T0, { key: 'k', requestHash: 'h1' }));
    const found = await store.findByIdempotencyKey('acc-a', 'k', T0 - 1);
    t.is(found?.call.id, 'first');
    t.is(found?.requestHash, 'h1');
    t.is(await store.findByIdempotencyKey('acc-a', 'k', T0 + 1), undefined, 'older than the window');
  });

  test(`${name}: when calls are inserted together and some are refused, then each refusal is its own and the rest are stored exactly`, async (t) => {
    const store = await withAccounts(t);
    // At most two waiting calls for the account, counted in each insert's transaction.
    const guard: CallLimitGuard = {
      accountId: 'acc-a',
      to: '+12025550123',
      reads: { createdSince: 0, createdMax: 0, countPending: true, dueFrom: 0, dueUntil: 0, numberMax: 0, ownNumberMax: 0 },
      decide: (tally) => {
        if (tally.pending.count >= 2) throw new LimitError('two are waiting', 1000);
      },
    };
    const outcomes = await Promise.allSettled([
      store.insertCall(call('g1', 'acc-a'), guard),
      store.insertCall(call('k1', 'acc-b', T0, { key: 'same', requestHash: 'h' })),
      store.insertCall(call('g2', 'acc-a'), guard),
      store.insertCall(call('k2', 'acc-b', T0, { key: 'same', requestHash: 'h' })),
      store.insertCall(call('g3', 'acc-a'), guard),
      store.insertCall(call('g4', 'acc-a'), guard),
      store.insertCall(call('free', 'acc-b')),
    ]);
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    t.is(refused.filter((e) => e instanceof LimitError).length, 2, 'the guard refused exactly the calls past its limit');
    t.is(refused.filter((e) => e instanceof DuplicateIdempotencyKey).length, 1, 'one of the two keys lost');
    t.is(refused.length, 3);
    const stored = (await Promise.all(['g1', 'g2', 'g3', 'g4', 'k1', 'k2', 'free'].map((id) => store.getCall(id)))).filter((c) => c !== undefined);
    t.is(stored.filter((c) => c.id.startsWith('g')).length, 2);
    t.is(stored.filter((c) => c.id === 'k1' || c.id === 'k2').length, 1);
    t.truthy(stored.find((c) => c.id === 'free'));
    for (const c of stored) t.deepEqual((await store.listEvents(c.id)).map((e) => e.name), ['scheduled'], `${c.id} has its timeline`);
    for (const id of ['g1', 'g2', 'g3', 'g4', 'k1', 'k2'].filter((id) => !stored.some((c) => c.id === id))) t.deepEqual(await store.listEvents(id), [], `${id} left nothing`);
  });

  test(`${name}: when keys expire, then they are forgotten (the calls stay) and may be used again`, async (t) => {
    const store = await withAccounts(t);
    await store.insertCall(call('old', 'acc-a', T0, { key: 'k', requestHash: 'h' }));
    await store.insertCall(call('new', 'acc-a', T0 + 100, { key: 'k2', requestHash: 'h' }));
    t.is(await store.expireIdempotencyKeys(T0 + 50), 1);
    t.truthy(await store.getCall('old'));
    t.is(await store.findByIdempotencyKey('acc-a', 'k', 0), undefined);
    t.truthy(await store.findByIdempotencyKey('acc-a', 'k2', 0));
    await store.insertCall(call('again', 'acc-a', T0 + 200, { key: 'k', requestHash: 'h' }));
    t.is((await store.findByIdempotencyKey('acc-a', 'k', 0))?.call.id, 'again');
  });

  /** An activated account, with a call scheduled unless `scheduled` is false. */
  const streamer = async (store: Store, id: string, options: { activated?: boolean; scheduled?: boolean } = {}) => {
    await store.insertAccount({ id, email: `${id}@example.test`, passwordHash: 'x', createdAt: T0 });
    if (options.activated !== false) {
      await store.insertMailToken({ tokenHash: `t-${id}`, accountId: id, purpose: 'activate', passwordHash: 'x', createdAt: T0, expiresAt: T0 + 60_000 });
      await store.activateWithToken(`t-${id}`, T0);
    }
    if (options.scheduled !== false) await store.insertCall(call(`call-${id}`, id));
  };
  const lease = (accountId: string, instanceId: string, streamId: string, openedAt = T0, expiresAt = T0 + 60_000) => ({ accountId, instanceId, streamId, openedAt, expiresAt });
  const fresh = async (t: ExecutionContext) => {
    const made = await make();
    t.teardown(made.cleanup);
    return made;
  };

  test(`${name}: when an account that may not stream asks for a stream lease, then it is refused with the reason, and nothing is written`, async (t) => {
    const { store } = await fresh(t);
    await streamer(store, 'inactive', { activated: false });
    await streamer(store, 'idle', { scheduled: false });
    t.deepEqual(await store.openStreamLease(lease('inactive', 'i1', 's1'), 8), { reason: 'not_activated' });
    t.deepEqual(await store.openStreamLease(lease('idle', 'i1', 's2'), 8), { reason: 'nothing_scheduled' });
    t.deepEqual(await store.openStreamLease(lease('nobody', 'i1', 's3'), 8), { reason: 'no_account' });
    t.is(await store.countStreamLeases('idle', T0), 0);
    // Once it has scheduled a call, it may.
    await store.insertCall(call('first', 'idle'));
    t.is(await store.openStreamLease(lease('idle', 'i1', 's4'), 8), undefined);
    t.is(await store.countStreamLeases('idle', T0), 1);
  });

  test(`${name}: when one account opens streams on three instances, then the limit counts them together and another account is not counted`, async (t) => {
    const { store } = await fresh(t);
    await streamer(store, 'many');
    await streamer(store, 'other');
    for (let i = 0; i < 8; i++) t.is(await store.openStreamLease(lease('many', `i${i % 3}`, `s${i}`), 8), undefined);
    t.deepEqual(await store.openStreamLease(lease('many', 'i2', 's8'), 8), { reason: 'limit', open: 8 });
    t.is(await store.countStreamLeases('many', T0), 8);
    t.is(await store.openStreamLease(lease('other', 'i0', 'o1'), 8), undefined);
    // A closed stream frees its place at once.
    await store.closeStreamLease({ accountId: 'many', instanceId: 'i1', streamId: 's1' });
    t.is(await store.openStreamLease(lease('many', 'i2', 's8'), 8), undefined);
  });

  test(`${name}: when many opens of one account race on two connections, then exactly the limit is written`, async (t) => {
    const { store, reopen } = await fresh(t);
    const other = await reopen();
    t.teardown(() => other.close());
    await streamer(store, 'racer');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).openStreamLease(lease('racer', `i${i % 2}`, `s${i}`), 8)));
    t.is(results.filter((r) => r === undefined).length, 8);
    t.is(results.filter((r) => r?.reason === 'limit').length, 12);
    t.is(await store.countStreamLeases('racer', T0), 8);
  });

  test(`${name}: when an instance stops renewing (it died), then its leases stop counting at expiry and are swept; a live instance's renewals keep its own`, async (t) => {
    const { store } = await fresh(t);
    await streamer(store, 'acc');
    for (let i = 0; i < 4; i++) await store.openStreamLease(lease('acc', 'dead', `d${i}`, T0, T0 + 60_000), 8);
    for (let i = 0; i < 4; i++) await store.openStreamLease(lease('acc', 'alive', `a${i}`, T0, T0 + 60_000), 8);
    t.deepEqual(await store.openStreamLease(lease('acc', 'alive', 'a4', T0 + 59_999), 8), { reason: 'limit', open: 8 });
    // Only the streams the instance names are renewed: a row it failed to delete is left to expire.
    t.deepEqual((await store.renewStreamLeases('alive', ['a0', 'a1', 'a2', 'gone'], T0 + 120_000)).sort(), ['a0', 'a1', 'a2']);
    t.deepEqual(await store.renewStreamLeases('alive', ['a3'], T0 + 120_000), ['a3']);
    t.deepEqual(await store.renewStreamLeases('dead', [], T0 + 120_000), []);
    t.is(await store.countStreamLeases('acc', T0 + 60_000), 4, 'at its expiry a lease no longer counts');
    // An open after the expiry finds room: the dead instance's four are gone.
    t.is(await store.openStreamLease(lease('acc', 'alive', 'a4', T0 + 60_000, T0 + 120_000), 8), undefined);
    t.is(await store.countStreamLeases('acc', T0 + 60_000), 5);
    // The sweep deletes what expired, at most `max` a round.
    await streamer(store, 'b');
    for (let i = 0; i < 3; i++) await store.openStreamLease(lease('b', 'dead', `b${i}`, T0, T0 + 1000), 8);
    t.is(await store.sweepStreamLeases(T0 + 2000, 2), 2);
    t.is(await store.sweepStreamLeases(T0 + 2000, 2), 1);
    t.is(await store.sweepStreamLeases(T0 + 2000, 2), 0);
    t.is(await store.countStreamLeases('acc', T0 + 60_000), 5, 'unexpired leases are not swept');
  });

  test(`${name}: when an instance stops, then its leases go and no other's; on a store of one process the earlier runs' go`, async (t) => {
    const { store } = await fresh(t);
    await streamer(store, 'acc');
    for (const [instance, id] of [['i1', 's1'], ['i1', 's2'], ['i2', 's3'], ['i3', 's4']] as const) await store.openStreamLease(lease('acc', instance, id), 8);
    t.is(await store.closeInstanceStreamLeases({ instanceId: 'i1' }), 2);
    t.deepEqual(await store.renewStreamLeases('i1', ['s1', 's2'], T0 + 1), []);
    t.is(await store.closeInstanceStreamLeases({ except: 'i2' }), 1);
    t.deepEqual(await store.renewStreamLeases('i2', ['s3'], T0 + 1), ['s3']);
    t.deepEqual(await store.renewStreamLeases('i2', ['s4'], T0 + 1), [], "another instance's stream is not renewed");
    t.is(await store.countStreamLeases('acc', T0), 1);
  });
}
