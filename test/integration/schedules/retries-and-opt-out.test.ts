import test, { type ExecutionContext } from 'ava';
import { isFinal, type Call } from '../../../src/calls/call.ts';
import { CarrierSimulator } from 'telnyx-simulator';
import { suiteStoreFor } from '../../helpers/suite-store.ts';
import { createTestAccount } from '../../helpers/accounts.ts';
import { createManualClock, type ManualClock } from '../../helpers/manual-clock.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { watchStore } from '../../helpers/watched-store.ts';
import { SIGNING_SEED } from '../../helpers/call-flow-harness.ts';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 22, 11, 52);

/**
 * The real service on a manual clock (when calls fall due, when they end, when retries are due), and the carrier
 * simulator on its own short real delays: its webhooks are signed with the real time, which the verifier checks.
 */
async function boot(t: ExecutionContext, clock: ManualClock) {
  const { config, dir } = testConfig({ limits: { callsPerNumberPerDay: 10 } });
  const watched = watchStore(await suiteStoreFor(config.databaseUrl));
  const simulator = new CarrierSimulator({ answerDelayMs: 5, speakMsPerChar: 0, signingSeedBase64: SIGNING_SEED, amdDelayMs: 5, digitDelayMs: 5, ringTimeoutCapMs: 50, webhookRetryDelayMs: 5 });
  const svc = await startTestService({ config, dir, deps: { store: watched.store, simulator, clock } });
  t.teardown(() => svc.stop());
  const account = await createTestAccount(svc.deps);
  /** The call, once it has ended and everything its ending set off (a retry, the next occurrence) is done. */
  const ended = async (id: string): Promise<Call> => {
    const call = await watched.waitFor(id, (c) => isFinal(c.status));
    await svc.deps.inboxWorker.whenIdle();
    await svc.deps.scheduleKeeper.whenIdle();
    return (await svc.deps.store.getCall(id)) ?? call;
  };
  /** Moves the service's clock to `at` and lets the queue claim and dial what fell due. */
  const reach = async (at: number) => {
    await clock.advanceTo(at);
    await svc.deps.dialer.whenIdle();
    await svc.deps.scheduleKeeper.whenIdle();
  };
  return { svc, simulator, account, reach, ended };
}

test('when a busy number is called with 2 retries 5 minutes apart, then it rings three times, spaced as asked, and then stops', async (t) => {
  const clock = createManualClock(T0);
  const { svc, simulator, account, reach, ended } = await boot(t, clock);
  const res = await fetch(`${svc.url}/api/calls`, {
    method: 'POST',
    headers: account.headers,
    body: JSON.stringify({ to: '+12025550486', at: new Date(T0 + MIN).toISOString(), retry: { attempts: 2, afterMinutes: 5 } }),
  });
  t.is(res.status, 201);
  const firstJson = (await res.json()) as { id: string; try: unknown; retryOf: unknown };
  t.deepEqual(firstJson.try, { number: 1, of: 3 });
  t.is(firstJson.retryOf, null);

  await reach(T0 + MIN);
  const first = await ended(firstJson.id);
  t.is(first.status, 'busy');
  const chain = async () => (await svc.deps.store.listCalls({ accountId: account.id, limit: 10 })).sort((a, b) => a.tryNumber - b.tryNumber);
  const [, second] = await chain();
  t.like(second, { retryOf: first.id, tryNumber: 2, triesTotal: 3, status: 'scheduled', dueAt: (first.endedAt as number) + 5 * MIN });

  await reach(second?.dueAt as number);
  const secondEnded = await ended(second?.id as string);
  t.is(secondEnded.status, 'busy');
  const third = (await chain())[2];
  t.like(third, { retryOf: first.id, tryNumber: 3, triesTotal: 3, dueAt: (secondEnded.endedAt as number) + 5 * MIN });
  const api = (await (await fetch(`${svc.url}/api/calls/${third?.id as string}`, { headers: account.headers })).json()) as { try: unknown; retryOf: string };
  t.deepEqual(api.try, { number: 3, of: 3 });
  t.is(api.retryOf, first.id);

  await reach(third?.dueAt as number);
  t.is((await ended(third?.id as string)).status, 'busy');
  // An hour later, and after the periodic sweep for retries a crash might have lost: still three.
  await reach(clock.now() + 60 * MIN);
  const all = await chain();
  t.deepEqual(all.map((c) => [c.tryNumber, c.status, c.attempt]), [[1, 'busy', 1], [2, 'busy', 1], [3, 'busy', 1]]);
  t.is(simulator.commands.filter((c) => c.kind === 'dial').length, 3, 'three rings at the carrier');
  // A claim's time is its dial slot's: on PostgreSQL the test clock's now plus the real milliseconds the claim took to hold the gate.
  const spacing = [(all[1]?.claimedAt as number) - (all[0]?.endedAt as number), (all[2]?.claimedAt as number) - (all[1]?.endedAt as number)];
  t.true(
    spacing.every((ms) => ms >= 5 * MIN && ms < 5 * MIN + 50),
    `each retry was dialed 5 minutes after the try before it ended: ${spacing.join(', ')} ms`,
  );
});

