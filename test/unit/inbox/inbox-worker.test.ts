import test, { type ExecutionContext } from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CarrierNotice } from '../../../src/calls/carrier-event.ts';
import { InboxWorker } from '../../../src/inbox/inbox-worker.ts';
import type { InboxEvent } from '../../../src/inbox/inbox-store.ts';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';
import { testConfig } from '../../helpers/test-service.ts';

const T0 = Date.UTC(2026, 10, 22, 7);
const inboxEvent = (eventId: string, callId: string, occurredAt: number): InboxEvent => ({
  eventId,
  callId,
  callControlId: `v3:${callId}`,
  eventType: 'call.machine.greeting.ended',
  occurredAt,
  payload: {},
  receivedAt: occurredAt,
});

test("when the reconciler's nudge is serialised while an event of the same call is applied, then it runs after that event and before one that arrives later", async (t) => {
  const { dir } = testConfig();
  const store = createSqliteStore({ path: join(dir, 'w.db') });
  await store.migrate();
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const firstStarted = new Promise<void>((resolve) => (started = resolve));
  const read = (event: InboxEvent): CarrierNotice => ({ ...event, name: 'greeting ended', event: { kind: 'greetingEnded' }, detail: {} });
  const worker = new InboxWorker({
    store,
    clock: createManualClock(T0),
    logger: createMemoryLogger().logger,
    read,
    handle: async (notice) => {
      order.push(`${notice.eventId} begins`);
      if (notice.eventId === 'e1') {
        started();
        await gate;
      }
      order.push(`${notice.eventId} ends`);
      return 'applied';
    },
  });
  worker.start();
  t.teardown(() => worker.stop());
  await store.insertInbox(inboxEvent('e1', 'c', T0));

  worker.accept(inboxEvent('e1', 'c', T0));
  await firstStarted;
  const nudged = worker.serialise('c', () => {
    order.push('nudge');
    return Promise.resolve(true);
  });
  // Stored (by whichever instance received it) after the nudge was asked for.
  await store.insertInbox(inboxEvent('e2', 'c', T0 + 1));
  worker.accept(inboxEvent('e2', 'c', T0 + 1));
  release();
  t.true(await nudged);
  await worker.whenIdle();
  t.deepEqual(order, ['e1 begins', 'e1 ends', 'nudge', 'e2 begins', 'e2 ends']);
});

async function sqliteStore(t: ExecutionContext) {
  const { dir } = testConfig();
  const store = createSqliteStore({ path: join(dir, 'w.db') });
  await store.migrate();
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}
const readNotice = (event: InboxEvent): CarrierNotice => ({ ...event, name: 'greeting ended', event: { kind: 'greetingEnded' }, detail: {} });

test('when the events of many calls are applied in one turn, then their marks are written in one update, after their effects, and each is applied once', async (t) => {
  const store = await sqliteStore(t);
  const marks: string[][] = [];
  const handled: string[] = [];
  const watched = Object.assign(Object.create(store) as typeof store, {
    markAppliedMany: (entries: readonly { eventId: string; outcome: string }[], at: number) => {
      marks.push(entries.map((e) => e.eventId));
      t.true(entries.every((e) => handled.includes(e.eventId)), 'marked before its effects');
      return store.markAppliedMany(entries, at);
    },
  });
  const worker = new InboxWorker({
    store: watched,
    clock: createManualClock(T0),
    logger: createMemoryLogger().logger,
    read: readNotice,
    handle: (notice) => {
      handled.push(notice.eventId);
      return Promise.resolve('applied');
    },
  });
  const applied: string[] = [];
  worker.on('applied', (event: InboxEvent) => applied.push(event.eventId));
  worker.start();
  t.teardown(() => worker.stop());
  const events = Array.from({ length: 8 }, (_, i) => inboxEvent(`e${i}`, `call-${i}`, T0 + i));
  await store.insertInboxBatch(events);
  for (const event of events) worker.accept(event);
  await worker.whenIdle();
  t.deepEqual([...handled].sort(), events.map((e) => e.eventId));
  t.is(marks.length, 1, `marks written in ${marks.length} updates`);
  t.deepEqual([...applied].sort(), events.map((e) => e.eventId));
  t.deepEqual(await store.pendingInbox(10), []);
});

