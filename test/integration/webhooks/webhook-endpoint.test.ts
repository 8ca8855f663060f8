import test from 'ava';
import { bootWithSimulator, SIGNING_SEED } from '../../helpers/call-flow-harness.ts';
import { postSigned, telnyxEvent } from '../../helpers/telnyx-webhooks.ts';
import { GOODBYE, MENU } from '../../../src/calls/call-flow.ts';
import { claimedOutOfTurn } from '../../helpers/call-fixtures.ts';
import { readRows } from '../../helpers/suite-store.ts';

const OTHER_SEED = Buffer.alloc(32, 9).toString('base64');
const inboxCount = async (h: { svc: { config: { databaseUrl: string } } }) =>
  (await readRows<{ n: number }>(h.svc.config.databaseUrl, 'SELECT count(*) AS n FROM webhook_inbox'))[0]?.n;

/** A call of ours already dialed, so events can be aimed at it without the simulator's own flow. */
async function dialedCall(h: Awaited<ReturnType<typeof bootWithSimulator>>, id = `call-${Math.random().toString(36).slice(2)}`) {
  const { store, clock } = h.svc.deps;
  await store.insertCall({ id, to: '+12025550123', dueAt: clock.now() + 3_600_000, timeZone: 'UTC', message: 'hi', createdAt: clock.now() });
  await claimedOutOfTurn(h.svc.deps.config.databaseUrl, id, clock.now(), 100);
  // As after a real dial: the carrier's id is known (and a restart does not redial it).
  await store.update(id, { callControlId: `v3:test-${id}` }, clock.now());
  return id;
}

const forgeries: [string, (url: string, body: string) => Promise<Response>][] = [
  ['signed with another key', (url, body) => postSigned(url, body, OTHER_SEED)],
  ['with a stale timestamp', (url, body) => postSigned(url, body, SIGNING_SEED, { timestamp: Math.floor(Date.now() / 1000) - 301 })],
  ['altered after signing', (url, body) => postSigned(url, body, SIGNING_SEED, { alter: (b) => b.replace('call.initiated', 'call.answered') })],
  ['without signature headers', (url, body) => fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })],
];
for (const [name, send] of forgeries) {
  test(`when a webhook arrives ${name}, then 401 problem and nothing is stored`, async (t) => {
    const h = await bootWithSimulator(t);
    const id = await dialedCall(h);
    const res = await send(h.svc.url, telnyxEvent('call.initiated', id));
    t.is(res.status, 401);
    t.is(res.headers.get('content-type'), 'application/problem+json');
    t.like(await res.json(), { status: 401, detail: 'The webhook signature or timestamp is not valid.' });
    t.is(await inboxCount(h), 0);
    t.is((await h.svc.deps.store.getCall(id))?.status, 'dialing');
  });
}

