import test, { type ExecutionContext } from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { OUTCOME_UNKNOWN_REASON } from '../../../src/calls/reasons.ts';
import { createReconciler } from '../../../src/upkeep/reconciler.ts';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { TelephonyError, type CarrierCall, type Telephony } from '../../../src/calls/carrier.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';
import { testConfig } from '../../helpers/test-service.ts';
import { claimed } from '../../helpers/call-fixtures.ts';

const T0 = Date.UTC(2026, 10, 22, 6);
const options = { ringTimeoutMs: 30_000, timeLimitMs: 300_000, dialWindowMs: 55_000, unknownGraceMs: 15_000, silentAfterMs: 20_000, hangupGraceMs: 30_000 };

/** A real SQLite store, a manual clock and a carrier whose record the test writes. */
async function setup(t: ExecutionContext) {
  const { dir } = testConfig();
  const store = createSqliteStore({ path: join(dir, 'r.db') });
  await store.migrate();
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = createManualClock(T0);
  const carrier = { calls: new Map<string, CarrierCall>(), hangups: [] as string[], unreachable: false };
  const ask = () => {
    if (carrier.unreachable) throw new TelephonyError('Telnyx could not be reached', 'retryable');
  };
  const telephony: Telephony = {
    dial: () => Promise.reject(new Error('not used')),
    speak: async () => {},
    gather: async () => {},
    hangup: async (id, commandId) => {
      carrier.hangups.push(`${id}|${commandId}`);
      await Promise.resolve();
    },
    callStatus: async (id) => {
      await Promise.resolve();
      ask();
      return carrier.calls.get(id);
    },
    activeCalls: async () => {
      await Promise.resolve();
      ask();
      return [...carrier.calls.values()].filter((c) => c.alive);
    },
  };
  const nudged: string[] = [];
  const dialing = new Set<string>();
  let freed = 0;
  const reconciler = createReconciler({
    store,
    clock,
    logger: createMemoryLogger().logger,
    telephony,
    channelFreed: () => (freed += 1),
    isDialing: (id) => dialing.has(id),
    nudge: (id) => {
      nudged.push(id);
      return Promise.resolve(true);
    },
    options,
  });
  /** A call claimed now, with (or without) a carrier id, optionally moved on to `status`. */
  async function live(id: string, controlId: string | null, status: 'dialing' | 'ringing' | 'in_progress' = 'dialing') {
    await store.insertCall({ id, to: '+12025550123', dueAt: clock.now(), timeZone: 'UTC', message: null, createdAt: clock.now() });
    await claimed(store, id, clock.now(), 1000);
    if (controlId) await store.update(id, { callControlId: controlId }, clock.now());
    if (status !== 'dialing') await store.transition(id, ['dialing'], 'ringing', clock.now());
    if (status === 'in_progress') await store.transition(id, ['ringing'], 'in_progress', clock.now());
  }
  const alive = (id: string, callId: string) => carrier.calls.set(id, { callControlId: id, alive: true, ended: false, callId, durationSecs: 1 });
  return { store, clock, carrier, reconciler, live, alive, nudged, dialing, freed: () => freed };
}

test('when the carrier says a ringing call ended, then a later round ends our row and frees its channel', async (t) => {
  const { store, clock, carrier, reconciler, live, freed } = await setup(t);
  await live('a', 'v3:a', 'ringing');
  carrier.calls.set('v3:a', { callControlId: 'v3:a', alive: false, ended: true, callId: 'a', durationSecs: 0 });
  // Within its ring timeout its own webhooks are due: the carrier is not asked about it.
  t.like(await reconciler.reconcile(), { checked: 0 });
  await clock.advance(options.ringTimeoutMs + 2001);
  // First sighting: its own hangup webhook may be milliseconds away, so nothing changes yet.
  t.like(await reconciler.reconcile(), { checked: 1, ended: 0 });
  await clock.advance(2000);
  t.like(await reconciler.reconcile(), { ended: 1 });
  t.like(await store.getCall('a'), { status: 'failed', reason: 'the carrier ended the call before any answer reached us (its webhooks were lost)' });
  t.is(freed(), 1);
});

test('when the carrier no longer knows an answered call, then it ends completed with the reason', async (t) => {
  const { store, clock, reconciler, live } = await setup(t);
  await live('b', 'v3:b', 'in_progress');
  t.like(await reconciler.reconcile(), { checked: 0 });
  // Quiet for longer than silentAfterMs: its hangup may have been lost, so the carrier is asked.
  await clock.advance(options.silentAfterMs + 1);
  t.like(await reconciler.reconcile(), { checked: 1 });
  await clock.advance(2000);
  await reconciler.reconcile();
  t.like(await store.getCall('b'), { status: 'completed', reason: 'ended at the carrier; its hangup webhook never arrived' });
});

