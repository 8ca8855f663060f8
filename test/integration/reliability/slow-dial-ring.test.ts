import test from 'ava';
import { isFinal } from '../../../src/calls/call.ts';
import { CarrierSimulator } from 'telnyx-simulator';
import { suiteStoreFor } from '../../helpers/suite-store.ts';
import { createTestAccount } from '../../helpers/accounts.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { watchStore } from '../../helpers/watched-store.ts';
import { SIGNING_SEED } from '../../helpers/call-flow-harness.ts';

test('when a dial takes 4 s to be accepted and the callee never answers, then the reconciler leaves the ringing leg alone and the call ends no answer', async (t) => {
  // One manual clock for the service and the carrier: the simulator holds the dial's answer 4 s, then rings 5 s.
  const clock = createManualClock(Date.now());
  const { config, dir } = testConfig({ telnyx: { ringTimeoutSecs: 5 } });
  const watched = watchStore(await suiteStoreFor(config.databaseUrl));
  const simulator = new CarrierSimulator({ clock, apiLatencyMs: 4000, answerDelayMs: 5, speakMsPerChar: 0, signingSeedBase64: SIGNING_SEED, amdDelayMs: 5 });
  const svc = await startTestService({ config, dir, deps: { store: watched.store, simulator, clock } });
  t.teardown(() => svc.stop());
  const account = await createTestAccount(svc.deps);
  const res = await fetch(`${svc.url}/api/calls`, {
    method: 'POST',
    headers: account.headers,
    body: JSON.stringify({ to: '+12025550408', at: new Date(clock.now()).toISOString() }),
  });
  t.is(res.status, 201);
  const { id } = (await res.json()) as { id: string };

  const dialHeld = new Promise<void>((resolve) => {
    const onRequest = (request: { method: string; path: string }) => {
      if (request.method !== 'POST' || !request.path.startsWith('/v2/calls')) return;
      simulator.off('request', onRequest);
      resolve();
    };
    simulator.on('request', onRequest);
  });
  await clock.advance(0); // the queue's timer: claimed now, the dial waits on the carrier's latency
  await dialHeld;
  simulator.configure({ apiLatencyMs: 0 }); // only the dial is slow: the reconciler's questions are answered at once
  await clock.advance(4000); // the dial is accepted; the leg starts ringing for 5 s
  await svc.deps.dialer.whenIdle();
  await watched.waitFor(id, (call) => call.status === 'ringing');

  // 7.5 s after the claim (past ring timeout + slack counted from it), 3.5 s into the ring: still ringing.
  await clock.advance(3500);
  await svc.deps.reconciler.runNow();
  t.is((await svc.deps.store.getCall(id))?.status, 'ringing');

  await clock.advance(2000); // the carrier's ring timeout: call.hangup `timeout`
  const ended = await watched.waitFor(id, (call) => isFinal(call.status));
  await svc.deps.inboxWorker.whenIdle();
  t.is(ended.status, 'no_answer', ended.reason ?? '');
  const timeline = await svc.deps.store.listEvents(id);
  t.false(timeline.some((e) => e.name === 'reconcile.answered'), 'never declared answered while ringing');
  t.deepEqual(
    simulator.commands.filter((c) => c.kind !== 'dial').map((c) => c.kind),
    [],
    'nothing was said to (nor hung up on) the ringing leg',
  );
});