test('when an unsigned body is not even JSON, then 401 (the signature is checked before anything parses it)', async (t) => {
  const h = await bootWithSimulator(t);
  const res = await fetch(`${h.svc.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"data": nope' });
  t.is(res.status, 401);
  t.like(await res.json(), { status: 401, detail: 'The webhook signature or timestamp is not valid.' });
  t.is(await inboxCount(h), 0);
});

test('when a signed body is not JSON, then 400 problem and nothing is stored', async (t) => {
  const h = await bootWithSimulator(t);
  const res = await postSigned(h.svc.url, '{"data": nope', SIGNING_SEED);
  t.is(res.status, 400);
  t.like(await res.json(), { status: 400, detail: 'The webhook body is not valid JSON.' });
  t.is(await inboxCount(h), 0);
});

test('when a webhook body is over the size limit, then 413 before it is read', async (t) => {
  const h = await bootWithSimulator(t, { config: { http: { bodyLimitBytes: 2048 } } });
  const res = await postSigned(h.svc.url, JSON.stringify({ data: { pad: 'x'.repeat(4096) } }), SIGNING_SEED);
  t.is(res.status, 413);
  t.is(await inboxCount(h), 0);
});

test('when a signed body is not a Telnyx event, then 400 problem naming the fields and nothing is stored', async (t) => {
  const h = await bootWithSimulator(t);
  const res = await postSigned(h.svc.url, JSON.stringify({ data: { id: 'x' } }), SIGNING_SEED);
  t.is(res.status, 400);
  const problem = (await res.json()) as { errors: { path: string }[] };
  t.deepEqual(problem.errors.map((e) => e.path).sort(), ['data.event_type', 'data.occurred_at']);
  t.is(await inboxCount(h), 0);
});

test('when the same event is delivered twice, then both get 200 and it is applied once', async (t) => {
  const h = await bootWithSimulator(t);
  const id = await dialedCall(h);
  const body = telnyxEvent('call.initiated', id);
  const first = await postSigned(h.svc.url, body, SIGNING_SEED);
  const second = await postSigned(h.svc.url, body, SIGNING_SEED);
  t.is(first.status, 200);
  t.deepEqual(await first.json(), { received: true, duplicate: false });
  t.is(second.status, 200);
  t.deepEqual(await second.json(), { received: true, duplicate: true });
  await h.waitFor(id, (c) => c.status === 'ringing');
  await h.svc.deps.inboxWorker.whenIdle();
  t.is((await h.timeline(id)).filter((e) => e.kind === 'webhook').length, 1);
  t.is(await inboxCount(h), 1);
});

test('when the hangup overtakes the answer, then the call ends failed (no answer was heard of), never moves backwards, and the late answer gets a hangup', async (t) => {
  const h = await bootWithSimulator(t);
  const id = await dialedCall(h);
  const t0 = Date.now();
  // The hangup (normal clearing) overtakes both earlier events: without an answer on record nothing was said.
  await postSigned(h.svc.url, telnyxEvent('call.hangup', id, { hangup_cause: 'normal_clearing', hangup_source: 'callee' }, new Date(t0 + 2000)), SIGNING_SEED);
  const ended = await h.waitFor(id, (c) => c.status === 'failed');
  t.regex(ended.reason ?? '', /before it was answered: normal_clearing/);
  await postSigned(h.svc.url, telnyxEvent('call.answered', id, {}, new Date(t0 + 1000)), SIGNING_SEED);
  await postSigned(h.svc.url, telnyxEvent('call.initiated', id, {}, new Date(t0)), SIGNING_SEED);
  await h.svc.deps.inboxWorker.whenIdle();
  const events = await h.timeline(id);
  t.is((await h.svc.deps.store.getCall(id))?.status, 'failed');
  t.deepEqual(events.filter((e) => e.kind === 'webhook').map((e) => e.name), ['call.hangup', 'call.answered', 'call.initiated']);
  t.false(events.some((e) => e.kind === 'command' && (e.name === 'speak' || e.name === 'gather')));
  // Both late signs of life asked the carrier to hang up, under one command id (this carrier knows no such call).
  const hangups = events.filter((e) => e.detail?.step === 'hangup-final-failed');
  t.is(hangups.length, 2);
  t.is(new Set(hangups.map((e) => e.detail?.commandId)).size, 1);
  t.deepEqual(events.filter((e) => e.kind === 'status').map((e) => e.name), ['scheduled', 'dialing', 'failed']);
});

test('when the carrier delivers every webhook twice and out of order, then the call still completes once, forward only', async (t) => {
  const h = await bootWithSimulator(t, { simulator: { duplicateWebhooks: true, reorderWebhooks: true, reorderHoldMs: 20 } });
  const id = await h.placeNow('+12025550123');
  t.is((await h.ended(id)).status, 'completed');
  await h.simulator.whenIdle();
  await h.svc.deps.inboxWorker.whenIdle();
  const events = await h.timeline(id);
  const statuses = events.filter((e) => e.kind === 'status').map((e) => e.name);
  const order = ['scheduled', 'dialing', 'ringing', 'in_progress', 'completed'];
  t.deepEqual(statuses, order.filter((s) => statuses.includes(s)));
  const webhookIds = events.filter((e) => e.kind === 'webhook').map((e) => String(e.detail?.eventId));
  t.is(new Set(webhookIds).size, webhookIds.length);
  const spoken = h.simulator.spokenTo('+12025550123');
  t.is(spoken.length, 2);
  t.true(spoken[0]?.endsWith(MENU));
  t.is(spoken[1], GOODBYE);
  const metrics = await (await fetch(`${h.svc.url}/metrics`)).text();
  t.regex(metrics, /webhooks_total\{outcome="duplicate"\} [1-9]/);
});

test('when an event names no call of ours, then it is acknowledged and recorded as unknown', async (t) => {
  const h = await bootWithSimulator(t);
  const res = await postSigned(h.svc.url, telnyxEvent('call.initiated', 'not-ours'), SIGNING_SEED);
  t.is(res.status, 200);
  await h.svc.deps.inboxWorker.whenIdle();
  const rows = await readRows<{ outcome: string; applied: number }>(
    h.svc.config.databaseUrl,
    'SELECT outcome, CASE WHEN applied_at IS NOT NULL THEN 1 ELSE 0 END AS applied FROM webhook_inbox',
  );
  t.is(rows.length, 1);
  t.like(rows[0], { outcome: 'unknown call', applied: 1 });
});

test('when the service stops between storing an event and applying it, then the next start applies it', async (t) => {
  const first = await bootWithSimulator(t, { keepDir: true });
  const id = await dialedCall(first);
  await first.svc.deps.inboxWorker.stop(); // the worker is gone: the event can only be stored
  const res = await postSigned(first.svc.url, telnyxEvent('call.initiated', id), SIGNING_SEED);
  t.is(res.status, 200);
  t.is((await first.svc.deps.store.getCall(id))?.status, 'dialing');
  t.is((await first.svc.deps.store.pendingInbox(10)).length, 1);
  await first.svc.stop();
  const second = await bootWithSimulator(t, { dir: first.dir });
  const call = await second.waitFor(id, (c) => c.status === 'ringing');
  t.is(call.status, 'ringing');
  await second.svc.deps.inboxWorker.whenIdle();
  t.deepEqual(await second.svc.deps.store.pendingInbox(10), []);
});

test('when our row has no carrier id (the dial’s answer was lost), then the first webhook naming one fills it in', async (t) => {
  const h = await bootWithSimulator(t);
  const { store, clock } = h.svc.deps;
  await store.insertCall({ id: 'lost-answer', to: '+12025550123', dueAt: clock.now() + 3_600_000, timeZone: 'UTC', message: null, createdAt: clock.now() });
  await claimedOutOfTurn(h.svc.deps.config.databaseUrl, 'lost-answer', clock.now(), 100);
  t.is((await store.getCall('lost-answer'))?.callControlId, null);
  t.is((await postSigned(h.svc.url, telnyxEvent('call.initiated', 'lost-answer', { call_control_id: 'v3:found' }), SIGNING_SEED)).status, 200);
  const call = await h.waitFor('lost-answer', (c) => c.status === 'ringing');
  t.is((await store.getCall(call.id))?.callControlId, 'v3:found');
});