test('when a call is alive past its ring timeout but we think it rings, then it moves to in_progress and is spoken to', async (t) => {
  const { store, clock, reconciler, live, alive, nudged } = await setup(t);
  await live('c', 'v3:c', 'ringing');
  alive('v3:c', 'c');
  await clock.advance(10_000);
  t.like(await reconciler.reconcile(), { answered: 0 });
  await clock.advance(25_000);
  t.like(await reconciler.reconcile(), { answered: 1, nudged: 1 });
  t.is((await store.getCall('c'))?.status, 'in_progress');
  t.deepEqual(nudged, ['c']);
});

test('when an answered call stays quiet past the silence limit, then it is nudged', async (t) => {
  const { clock, reconciler, live, alive, nudged } = await setup(t);
  await live('q', 'v3:q', 'in_progress');
  alive('v3:q', 'q');
  await clock.advance(5000);
  await reconciler.reconcile();
  t.deepEqual(nudged, []);
  await clock.advance(20_000);
  t.like(await reconciler.reconcile(), { nudged: 1 });
  t.deepEqual(nudged, ['q']);
});

test('when a call is still alive past ring timeout, time limit and grace, then it is hung up at the carrier', async (t) => {
  const { clock, carrier, reconciler, live, alive } = await setup(t);
  await live('d', 'v3:d', 'in_progress');
  alive('v3:d', 'd');
  await clock.advance(options.ringTimeoutMs + options.timeLimitMs + options.hangupGraceMs + 1);
  t.like(await reconciler.reconcile(), { hungUp: 1 });
  t.is(carrier.hangups.length, 1);
  t.true(carrier.hangups[0]?.startsWith('v3:d|'));
});

test('when a dial with an unknown outcome shows in the active calls by client_state, then it gets its carrier id', async (t) => {
  const { store, reconciler, live, alive } = await setup(t);
  await live('e', null);
  await store.update('e', { reason: OUTCOME_UNKNOWN_REASON }, T0);
  alive('v3:e', 'e');
  t.like(await reconciler.reconcile(), { found: 1 });
  t.like(await store.getCall('e'), { status: 'dialing', callControlId: 'v3:e', reason: null });
});

test('when a dial with an unknown outcome is not at the carrier after the grace period, then it ends failed "outcome unknown"', async (t) => {
  const { store, clock, reconciler, live, freed } = await setup(t);
  await live('f', null);
  await store.update('f', { reason: OUTCOME_UNKNOWN_REASON }, T0);
  t.like(await reconciler.reconcile(), { unknownFailed: 0 });
  await clock.advance(options.unknownGraceMs);
  t.like(await reconciler.reconcile(), { unknownFailed: 1 });
  t.like(await store.getCall('f'), { status: 'failed', reason: 'dial outcome unknown: the carrier has no such call' });
  t.is(freed(), 1);
});

test('when a dial is still under way in this process, then the reconciler leaves it alone', async (t) => {
  const { store, clock, reconciler, live, dialing } = await setup(t);
  await live('g', null);
  dialing.add('g');
  await clock.advance(options.dialWindowMs + options.unknownGraceMs + 1);
  t.like(await reconciler.reconcile(), { checked: 0, unknownFailed: 0 });
  t.is((await store.getCall('g'))?.status, 'dialing');
});

test('when the carrier cannot be asked, then nothing changes and the round reports the errors', async (t) => {
  const { store, clock, carrier, reconciler, live } = await setup(t);
  await live('h', 'v3:h', 'ringing');
  carrier.unreachable = true;
  await clock.advance(60_000);
  t.like(await reconciler.reconcile(), { errors: 1, ended: 0 });
  t.is((await store.getCall('h'))?.status, 'ringing');
});

test('when the carrier reads a ringing call not alive but gives it no end, then it is left alone until its ring timeout has passed', async (t) => {
  const { store, clock, carrier, reconciler, live } = await setup(t);
  await live('s', 'v3:s', 'ringing');
  // Telnyx says is_alive false for a call still being set up; only end_time (ended) says it is over.
  carrier.calls.set('v3:s', { callControlId: 'v3:s', alive: false, ended: false, callId: 's', durationSecs: 0 });
  await reconciler.reconcile();
  await clock.advance(10_000);
  t.like(await reconciler.reconcile(), { ended: 0, pendingEnds: 0 });
  t.is((await store.getCall('s'))?.status, 'ringing');
  await clock.advance(options.ringTimeoutMs);
  await reconciler.reconcile();
  await clock.advance(2000);
  t.like(await reconciler.reconcile(), { ended: 1 });
});

