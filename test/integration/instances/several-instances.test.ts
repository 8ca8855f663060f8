import test from 'ava';
import { randomBytes } from 'node:crypto';
import type { CarrierNotice } from '../../../src/calls/carrier-event.ts';
import { InboxWorker } from '../../../src/inbox/inbox-worker.ts';
import { LIVE_STATUSES } from '../../../src/calls/call.ts';
import { buildDeps, type Deps } from '../../../src/compose/index.ts';
import { createInProcessBus, type ClusterBus, type BusSignal } from '../../../src/kernel/cluster-bus.ts';
import { createPgBus } from '../../../src/store/postgres/pg-notify.ts';
import { createPool } from '../../../src/store/postgres/pg-pool.ts';
import { createPostgresStore } from '../../../src/store/postgres/pg-store.ts';
import type { InboxEvent } from '../../../src/inbox/inbox-store.ts';
import type { Store } from '../../../src/store/store.ts';
import type { Telephony } from '../../../src/calls/carrier.ts';
import { createManualClock, type ManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';
import { withPostgres, type TestDatabase } from '../../helpers/postgres.ts';
import { testConfig } from '../../helpers/test-service.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
type Dial = { instance: string; callId: string; commandId: string; at: number };

/** A carrier double shared by the instances: records every dial; `hang` leaves an instance's dials unanswered for ever (it died mid-dial). */
function carrier(clock: { now(): number }, options: { callMs?: number; onDial?: (dial: Dial) => void } = {}) {
  const dials: Dial[] = [];
  const forInstance = (instance: string, hang = false): Telephony => ({
    async dial(request) {
      const dial = { instance, callId: request.callId, commandId: request.commandId, at: clock.now() };
      dials.push(dial);
      options.onDial?.(dial);
      if (hang) return new Promise(() => undefined);
      await Promise.resolve();
      return { callControlId: `cc-${request.callId}-${dials.length}` };
    },
    async speak() {},
    async gather() {},
    async hangup() {},
    callStatus: () => Promise.resolve(undefined),
    activeCalls: () => Promise.resolve([]),
  });
  return { dials, forInstance };
}

/** Instances over one fresh schema of the test database: each its own pool, queue, workers and (unless given) clock. */
async function cluster(db: TestDatabase, t: { teardown(fn: () => Promise<void> | void): void }, queue: Record<string, number>) {
  const { schema, drop } = await db.freshSchema();
  const stores: Store[] = [];
  t.teardown(async () => {
    for (const store of stores) await store.close();
    await drop();
  });
  const boot = async (options: { clock: ManualClock; telephony: Telephony; bus: ClusterBus; start?: boolean }): Promise<Deps> => {
    const store = createPostgresStore({ connectionString: db.url, searchPath: schema, max: 4 });
    stores.push(store);
    await store.migrate();
    const { config } = testConfig({ databaseUrl: db.url, queue: { windowSize: 1000, ...queue } });
    const deps = buildDeps(config, { clock: options.clock, store, telephony: options.telephony, bus: options.bus, logger: createMemoryLogger().logger });
    if (options.start !== false) {
      await deps.bus.start();
      await deps.dialer.start();
    }
    return deps;
  };
  return { boot, schema };
}

/** Advances the shared clock in steps, letting every instance's claims and dials (and `also`) settle between them. */
async function run(clock: ManualClock, instances: Deps[], ms: number, step = 50, also: Set<Promise<unknown>> = new Set()) {
  for (let spent = 0; spent < ms; spent += step) {
    await clock.advance(step);
    await Promise.all(also);
    await Promise.all(instances.map((d) => d.dialer.whenIdle()));
  }
}

await withPostgres(test, (db) => {
  test('instances: when two instances share the due calls, then each call is dialed once and the rate and live limits hold for both together', async (t) => {
    const clock = createManualClock(T0);
    const live = new Set<string>();
    const endings = new Set<Promise<unknown>>();
    let mostLive = 0;
    const late: Deps[] = [];
    const sim = carrier(clock, {
      onDial: (dial) => {
        live.add(dial.callId);
        mostLive = Math.max(mostLive, live.size);
        // The callee talks for 1.5 s; the call then ends on whichever instance applies its hangup.
        clock.setTimeout(() => {
          const deps = late[dial.callId.charCodeAt(dial.callId.length - 1) % 2] as Deps;
          const ending = deps.store.transition(dial.callId, LIVE_STATUSES, 'completed', clock.now()).then(() => {
            live.delete(dial.callId);
            deps.bus.publish({ kind: 'freed' });
          });
          endings.add(ending);
          void ending.finally(() => endings.delete(ending));
        }, 1500);
      },
    });
    // The dial slots are stamped when a claim holds the gate, on the database's own clock added to the caller's time;
    // this test's dials are timed on a manual clock, so up to a loaded server's few hundred ms of real time separate
    // a slot from its dial. The margin that covers jitter between our count and the carrier's covers that here.
    const { boot } = await cluster(db, t, { dialsPerSecond: 4, dialRateMarginMs: 250, maxConcurrentCalls: 5 });
    const hub = createInProcessBus();
    const a = await boot({ clock, telephony: sim.forInstance('a'), bus: hub });
    const b = await boot({ clock, telephony: sim.forInstance('b'), bus: hub });
    late.push(a, b);
    t.teardown(async () => {
      await a.dialer.stop();
      await b.dialer.stop();
    });
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) ids.push((await (i % 2 ? a : b).calls.schedule({ to: `+1202555${1000 + i}`, dueAt: T0 + 1000, timeZone: 'UTC', message: null })).id);
    await run(clock, [a, b], 12_000, 50, endings);

    const perCall = new Map<string, number>();
    for (const dial of sim.dials) perCall.set(dial.callId, (perCall.get(dial.callId) ?? 0) + 1);
    t.deepEqual([...perCall.keys()].sort(), [...ids].sort(), 'every call dialed');
    t.true([...perCall.values()].every((n) => n === 1), 'none dialed twice');
    t.true(new Set(sim.dials.map((d) => d.instance)).size === 2, 'both instances dialed');
    const times = sim.dials.map((d) => d.at).sort((x, y) => x - y);
    const busiest = Math.max(...times.map((start) => times.filter((at) => at >= start && at < start + 1000).length));
    t.true(busiest <= 4, `at most 4 dials in any second, saw ${busiest}`);
    t.true(mostLive <= 5, `at most 5 live at once, saw ${mostLive}`);
  });

  test('instances: when an instance dies mid-dial, then another takes the dial over after its lease expires, with the same command id', async (t) => {
    const deadClock = createManualClock(T0);
    const clock = createManualClock(T0);
    let firstDial!: () => void;
    const dialed = new Promise<void>((resolve) => (firstDial = resolve));
    const sim = carrier(clock, { onDial: () => firstDial() });
    const { boot } = await cluster(db, t, { dialsPerSecond: 30, maxConcurrentCalls: 5 });
    const dead = await boot({ clock: deadClock, telephony: sim.forInstance('dead', true), bus: createInProcessBus() });
    const call = await dead.calls.schedule({ to: '+12025551000', dueAt: T0 + 1000, timeZone: 'UTC', message: null });
    await deadClock.advance(1000);
    await dialed;
    t.is(sim.dials.length, 1, 'the dying instance sent its dial');
    // The dying instance's clock stops here: no more lease renewals. A new instance starts a second later.
    await clock.advanceTo(T0 + 2000);
    const heir = await boot({ clock, telephony: sim.forInstance('heir'), bus: createInProcessBus() });
    t.teardown(() => heir.dialer.stop());
    await run(clock, [heir], 5000, 500);
    t.is(sim.dials.length, 1, 'a live lease is left alone');
    await run(clock, [heir], 8000, 500);
    t.is(sim.dials.length, 2);
    t.like(sim.dials[1], { instance: 'heir', callId: call.id, commandId: sim.dials[0]?.commandId });
    t.like(await heir.store.getCall(call.id), { status: 'dialing', attempt: 1 });
  });

  test('instances: when a call is scheduled through one instance, then another instance hears of it (NOTIFY) and dials it on time', async (t) => {
    const clock = createManualClock(T0);
    const sim = carrier(clock);
    const { boot } = await cluster(db, t, { dialsPerSecond: 30, maxConcurrentCalls: 5 });
    const channel = `daj_test_${randomBytes(4).toString('hex')}`;
    const logger = createMemoryLogger().logger;
    const busFor = (instanceId: string) => createPgBus({ connectionString: db.url, instanceId, clock, logger, channel });
    // The front instance only takes requests (its queue is not started); the worker holds the timed queue.
    const front = await boot({ clock, telephony: sim.forInstance('front'), bus: busFor('front'), start: false });
    await front.bus.start();
    const worker = await boot({ clock, telephony: sim.forInstance('worker'), bus: busFor('worker') });
    t.teardown(async () => {
      await worker.dialer.stop();
      await worker.bus.stop();
      await front.bus.stop();
    });
    const heard = new Promise<BusSignal>((resolve) => worker.bus.subscribe((signal) => signal.kind === 'scheduled' && resolve(signal)));
    const call = await front.calls.schedule({ to: '+12025551000', dueAt: T0 + 5000, timeZone: 'UTC', message: null });
    t.like(await heard, { kind: 'scheduled', id: call.id, dueAt: T0 + 5000 });
    await run(clock, [worker], 5000, 1000);
    t.deepEqual(sim.dials.map((d) => [d.instance, d.callId, d.at]), [['worker', call.id, T0 + 5000]]);
    // The claim's time is its dial slot's: the test clock's now plus the real milliseconds the statement took to hold the gate.
    const lateness = (await worker.store.getCall(call.id))?.latenessMs ?? NaN;
    t.true(lateness >= 0 && lateness < 50, `lateness ${lateness} ms`);
  });

  test('instances: when a call is stored or changes status on any instance, then every instance hears "changed" with its account', async (t) => {
    const { schema, drop } = await db.freshSchema();
    const store = createPostgresStore({ connectionString: db.url, searchPath: schema, max: 2 });
    t.teardown(async () => {
      await store.close();
      await drop();
    });
    await store.migrate();
    const listener = createPgBus({ connectionString: db.url, instanceId: 'page', clock: createManualClock(T0), logger: createMemoryLogger().logger });
    await listener.start();
    t.teardown(() => listener.stop());
    const id = `changed-${randomBytes(4).toString('hex')}`;
    const heard: BusSignal[] = [];
    const twice = new Promise<void>((resolve) =>
      listener.subscribe((signal) => {
        if (signal.kind === 'changed' && signal.accountId === id) heard.push(signal);
        if (heard.length === 2) resolve();
      }),
    );
    // The account names the signals: the channel is the database's, shared with this file's other tests.
    await store.insertAccount({ id, email: `${id}@example.test`, passwordHash: 'x', createdAt: T0 });
    await store.insertCall({ id, to: '+12025551000', dueAt: T0, timeZone: 'UTC', message: null, createdAt: T0, accountId: id });
    await store.update(id, { reason: 'not a status change' }, T0);
    await store.transition(id, ['scheduled'], 'canceled', T0);
    await twice;
    t.deepEqual(heard, [
      { kind: 'changed', accountId: id, callId: id },
      { kind: 'changed', accountId: id },
    ]);
  });

  test('instances: when many calls are stored and many signals sent in one turn, then every instance hears each of them', async (t) => {
    const { schema, drop } = await db.freshSchema();
    const store = createPostgresStore({ connectionString: db.url, searchPath: schema, max: 4 });
    t.teardown(async () => {
      await store.close();
      await drop();
    });
    await store.migrate();
    const clock = createManualClock(T0);
    const [sender, listener] = ['sender', 'listener'].map((instanceId) => createPgBus({ connectionString: db.url, instanceId, clock, logger: createMemoryLogger().logger }));
    for (const bus of [sender, listener]) {
      await bus?.start();
      t.teardown(() => bus?.stop());
    }
    const id = `batch-${randomBytes(4).toString('hex')}`;
    const ids = Array.from({ length: 30 }, (_, i) => `${id}-${i}`);
    const stored = new Set<string>();
    const scheduled = new Set<string>();
    const all = new Promise<void>((resolve) =>
      listener?.subscribe((signal) => {
        if (signal.kind === 'changed' && signal.accountId === id && signal.callId) stored.add(signal.callId);
        if (signal.kind === 'scheduled' && signal.id.startsWith(id)) scheduled.add(signal.id);
        if (stored.size === ids.length && scheduled.size === ids.length) resolve();
      }),
    );
    await store.insertAccount({ id, email: `${id}@example.test`, passwordHash: 'x', createdAt: T0 });
    // All in one turn: the inserts' notices and the bus's signals each go out in batches.
    await Promise.all(ids.map((callId) => store.insertCall({ id: callId, to: '+12025551000', dueAt: T0 + 60_000, timeZone: 'UTC', message: null, createdAt: T0, accountId: id })));
    for (const callId of ids) sender?.publish({ kind: 'scheduled', id: callId, dueAt: T0 + 60_000 });
    await all;
    t.deepEqual([...stored].sort(), [...ids].sort());
    t.deepEqual([...scheduled].sort(), [...ids].sort());
  });

  test('instances: when webhooks of one call reach two instances, then each is applied once, in order, whichever received it', async (t) => {
    const { schema, drop } = await db.freshSchema();
    const stores = [0, 1].map(() => createPostgresStore({ connectionString: db.url, searchPath: schema, max: 4 }));
    t.teardown(async () => {
      for (const store of stores) await store.close();
      await drop();
    });
    await stores[0]?.migrate();
    const applied: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const clock = createManualClock(T0);
    const workers = stores.map(
      (store, i) =>
        new InboxWorker({
          store: store,
          clock,
          logger: createMemoryLogger().logger,
          owner: `instance-${i}`,
          read: (event: InboxEvent): CarrierNotice => ({ ...event, name: event.eventType, event: { kind: 'greetingEnded' }, detail: {} }),
          handle: async (notice) => {
            applied.push(`${notice.eventId}@${i}`);
            if (notice.eventId === 'e1') {
              firstStarted();
              await gate;
            }
            return 'applied';
          },
        }),
    );
    for (const worker of workers) worker.start();
    t.teardown(() => Promise.all(workers.map((w) => w.stop())).then(() => undefined));
    const event = (eventId: string, occurredAt: number): InboxEvent => ({
      eventId,
      callId: 'call-1',
      callControlId: 'leg-1',
      eventType: 'call.answered',
      occurredAt,
      payload: {},
      receivedAt: occurredAt,
    });
    const [a, b] = workers as [InboxWorker, InboxWorker];
    const [storeA, storeB] = stores as [Store, Store];
    await storeA.insertInbox(event('e1', T0));
    a.accept(event('e1', T0));
    await started;
    // While A applies e1, B receives the next two (and one of them twice, as Telnyx may redeliver).
    for (const e of [event('e3', T0 + 2), event('e2', T0 + 1), event('e2', T0 + 1)]) {
      if (await storeB.insertInbox(e)) b.accept(e);
    }
    await b.whenIdle();
    t.deepEqual(applied, ['e1@0'], 'B applies nothing of the call while A holds it');
    release();
    await a.whenIdle();
    await b.whenIdle();
    t.deepEqual(
      applied.map((x) => x.split('@')[0]),
      ['e1', 'e2', 'e3'],
    );
    t.deepEqual(await storeA.pendingInboxFor('call-1', 10), []);
  });
  test('instances: when the instance holding a call lock ends, then another takes the call at once (no expiry to wait for), and applying events writes no lease row', async (t) => {
    const { schema, drop } = await db.freshSchema();
    const stores = [0, 1].map(() => createPostgresStore({ connectionString: db.url, searchPath: schema, max: 4 }));
    const probe = createPool({ connectionString: db.url, searchPath: schema, max: 1 });
    let aClosed = false;
    t.teardown(async () => {
      if (!aClosed) await stores[0]?.close();
      await stores[1]?.close();
      await probe.end();
      await drop();
    });
    const [storeA, storeB] = stores as [Store, Store];
    await storeA.migrate();
    t.deepEqual(await storeA.tryLockInbox(['call-1']), new Set(['call-1']));
    t.deepEqual(await storeB.tryLockInbox(['call-1', 'call-2']), new Set(['call-2']), 'call-1 is held by A, call-2 is free');
    await storeB.unlockInbox(['call-2']);

    // A dies: its lock session ends, and the server drops its locks (once its backend is gone: waited for in pg_locks).
    await storeA.close();
    aClosed = true;
    const advisoryLocks = async () =>
      Number((await probe.query<{ n: number }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 3")).rows[0]?.n);
    while ((await advisoryLocks()) > 0) await new Promise((resolve) => setImmediate(resolve));
    t.deepEqual(await storeB.tryLockInbox(['call-1']), new Set(['call-1']), 'taken at once after A ended');
    await storeB.unlockInbox(['call-1']);

    // B applies a call's events under its lock: no lease row is written for it (the lock is taken and given back).
    const applied: string[] = [];
    const worker = new InboxWorker({
      store: storeB,
      clock: createManualClock(T0),
      logger: createMemoryLogger().logger,
      read: (event: InboxEvent): CarrierNotice => ({ ...event, name: event.eventType, event: { kind: 'greetingEnded' }, detail: {} }),
      handle: (notice) => {
        applied.push(notice.eventId);
        return Promise.resolve('applied');
      },
    });
    worker.start();
    t.teardown(() => worker.stop());
    const events = ['e1', 'e2', 'e3'].map((eventId, i): InboxEvent => ({ eventId, callId: 'call-1', callControlId: 'leg-1', eventType: 'call.answered', occurredAt: T0 + i, payload: {}, receivedAt: T0 + i }));
    await storeB.insertInboxBatch(events);
    for (const event of events) worker.accept(event);
    await worker.whenIdle();
    t.deepEqual(applied, ['e1', 'e2', 'e3']);
    t.deepEqual(await storeB.pendingInboxFor('call-1', 10), []);
    t.is(Number((await probe.query<{ n: number }>('SELECT count(*) AS n FROM leases')).rows[0]?.n), 0);
    t.is(await advisoryLocks(), 0, 'the lock was given back');
  });
});