test('when instances share the store, then a pass writes its marks before it gives the call lock back', async (t) => {
  const store = await sqliteStore(t);
  const steps: string[] = [];
  const watched = Object.assign(Object.create(store) as typeof store, {
    sharedByInstances: true,
    markAppliedMany: async (entries: readonly { eventId: string; outcome: string }[], at: number) => {
      await store.markAppliedMany(entries, at);
      steps.push(`marked ${entries.map((e) => e.eventId).join(',')}`);
    },
    unlockInbox: async (keys: readonly string[]) => {
      await store.unlockInbox(keys);
      steps.push(`unlocked ${keys.join(',')}`);
    },
  });
  const worker = new InboxWorker({
    store: watched,
    clock: createManualClock(T0),
    logger: createMemoryLogger().logger,
    read: readNotice,
    handle: () => Promise.resolve('applied'),
    owner: 'i1',
  });
  worker.start();
  t.teardown(() => worker.stop());
  await store.insertInboxBatch([inboxEvent('e1', 'c', T0), inboxEvent('e2', 'c', T0 + 1)]);
  worker.accept(inboxEvent('e1', 'c', T0));
  await worker.whenIdle();
  t.deepEqual(steps.slice(0, 2), ['marked e1,e2', 'unlocked c']);
  t.deepEqual(await store.pendingInbox(10), []);
});

test('when instances share the store and events of many calls arrive together, then their locks and reads are each one round trip, their give-backs coalesced, and each call is applied in order', async (t) => {
  const store = await sqliteStore(t);
  const lockCalls: string[][] = [];
  const readCalls: string[][] = [];
  const unlockCalls: string[][] = [];
  const watched = Object.assign(Object.create(store) as typeof store, {
    sharedByInstances: true,
    tryLockInbox: (keys: readonly string[]) => {
      lockCalls.push([...keys]);
      return store.tryLockInbox(keys);
    },
    pendingInboxForKeys: (keys: readonly string[], limit: number) => {
      readCalls.push([...keys]);
      return store.pendingInboxForKeys(keys, limit);
    },
    unlockInbox: (keys: readonly string[]) => {
      unlockCalls.push([...keys]);
      return store.unlockInbox(keys);
    },
  });
  const handled: string[] = [];
  const worker = new InboxWorker({
    store: watched,
    clock: createManualClock(T0),
    logger: createMemoryLogger().logger,
    read: readNotice,
    handle: (notice) => {
      handled.push(notice.eventId);
      return Promise.resolve('applied');
    },
  });
  worker.start();
  t.teardown(() => worker.stop());
  const calls = Array.from({ length: 8 }, (_, i) => `call-${i}`);
  const events = calls.flatMap((c, i) => [inboxEvent(`${c}-b`, c, T0 + 10 + i), inboxEvent(`${c}-a`, c, T0 + i)]);
  await store.insertInboxBatch(events);
  for (const event of events) worker.accept(event);
  await worker.whenIdle();
  t.deepEqual([...(lockCalls[0] ?? [])].sort(), calls, 'the eight calls locked in one round trip');
  t.deepEqual([...(readCalls[0] ?? [])].sort(), calls, 'their pending events read in one');
  // Given back as each pass's marks are written: coalesced too, though a pass that finishes a turn later goes alone.
  t.true(unlockCalls.length <= 2, `given back in ${unlockCalls.length} round trips`);
  t.deepEqual(unlockCalls.flat().sort(), calls);
  for (const c of calls) t.deepEqual(handled.filter((id) => id.startsWith(`${c}-`)), [`${c}-a`, `${c}-b`]);
  t.is(handled.length, events.length);
  t.deepEqual(await store.pendingInbox(100), []);
  t.deepEqual(await store.tryLockInbox(calls), new Set(calls), 'every lock given back');
});