test('when a slow dial was accepted long after its claim, then its ring timeout counts from the acceptance, not the claim', async (t) => {
  const { store, clock, reconciler, live, alive, nudged } = await setup(t);
  await live('slow', null);
  // Retries and a 429's reset wait: the carrier took the dial 20 s after the claim, and rings it from then.
  await clock.advance(20_000);
  await store.update('slow', { callControlId: 'v3:slow' }, clock.now());
  await store.appendEvent({ callId: 'slow', at: clock.now(), kind: 'command', name: 'dial.accepted', detail: { callControlId: 'v3:slow' } });
  await store.transition('slow', ['dialing'], 'ringing', clock.now());
  alive('v3:slow', 'slow');
  await clock.advance(13_000); // 33 s after the claim, 13 s into the ring
  t.like(await reconciler.reconcile(), { answered: 0 });
  t.is((await store.getCall('slow'))?.status, 'ringing');
  await clock.advance(20_000); // 33 s into the ring: past its timeout + slack, so it was answered
  t.like(await reconciler.reconcile(), { answered: 1 });
  t.deepEqual(nudged, ['slow']);
});

test('when the nudge of a call guessed answered is refused "not answered yet", then it is not hung up and goes back to ringing', async (t) => {
  const { createCallFlow } = await import('../../../src/calls/call-flow.ts');
  const { createBuiltinJokeSource } = await import('../../../src/jokes/builtin-joke-source.ts');
  const { store, clock, carrier } = await setup(t);
  const gathers: string[] = [];
  const telephony: Telephony = {
    dial: () => Promise.reject(new Error('not used')),
    speak: () => Promise.reject(new Error('not used')),
    gather: async (_id, _request, commandId) => {
      gathers.push(commandId);
      await Promise.resolve();
      throw new TelephonyError("Call not answered yet: This call can't receive this command because it has not been answered yet.", 'permanent', { status: 422, code: '90034', refusal: 'not_answered_yet' });
    },
    hangup: async (id, commandId) => {
      carrier.hangups.push(`${id}|${commandId}`);
      await Promise.resolve();
    },
    callStatus: async (id) => Promise.resolve(carrier.calls.get(id)),
    activeCalls: async () => Promise.resolve([]),
  };
  const logger = createMemoryLogger().logger;
  const flow = createCallFlow({ store, clock, logger, telephony, jokes: createBuiltinJokeSource(), menuTimeoutMs: 20 });
  const reconciler = createReconciler({ store, clock, logger, telephony, channelFreed: () => {}, isDialing: () => false, nudge: (id) => flow.nudge(id), options });
  await store.insertCall({ id: 'r', to: '+12025550123', dueAt: clock.now(), timeZone: 'UTC', message: null, createdAt: clock.now() });
  await claimed(store, 'r', clock.now(), 100);
  await store.update('r', { callControlId: 'v3:r' }, clock.now());
  await store.transition('r', ['dialing'], 'ringing', clock.now());
  carrier.calls.set('v3:r', { callControlId: 'v3:r', alive: true, ended: false, callId: 'r', durationSecs: 0 });
  // Alive past its ring timeout (the carrier rang longer than we count): the reconciler guesses it was answered.
  await clock.advance(33_000);
  t.like(await reconciler.reconcile(), { answered: 1, nudged: 0 });
  t.deepEqual(carrier.hangups, [], 'the ringing phone is not cut off');
  t.is((await store.getCall('r'))?.status, 'ringing');
  const timeline = await store.listEvents('r');
  t.true(timeline.some((e) => e.kind === 'error' && e.name === 'gather.failed'));
  t.false(timeline.some((e) => e.kind === 'command' && e.name === 'hangup'));
  // Guessed again later: the refused command id may be spent at the carrier, so the menu goes under a new one.
  await store.transition('r', ['ringing'], 'in_progress', clock.now());
  await flow.nudge('r');
  t.is(gathers.length, 2);
  t.not(gathers[1], gathers[0]);
});

test('when many calls are live and only a few need the carrier’s word, then only those are asked about', async (t) => {
  const { store, clock, carrier, reconciler, live, alive } = await setup(t);
  const asked: string[] = [];
  const id = (i: number) => `f${String(i).padStart(3, '0')}`;
  // More than one slice of the round (200), so the slicing is crossed.
  for (let i = 0; i < 250; i++) {
    await live(id(i), `v3:${id(i)}`, 'in_progress');
    alive(`v3:${id(i)}`, id(i));
  }
  await clock.advance(options.silentAfterMs + 1);
  // Answered a while ago and quiet: these three need the carrier's word; the others, active just now, do not.
  for (let i = 3; i < 250; i++) await store.update(id(i), { reason: null }, clock.now());
  const callStatus = carrier.calls.get.bind(carrier.calls);
  carrier.calls.get = (id: string) => {
    asked.push(id);
    return callStatus(id);
  };
  const report = await reconciler.reconcile();
  t.is(report.checked, 3);
  t.deepEqual(asked.sort(), ['v3:f000', 'v3:f001', 'v3:f002']);
});
