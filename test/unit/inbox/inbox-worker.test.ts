import test from 'ava';
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
