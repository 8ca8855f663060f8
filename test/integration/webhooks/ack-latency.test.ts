import test from 'ava';
import { TelephonyError, type Telephony } from '../../../src/calls/carrier.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { CarrierSimulator } from 'telnyx-simulator';
import { SIGNING_SEED } from '../../helpers/call-flow-harness.ts';
import { postSigned, telnyxEvent } from '../../helpers/telnyx-webhooks.ts';
import { MENU } from '../../../src/calls/call-flow.ts';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';

test('when the carrier is stuck on a command, then webhooks are still answered 200 and applied afterwards', async (t) => {
  // A carrier whose speak hangs until the test lets it go: the ack must not wait for it.
  let release!: () => void;
  const stuck = new Promise<void>((resolve) => (release = resolve));
  const speaks: string[] = [];
  let speaking!: () => void;
  const started = new Promise<void>((resolve) => (speaking = resolve));
  const telephony: Telephony = {
    dial: () => Promise.reject(new Error('not used')),
    speak: async () => {},
    hangup: async () => {},
    gather: async (_id, menu) => {
      speaks.push(menu.text);
      speaking();
      await stuck;
    },
    callStatus: () => Promise.reject(new Error('not used')),
    activeCalls: () => Promise.reject(new Error('not used')),
  };
  // Without detection the answer itself is what speaks.
  const { config, dir } = testConfig({ telnyx: { answeringMachineDetection: 'disabled' } });
  const svc = await startTestService({ config, dir, deps: { telephony, simulator: new CarrierSimulator({ signingSeedBase64: SIGNING_SEED }) } });
  t.teardown(async () => {
    release();
    await svc.stop();
  });
  const { store, clock, inboxWorker: events } = svc.deps;
  await store.insertCall({ id: 'slow-1', to: '+12025550123', dueAt: clock.now() + 3_600_000, timeZone: 'UTC', message: 'hello', createdAt: clock.now() });
  await claimedOutOfTurn(svc.deps.config.databaseUrl, 'slow-1', clock.now(), 10);
  await store.update('slow-1', { callControlId: 'v3:test-slow-1' }, clock.now());

  const answered = await postSigned(svc.url, telnyxEvent('call.answered', 'slow-1'), SIGNING_SEED);
  t.is(answered.status, 200);
  await started;
  // The speak is under way and stuck; a second webhook for the same call is still acknowledged at once.
  const hangup = await postSigned(svc.url, telnyxEvent('call.hangup', 'slow-1', { hangup_cause: 'normal_clearing' }), SIGNING_SEED);
  t.is(hangup.status, 200);
  t.deepEqual(speaks, [`hello ${MENU}`]);
  t.is((await store.getCall('slow-1'))?.status, 'in_progress');
  release();
  await events.whenIdle();
  t.is((await store.getCall('slow-1'))?.status, 'completed');
});

test('when the callee hung up before the first words reached the carrier, then they are skipped with Telnyx’s reason in the timeline', async (t) => {
  const hangups: string[] = [];
  const telephony: Telephony = {
    dial: () => Promise.reject(new Error('not used')),
    speak: async () => {},
    hangup: async (_id, commandId) => {
      hangups.push(commandId);
      await Promise.resolve();
    },
    gather: () => Promise.reject(new TelephonyError('Call has already ended: This call is no longer active', 'permanent', { status: 422, code: '90018' })),
    callStatus: () => Promise.reject(new Error('not used')),
    activeCalls: () => Promise.reject(new Error('not used')),
  };
  // Without detection the answer itself is what speaks.
  const { config, dir } = testConfig({ telnyx: { answeringMachineDetection: 'disabled' } });
  const svc = await startTestService({ config, dir, deps: { telephony, simulator: new CarrierSimulator({ signingSeedBase64: SIGNING_SEED }) } });
  t.teardown(() => svc.stop());
  const { store, clock, inboxWorker: events } = svc.deps;
  await store.insertCall({ id: 'gone-1', to: '+12025550123', dueAt: clock.now() + 3_600_000, timeZone: 'UTC', message: null, createdAt: clock.now() });
  await claimedOutOfTurn(svc.deps.config.databaseUrl, 'gone-1', clock.now(), 10);
  await store.update('gone-1', { callControlId: 'v3:test-gone-1' }, clock.now());
  t.is((await postSigned(svc.url, telnyxEvent('call.answered', 'gone-1'), SIGNING_SEED)).status, 200);
  await events.whenIdle();
  const timeline = await store.listEvents('gone-1');
  const failed = timeline.find((e) => e.kind === 'error' && e.name === 'gather.failed');
  t.like(failed?.detail, { reason: 'Call has already ended: This call is no longer active', status: 422 });
  t.is(hangups.length, 1);
  t.is((await store.getCall('gone-1'))?.status, 'in_progress'); // the carrier's call.hangup will end it
});