test('when a retry is owed but was not created (a crash after the ending), then the sweep creates it once', async (t) => {
  const clock = createManualClock(T0);
  const { svc, account } = await boot(t, clock);
  const store = svc.deps.store;
  await store.insertCall({ id: 'lost', to: '+12025550408', dueAt: T0, timeZone: 'UTC', message: null, createdAt: T0, accountId: account.id, triesTotal: 2, retryAfterMinutes: 3 });
  await claimedOutOfTurn(svc.deps.config.databaseUrl, 'lost', T0, 10);
  await store.transition('lost', ['dialing'], 'no_answer', T0 + 1000);
  t.is(await svc.deps.retries.sweep(), 1);
  t.is(await svc.deps.retries.sweep(), 0);
  const calls = await store.listCalls({ accountId: account.id, limit: 10 });
  t.is(calls.length, 2);
  t.like(calls.find((c) => c.id !== 'lost'), { retryOf: 'lost', tryNumber: 2, dueAt: T0 + 1000 + 3 * MIN });
});

test('when the callee presses 9 during an occurrence, then the schedule ends and no further occurrence or retry is made', async (t) => {
  const clock = createManualClock(T0);
  const { svc, account, reach, ended } = await boot(t, clock);
  const res = await fetch(`${svc.url}/api/schedules`, {
    method: 'POST',
    headers: account.headers,
    body: JSON.stringify({ to: '+12025550909', repeat: { every: 'day', at: '12:00' }, timezone: 'UTC', retry: { attempts: 1, afterMinutes: 1 } }),
  });
  t.is(res.status, 201);
  const { id } = (await res.json()) as { id: string };
  const [occurrence] = await svc.deps.store.scheduleCalls(id, 10);
  t.is(occurrence?.dueAt, Date.UTC(2026, 10, 22, 12, 0));
  await reach(occurrence?.dueAt as number);
  t.is((await ended(occurrence?.id as string)).status, 'completed');
  const schedule = await svc.deps.store.getSchedule(id);
  t.like(schedule, { status: 'ended', endReason: 'the number asked not to be called again' });
  await reach(clock.now() + 30 * 60 * MIN);
  // The next occurrence, made when this one was claimed, was canceled with the opt-out; nothing came after.
  const calls = await svc.deps.store.scheduleCalls(id, 10);
  t.deepEqual(
    calls.map((c) => [c.status, c.reason, new Date(c.occurrenceAt as number).toISOString()]),
    [
      ['canceled', 'the number asked not to be called again', '2026-11-23T12:00:00.000Z'],
      ['completed', null, '2026-11-22T12:00:00.000Z'],
    ],
  );
  // A day later the first token has expired: a fresh one for the same account.
  const headers = { ...account.headers, authorization: `Bearer ${await svc.deps.tokens.accessToken(account.id, 600)}` };
  const detail = (await (await fetch(`${svc.url}/api/schedules/${id}`, { headers })).json()) as { status: string; nextOccurrences: unknown[] };
  t.is(detail.status, 'ended');
  t.deepEqual(detail.nextOccurrences, []);
  const again = await fetch(`${svc.url}/api/schedules`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ to: '+12025550909', repeat: { every: 'day', at: '12:00' }, timezone: 'UTC' }),
  });
  t.is(again.status, 422);
});
