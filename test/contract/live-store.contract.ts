import type { ExecutionContext, TestFn } from 'ava';
import { DuplicateIdempotencyKey } from '../../src/calls/idempotency-keys.ts';
import type { Store } from '../../src/store/store.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

/** The live stream's and the idempotency keys' store methods, on every implementation. */
export function liveStoreContract(test: TestFn, name: string, make: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
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
}
