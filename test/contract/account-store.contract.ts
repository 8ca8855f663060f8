import type { ExecutionContext, TestFn } from 'ava';
import type { Store } from '../../src/store/store.ts';
import { recordingGuard } from '../helpers/no-limits.ts';
import { ValidationError } from '../../src/kernel/errors.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const HOUR = 3_600_000;

/** The accounts half of the store port's contract (see store.contract.ts); every implementation runs it. */
export function accountStoreContract(test: TestFn, name: string, make: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
  const withStore = async (t: ExecutionContext) => {
    const made = await make();
    t.teardown(made.cleanup);
    return made.store;
  };
  const account = async (store: Store, id: string) => {
    await store.insertAccount({ id, email: `${id}@example.test`, passwordHash: `hash-${id}`, createdAt: T0 });
    return id;
  };
  let n = 0;
  const call = (accountId: string | null, dueAt: number, extra: { to?: string; createdAt?: number; id?: string } = {}) => ({
    id: extra.id ?? `c-${String(++n).padStart(4, '0')}`,
    to: extra.to ?? '+12025550123',
    dueAt,
    timeZone: 'UTC',
    message: null,
    createdAt: extra.createdAt ?? T0,
    accountId,
  });

  test(`${name}: when an address registers twice, then the second insert is refused and the first account stays`, async (t) => {
    const store = await withStore(t);
    t.true(await store.insertAccount({ id: 'a1', email: 'x@example.test', passwordHash: 'h1', createdAt: T0 }));
    t.false(await store.insertAccount({ id: 'a2', email: 'x@example.test', passwordHash: 'h2', createdAt: T0 }));
    t.like(await store.findAccountByEmail('x@example.test'), { id: 'a1', passwordHash: 'h1', activatedAt: null });
    t.is(await store.getAccount('a2'), undefined);
  });

  test(`${name}: when an activation link is used, then it sets its password once, and spends the account's other links`, async (t) => {
    const store = await withStore(t);
    await account(store, 'a');
    for (const [hash, pw] of [['t1', 'first'], ['t2', 'second']]) {
      await store.insertMailToken({ tokenHash: hash as string, accountId: 'a', purpose: 'activate', passwordHash: pw as string, createdAt: T0, expiresAt: T0 + HOUR });
    }
    t.is(await store.activateWithToken('t1', T0 + HOUR), undefined, 'expired at its expiry');
    t.like(await store.activateWithToken('t2', T0 + 1), { id: 'a', passwordHash: 'second', activatedAt: T0 + 1 });
    t.is(await store.activateWithToken('t2', T0 + 2), undefined, 'single use');
    t.is(await store.activateWithToken('t1', T0 + 2), undefined, 'the other link is spent too');
    t.is(await store.mailTokenAccount('t2', 'activate', T0 + 2), undefined);
  });

  test(`${name}: when a reset link is used, then the password changes, the account is active and its sessions end`, async (t) => {
    const store = await withStore(t);
    await account(store, 'a');
    await store.insertSession({ idHash: 's1', accountId: 'a', csrfSecret: 'c', createdAt: T0, expiresAt: T0 + HOUR });
    t.like(await store.getSession('s1', T0), { accountId: 'a', email: 'a@example.test', csrfSecret: 'c' });
    await store.insertMailToken({ tokenHash: 'r1', accountId: 'a', purpose: 'reset', passwordHash: null, createdAt: T0, expiresAt: T0 + HOUR });
    t.is(await store.activateWithToken('r1', T0), undefined, 'a reset link does not activate');
    t.like(await store.mailTokenAccount('r1', 'reset', T0), { id: 'a' });
    t.like(await store.resetWithToken('r1', 'new-hash', T0 + 5), { passwordHash: 'new-hash', activatedAt: T0 + 5 });
    t.is(await store.getSession('s1', T0 + 6), undefined);
    t.is(await store.resetWithToken('r1', 'again', T0 + 7), undefined);
  });

  test(`${name}: when a session is revoked or expires, then it is no longer found`, async (t) => {
    const store = await withStore(t);
    await account(store, 'a');
    await store.insertSession({ idHash: 's1', accountId: 'a', csrfSecret: 'c', createdAt: T0, expiresAt: T0 + HOUR });
    await store.insertSession({ idHash: 's2', accountId: 'a', csrfSecret: 'c', createdAt: T0, expiresAt: T0 + HOUR });
    await store.revokeSession('s1', T0 + 1);
    t.is(await store.getSession('s1', T0 + 2), undefined);
    t.truthy(await store.getSession('s2', T0 + 2));
    t.is(await store.getSession('s2', T0 + HOUR), undefined);
  });

  test(`${name}: when limiter points are added, then they add up inside a window, restart after it, and expired rows are purged`, async (t) => {
    const store = await withStore(t);
    t.deepEqual(await store.upsertLimit('k', 1, 1000, false, T0), { points: 1, expire: T0 + 1000 });
    t.deepEqual(await store.upsertLimit('k', 2, 1000, false, T0 + 500), { points: 3, expire: T0 + 1000 });
    t.deepEqual(await store.getLimit('k', T0 + 999), { points: 3, expire: T0 + 1000 });
    t.is(await store.getLimit('k', T0 + 1000), undefined);
    t.deepEqual(await store.upsertLimit('k', 1, 1000, false, T0 + 1000), { points: 1, expire: T0 + 2000 });
    t.deepEqual(await store.upsertLimit('k', 9, 5000, true, T0 + 1000), { points: 9, expire: T0 + 6000 });
    await store.upsertLimit('old', 1, 10, false, T0);
    t.true((await store.purgeExpiredAuth(T0 + 100)) >= 1);
    t.truthy(await store.getLimit('k', T0 + 100));
    t.true(await store.deleteLimit('k'));
    t.false(await store.deleteLimit('k'));
  });

  test(`${name}: when a registration was never confirmed and its links are dead, then housekeeping deletes it; active accounts stay`, async (t) => {
    const store = await withStore(t);
    await account(store, 'pending');
    await account(store, 'waiting');
    await account(store, 'active');
    await store.insertMailToken({ tokenHash: 'p', accountId: 'pending', purpose: 'activate', passwordHash: 'h', createdAt: T0, expiresAt: T0 + HOUR });
    await store.insertMailToken({ tokenHash: 'w', accountId: 'waiting', purpose: 'activate', passwordHash: 'h', createdAt: T0, expiresAt: T0 + 3 * HOUR });
    await store.insertMailToken({ tokenHash: 'a', accountId: 'active', purpose: 'activate', passwordHash: 'h', createdAt: T0, expiresAt: T0 + HOUR });
    await store.activateWithToken('a', T0);
    await store.purgeExpiredAuth(T0 + 2 * HOUR);
    t.is(await store.getAccount('pending'), undefined);
    t.truthy(await store.getAccount('waiting'), 'its link still works');
    t.truthy(await store.getAccount('active'));
  });

  test(`${name}: when calls belong to accounts, then each reads, lists and counts only its own`, async (t) => {
    const store = await withStore(t);
    await account(store, 'a');
    await account(store, 'b');
    const mine = await store.insertCall(call('a', T0 + 10, { createdAt: T0 - 2 * HOUR }));
    await store.insertCall(call('a', T0 + 20, { createdAt: T0 - HOUR, to: '+12025550999' }));
    const theirs = await store.insertCall(call('b', T0 + 30, { createdAt: T0 - HOUR }));
    await store.insertCall(call(null, T0 + 40));
    t.truthy(await store.getCall(mine.id, 'a'));
    t.is(await store.getCall(theirs.id, 'a'), undefined);
    t.truthy(await store.getCall(theirs.id), 'unscoped reads see every call (the queue, the worker)');
    t.is((await store.listCalls({ accountId: 'a', limit: 10 })).length, 2);
    t.is((await store.listCalls({ limit: 10 })).length, 4);
    // What a guarded insert shows its limits, counted in the insert's transaction (the tally is of the rows before it).
    const tallyOf = async (reads: Parameters<typeof recordingGuard>[2], id: string) => {
      const guard = recordingGuard('a', '+12025550123', reads);
      await store.insertCall({ ...call('a', T0 + 1000), id }, guard);
      return guard.seen[0];
    };
    t.like(await tallyOf({ createdSince: T0 - 90 * 60_000, createdMax: 10 }, 'g1'), { createdByAccount: [T0 - HOUR], pending: { count: 2, soonestDueAt: T0 + 10 } });
    t.like(await tallyOf({ createdSince: 0, createdMax: 1 }, 'g2'), { createdByAccount: [T0 - 2 * HOUR] }, 'oldest first, at most the limit');
    await store.transition(theirs.id, ['scheduled'], 'canceled', T0);
    await store.transition('g1', ['scheduled'], 'canceled', T0);
    await store.transition('g2', ['scheduled'], 'canceled', T0);
    t.like(await tallyOf({ dueFrom: T0, dueUntil: T0 + 100, numberMax: 10 }, 'g3'), { dueToNumber: [T0 + 40, T0 + 10] }, 'latest due first; canceled calls are not counted');
    t.like(await tallyOf({ dueFrom: T0, dueUntil: T0 + 100, numberMax: 1 }, 'g4'), { dueToNumber: [T0 + 40] }, 'at most the limit');
    t.like(await tallyOf({ dueFrom: T0 + 10, dueUntil: T0 + 40, numberMax: 10 }, 'g5'), { dueToNumber: [T0 + 40, T0 + 10] }, 'both ends included: a call exactly a day away counts');
    t.like(await tallyOf({ dueFrom: T0 + 11, dueUntil: T0 + 39, numberMax: 10 }, 'g5b'), { dueToNumber: [] });
    t.like(await tallyOf({ createdMax: 0, countPending: false, numberMax: 0 }, 'g6'), { createdByAccount: [], pending: { count: 0, soonestDueAt: null }, dueToNumber: [] }, 'a limit turned off reads nothing');
    t.like(await tallyOf({ dueFrom: T0, dueUntil: T0 + 100, ownNumberMax: 10 }, 'g7'), { ownDueToNumber: [T0 + 10], answeredBefore: false }, "the account's own calls to the number");
    await store.transition(mine.id, ['scheduled'], 'completed', T0);
    t.like(await tallyOf({ ownNumberMax: 10 }, 'g8'), { answeredBefore: true }, 'a completed call of the account to the number');
    t.like(await tallyOf({ ownNumberMax: 0 }, 'g9'), { ownDueToNumber: [], answeredBefore: false }, 'not read when that limit is off');
    const refusing = { ...recordingGuard('a', '+12025550123'), decide: () => { throw new Error('over the limit'); } };
    await t.throwsAsync(store.insertCall({ ...call('a', T0 + 2000), id: 'refused' }, refusing), { message: 'over the limit' });
    t.is(await store.getCall('refused'), undefined, 'a refusal rolls the insert back');
  });

  test(`${name}: when a call's number is on the do-not-call list, then the insert refuses it as opted out, before any limit, and stores nothing`, async (t) => {
    const store = await withStore(t);
    await account(store, 'a');
    await store.addDoNotCall({ number: '+12025550909', addedAt: T0, callId: null });
    const optedOut = { instanceOf: ValidationError, message: 'This number is on the do-not-call list.' };
    await t.throwsAsync(store.insertCall(call('a', T0 + 10, { to: '+12025550909', id: 'plain' })), optedOut);
    const refusing = { ...recordingGuard('a', '+12025550909'), decide: () => { throw new Error('over the limit'); } };
    await t.throwsAsync(store.insertCall(call('a', T0 + 10, { to: '+12025550909', id: 'guarded' }), refusing), optedOut, 'waiting for a limit would not help: the refusal says why');
    t.is(await store.getCall('plain'), undefined);
    t.is(await store.getCall('guarded'), undefined);
    t.deepEqual(await store.listEvents('plain'), [], 'no timeline entry either');
    const other = await store.insertCall(call('a', T0 + 10, { to: '+12025550123', id: 'other' }), recordingGuard('a', '+12025550123'));
    t.is(other.status, 'scheduled', 'another number is inserted as before');
  });

  test(`${name}: when one account's list mixes statuses and equal times, then pages follow one order with nothing lost or repeated`, async (t) => {
    const store = await withStore(t);
    await account(store, 'a');
    const ends = ['completed', 'busy', 'failed', 'canceled', 'missed'] as const;
    const expectedHistory: string[] = [];
    for (let i = 0; i < 15; i++) {
      const c = await store.insertCall(call('a', T0 + Math.floor(i / 3) * 1000, { id: `h${String(i).padStart(2, '0')}` }));
      const end = ends[i % ends.length] as (typeof ends)[number];
      await store.transition(c.id, ['scheduled'], end === 'canceled' || end === 'missed' ? end : 'dialing', T0);
      if (end !== 'canceled' && end !== 'missed') await store.transition(c.id, ['dialing'], end, T0);
      expectedHistory.push(c.id);
    }
    for (let i = 0; i < 4; i++) await store.insertCall(call('a', T0 + 50_000 - i, { id: `u${i}` }));
    // Upcoming soonest first; history newest first, ties by id.
    const byDueDesc = expectedHistory.sort((x, y) => Math.floor(Number(y.slice(1)) / 3) - Math.floor(Number(x.slice(1)) / 3) || x.localeCompare(y));
    const expected = ['u3', 'u2', 'u1', 'u0', ...byDueDesc];
    t.deepEqual((await store.listCalls({ accountId: 'a', limit: 100 })).map((c) => c.id), expected);
    const seen: string[] = [];
    let after;
    for (;;) {
      const page = await store.listCalls({ accountId: 'a', limit: 4, after });
      seen.push(...page.map((c) => c.id));
      const last = page[page.length - 1];
      if (page.length < 4 || !last) break;
      after = last.status === 'scheduled' ? { group: 0 as const, key: last.dueAt, id: last.id } : { group: 1 as const, key: -last.dueAt, id: last.id };
    }
    t.deepEqual(seen, expected);
    const busyOrFailed = (await store.listCalls({ accountId: 'a', limit: 100, statuses: ['busy', 'failed'] })).map((c) => c.id);
    t.deepEqual(busyOrFailed, expected.filter((id) => ['busy', 'failed'].includes(ends[Number(id.slice(1)) % 5] as string) && id.startsWith('h')));
  });
}
