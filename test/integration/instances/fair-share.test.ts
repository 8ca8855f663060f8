import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { LIVE_STATUSES } from '../../../src/calls/call.ts';
import type { Dialer } from '../../../src/dialing/dialer.ts';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { createStore } from '../../../src/store/create-store.ts';
import { createPostgresStore } from '../../../src/store/postgres/pg-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { createFakeTelephony, type DialRecord } from '../../helpers/fake-telephony.ts';
import { createManualClock, type ManualClock } from '../../helpers/manual-clock.ts';
import { withPostgres, type TestDatabase } from '../../helpers/postgres.ts';
import { testConfig } from '../../helpers/test-service.ts';
import { composeDialingAlone } from '../../helpers/dialing-alone.ts';

// The fair share of the carrier's channels: due calls are claimed round-robin across accounts, and while other
// accounts' calls wait one account holds at most half the channels. Each call here rings unanswered for RING_MS, as a
// callee who never picks up: the worst case for a bystander, since every channel is held for the whole ring.

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const RING_MS = 30_000;

type World = { store: Store; dialer: Dialer; clock: ManualClock; dials: DialRecord[]; owner: Map<string, string>; endings: Set<Promise<unknown>> };

async function world(t: ExecutionContext, db: TestDatabase | undefined, maxConcurrentCalls: number): Promise<World> {
  const clock = createManualClock(T0);
  const { config, dir } = testConfig({ queue: { windowSize: 1000, maxConcurrentCalls, dialsPerSecond: 30 } });
  const schema = db ? await db.freshSchema() : undefined;
  const store = db && schema ? createPostgresStore({ connectionString: db.url, searchPath: schema.schema, max: 4 }) : createStore(`sqlite:${join(dir, 'test.db')}`, ROOT_DIR);
  await store.migrate();
  const late: { dialer?: Dialer } = {};
  const endings = new Set<Promise<unknown>>();
  const { telephony, dials } = createFakeTelephony(clock, {
    // Nobody answers: the carrier gives up after the ring time and the call ends, freeing its channel (the test
    // waits for each ending before it moves the clock on, as it waits for the dialer).
    onDial: (dial) =>
      void clock.setTimeout(() => {
        const ending = store.transition(dial.callId, LIVE_STATUSES, 'no_answer', clock.now()).then(() => late.dialer?.channelFreed());
        endings.add(ending);
        void ending.finally(() => endings.delete(ending));
      }, RING_MS),
  });
  const { dialer } = composeDialingAlone(config, store, clock, telephony);
  late.dialer = dialer;
  t.teardown(async () => {
    await dialer.stop();
    await store.close();
    await schema?.drop();
  });
  return { store, dialer, clock, dials, owner: new Map(), endings };
}

/** `count` calls of a new account, due at `dueAt`, each to its own number; returns the account's id. */
async function account(w: World, name: string, count: number, dueAt: number): Promise<string> {
  const id = `${name}-${randomUUID()}`;
  await w.store.insertAccount({ id, email: `${id}@example.test`, passwordHash: 'x', createdAt: T0 });
  for (let i = 0; i < count; i++) {
    const call = await w.store.insertCall({ id: randomUUID(), to: `+1202555${String(w.owner.size).padStart(4, '0')}`, dueAt, timeZone: 'UTC', message: null, createdAt: T0, accountId: id });
    w.owner.set(call.id, name);
    w.dialer.scheduled({ id: call.id, dueAt });
  }
  return id;
}

/** Moves the clock in steps of `step`, letting every claim, dial and ending settle between them, until `done`. */
async function runUntil(w: World, done: () => boolean, limitMs: number, step = 1000): Promise<void> {
  for (let spent = 0; spent < limitMs && !done(); spent += step) {
    await w.clock.advance(step);
    await Promise.all(w.endings);
    await w.dialer.whenIdle();
    await w.dialer.whenIdle();
  }
}

function suite(name: string, db?: TestDatabase) {
  test(`${name}: when 4 accounts each have 10 unanswered calls due and a bystander's call falls due 5 s later, then on 2 channels the bystander waits for at most one call of each`, async (t) => {
    const w = await world(t, db, 2);
    await w.dialer.start();
    for (const heavy of ['a', 'b', 'c', 'd']) await account(w, heavy, 10, T0 + 10_000);
    await account(w, 'bystander', 1, T0 + 15_000);
    const dialedBystander = () => w.dials.some((d) => w.owner.get(d.callId) === 'bystander');
    await runUntil(w, dialedBystander, 30 * RING_MS);
    t.true(dialedBystander(), 'the bystander was dialed');
    const index = w.dials.findIndex((d) => w.owner.get(d.callId) === 'bystander');
    const before = w.dials.slice(0, index).map((d) => w.owner.get(d.callId));
    t.true(before.length <= 4, `dialed before the bystander: ${before.join(', ')}`);
    for (const heavy of ['a', 'b', 'c', 'd']) t.true(before.filter((o) => o === heavy).length <= 1, `${heavy} twice before the bystander: ${before.join(', ')}`);
    const waited = (w.dials[index]?.at ?? Infinity) - (T0 + 15_000);
    t.true(waited <= 2 * RING_MS, `the bystander waited ${waited} ms: within two ring times`);
    // The first two channels went to two accounts, not both to the first one's queue: one account holds at most
    // half the channels (⌈2/2⌉ = 1) while others wait.
    t.not(w.owner.get(w.dials[0]?.callId ?? ''), w.owner.get(w.dials[1]?.callId ?? ''));
  });

  test(`${name}: when one account alone has calls due, then it may use every channel (the share applies only while others wait)`, async (t) => {
    const w = await world(t, db, 2);
    await w.dialer.start();
    await account(w, 'alone', 4, T0 + 10_000);
    await runUntil(w, () => w.dials.length >= 2, 20_000);
    t.is(w.dials.length, 2);
    t.is(w.dials[0]?.at, w.dials[1]?.at, 'both channels taken at once');
    t.is(await w.store.countLive(), 2);
    t.is(await w.store.recountLive(), 0, "the gate's counts match the calls");
  });
}

// Declared first: the PostgreSQL tests are registered once the server answered (see withPostgres).
await withPostgres(test, (db) => suite('postgres', db));
suite('sqlite');
