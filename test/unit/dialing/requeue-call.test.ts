import test, { type ExecutionContext } from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HungUp } from '../../../src/calls/carrier-event.ts';
import { createChannelRefusalHandler } from '../../../src/dialing/requeue-call.ts';
import type { DueEntry } from '../../../src/calls/call-store.ts';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';
import { testConfig } from '../../helpers/test-service.ts';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';

const T0 = Date.UTC(2026, 10, 22, 6);
const sip403: HungUp = { kind: 'hungUp', cause: 'unspecified', ending: 'other', sipCause: '403', source: 'unknown' };

async function setup(t: ExecutionContext, maxRequeues = 2, alone = false) {
  const { dir } = testConfig();
  const store = createSqliteStore({ path: join(dir, 'q.db') });
  await store.migrate();
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = createManualClock(T0);
  const requeued: DueEntry[] = [];
  let refusals = 0;
  let freed = 0;
  const onHungUp = createChannelRefusalHandler({
    store,
    clock,
    logger: createMemoryLogger().logger,
    queue: { scheduled: (entry) => requeued.push(entry), channelRefused: () => (refusals += 1) },
    channelFreed: () => (freed += 1),
    options: { backoffMs: 5000, maxRequeues },
  });
  await store.insertCall({ id: 'c', to: '+12025550123', dueAt: T0, timeZone: 'UTC', message: null, createdAt: T0 });
  // Another of our calls holding a channel: what a channel-limit refusal needs (unless `alone`).
  if (!alone) {
    await store.insertCall({ id: 'talking', to: '+12025550124', dueAt: T0, timeZone: 'UTC', message: null, createdAt: T0 });
    await claimedOutOfTurn(join(dir, 'q.db'), 'talking', T0, 10);
    await store.transition('talking', ['dialing'], 'in_progress', T0);
  }
  const claim = async () => {
    const { claimed } = await claimedOutOfTurn(join(dir, 'q.db'), 'c', clock.now(), 10);
    await store.update('c', { callControlId: `v3:attempt-${claimed?.attempt}` }, clock.now());
    return (await store.getCall('c'))!;
  };
  return { store, clock, onHungUp, claim, requeued, refusals: () => refusals, freed: () => freed };
}

test('when a dial is refused with SIP 403 before any answer, then the call is scheduled again after a doubling back-off', async (t) => {
  const { store, clock, onHungUp, claim, requeued, refusals, freed } = await setup(t);
  t.true(await onHungUp(await claim(), sip403));
  t.like(await store.getCall('c'), { status: 'scheduled', callControlId: null, attempt: 1, dueAt: T0 + 5000 });
  await clock.advance(5000);
  t.true(await onHungUp(await claim(), sip403));
  t.like(await store.getCall('c'), { status: 'scheduled', attempt: 2, dueAt: clock.now() + 10_000 });
  t.deepEqual(requeued.map((e) => e.dueAt - T0), [5000, 15_000]);
  t.is(refusals(), 2);
  t.is(freed(), 2);
  const timeline = await store.listEvents('c');
  t.true(timeline.some((e) => e.name === 'scheduled' && e.detail?.requeued === true && /SIP 403/.test(String(e.detail.reason))));
});

test('when the refusals outnumber the allowed requeues, then the call ends failed with the carrier’s reason', async (t) => {
  const { store, onHungUp, claim } = await setup(t, 1);
  t.true(await onHungUp(await claim(), sip403));
  t.true(await onHungUp(await claim(), sip403));
  t.like(await store.getCall('c'), { status: 'failed' });
  t.regex((await store.getCall('c'))?.reason ?? '', /refused 2 dials for want of a channel/);
});

test('when a pre-answer hangup is not a channel-limit refusal, then it is left to the normal ending', async (t) => {
  const { store, onHungUp, claim, requeued } = await setup(t);
  const call = await claim();
  t.false(await onHungUp(call, { ...sip403, cause: 'call_rejected', sipCause: '603' }));
  t.false(await onHungUp(call, { ...sip403, sipCause: '486' }));
  t.is((await store.getCall('c'))?.status, 'dialing');
  t.deepEqual(requeued, []);
});

test('when a SIP 403 refuses a dial while no other call of ours holds a channel, then it is not the channel limit: the call is left to end failed with the SIP cause', async (t) => {
  // Telnyx also answers 403 for a caller id it does not accept or a destination the account may not call: requeueing
  // those would dial every call again and again and shrink the queue's concurrency for nothing.
  const { store, onHungUp, claim, requeued, refusals, freed } = await setup(t, 2, true);
  const call = await claim();
  t.false(await onHungUp(call, sip403));
  t.like(await store.getCall('c'), { status: 'dialing', attempt: 1 });
  t.deepEqual(requeued, []);
  t.is(refusals(), 0);
  t.is(freed(), 0);
  const { endingFor } = await import('../../../src/calls/handle-event.ts');
  t.deepEqual(endingFor(sip403, false), { status: 'failed', reason: 'the call ended: unspecified (SIP 403)' });
});

test('when the SIP 403 comes with hangup_cause call_rejected (FreeSWITCH’s name for it), then it is the channel limit all the same', async (t) => {
  const { store, onHungUp, claim, requeued } = await setup(t);
  t.true(await onHungUp(await claim(), { ...sip403, cause: 'call_rejected', ending: 'rejected' }));
  t.like(await store.getCall('c'), { status: 'scheduled' });
  t.is(requeued.length, 1);
});

test('when the dial itself is refused for the channel limit, then the call goes back to the queue whatever else is live', async (t) => {
  const { store, onHungUp, claim, requeued, refusals } = await setup(t);
  const call = await claim();
  t.true(await onHungUp.onDialRefused(call, 'User channel limit exceeded'));
  const requeuedCall = await store.getCall('c');
  t.like(requeuedCall, { status: 'scheduled' });
  t.is(requeued.length, 1);
  t.is(refusals(), 1);
  t.regex(String((await store.listEvents('c')).find((e) => e.name === 'scheduled' && e.detail?.requeued === true)?.detail?.reason), /dial refused: User channel limit exceeded/);
  // Only a call still dialing goes back: one that moved on is not touched.
  t.false(await onHungUp.onDialRefused({ ...call, status: 'ringing' }, 'User channel limit exceeded'));
});
