import test from 'ava';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { postSigned, telnyxEvent } from '../../helpers/telnyx-webhooks.ts';
import { bootWithSimulator, SIGNING_SEED } from '../../helpers/call-flow-harness.ts';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';

test('when the leg is refused for the channel limit before the slow dial answers, then the requeued call keeps no carrier id from that dial', async (t) => {
  // The simulator's clock holds the dial's answer (apiLatencyMs) until the test lets it go.
  const carrierClock = createManualClock(Date.now());
  const h = await bootWithSimulator(t, {
    simulator: { clock: carrierClock, apiLatencyMs: 1000 },
    config: { queue: { channelLimitBackoffSeconds: 3600 } },
  });
  // Should an assertion fail while the dial is held, let it go, or the service's stop would wait on it for ever.
  t.teardown(() => carrierClock.advance(1000));
  const dialHeld = new Promise<void>((resolve) => {
    const onRequest = (request: { method: string; path: string }) => {
      if (request.method !== 'POST' || !request.path.startsWith('/v2/calls')) return;
      h.simulator.off('request', onRequest);
      resolve();
    };
    h.simulator.on('request', onRequest);
  });
  // Another call of ours holds a channel (claimed an hour early, never dialed): only then is a SIP 403 the limit.
  const { store, clock } = h.svc.deps;
  await store.insertCall({ id: 'holder', to: '+12025550124', dueAt: clock.now() + 3_600_000, timeZone: 'UTC', message: null, createdAt: clock.now() });
  await claimedOutOfTurn(h.svc.deps.config.databaseUrl, 'holder', clock.now(), 100);
  const id = await h.placeNow('+12025550123');
  await dialHeld;

  // Telnyx reports the channel limit on the leg; here its webhooks overtake the dial's own answer.
  for (const [type, extra] of [
    ['call.initiated', {}],
    ['call.hangup', { hangup_cause: 'unspecified', sip_hangup_cause: '403', hangup_source: 'callee' }],
  ] as const) {
    const res = await postSigned(h.svc.url, telnyxEvent(type, id, { call_control_id: 'v3:refused-leg', ...extra }), SIGNING_SEED);
    t.is(res.status, 200);
  }
  await h.svc.deps.inboxWorker.whenIdle();
  t.is((await h.svc.deps.store.getCall(id))?.status, 'scheduled', 'requeued by the refusal');

  // Now the dial's answer arrives, naming a leg of an attempt that is over.
  await carrierClock.advance(1000);
  await h.svc.deps.dialer.whenIdle();
  const call = await h.svc.deps.store.getCall(id);
  t.is(call?.status, 'scheduled');
  t.is(call?.callControlId, null);
  const accepted = (await h.timeline(id)).find((e) => e.kind === 'command' && e.name === 'dial.accepted');
  t.is(accepted?.detail?.kept, false);
});
