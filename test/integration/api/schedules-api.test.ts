import test, { type ExecutionContext } from 'ava';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService } from '../../helpers/test-service.ts';
import { createTestAccount, signInPage } from '../../helpers/accounts.ts';

// Sunday 22 Nov 2026, 12:00 UTC.
const T0 = Date.parse('2026-11-22T12:00:00Z');
const WAKE_UP = { to: '+1 202 555 0123', repeat: { every: 'weekday', at: '07:00' }, timezone: 'America/New_York', retry: { attempts: 2, afterMinutes: 10 } };

type Detail = {
  id: string;
  status: string;
  paused: boolean;
  timezone: string;
  cron: string;
  nextAt: string | null;
  nextOccurrences: { at: string; localAt: string }[];
  calls: { id: string; status: string; scheduleId: string; occurrenceAt: string; try: { number: number; of: number } }[];
};

async function boot(t: ExecutionContext) {
  const clock = createManualClock(T0);
  const fake = createFakeTelephony(clock);
  const svc = await startTestService({ deps: { clock, telephony: fake.telephony } });
  t.teardown(() => svc.stop());
  const me = await createTestAccount(svc.deps);
  const api = (path: string, init: RequestInit & { as?: Record<string, string> } = {}) =>
    fetch(`${svc.url}${path}`, { ...init, headers: { ...(init.as ?? me.headers), ...(init.headers as Record<string, string>) } });
  const create = async (body: unknown = WAKE_UP) => {
    const res = await api('/api/schedules', { method: 'POST', body: JSON.stringify(body) });
    return { res, body: (await res.json()) as Detail & { errors?: { path: string; message: string }[] } };
  };
  return { svc, clock, api, create, me };
}

test('when a schedule is posted, then 201 with Location, its next weekday dates in its zone, and its first occurrence pending as a call', async (t) => {
  const { svc, create } = await boot(t);
  const { res, body } = await create();
  t.is(res.status, 201);
  t.is(res.headers.get('location'), `/api/schedules/${body.id}`);
  t.like(body, { status: 'active', paused: false, timezone: 'America/New_York', cron: '0 7 * * 1-5', nextAt: '2026-11-23T12:00:00.000Z' });
  t.deepEqual(
    body.nextOccurrences.map((o) => o.localAt),
    ['2026-11-23T07:00:00-05:00', '2026-11-24T07:00:00-05:00', '2026-11-25T07:00:00-05:00', '2026-11-26T07:00:00-05:00', '2026-11-27T07:00:00-05:00'],
  );
  t.is(body.calls.length, 1);
  t.like(body.calls[0], { status: 'scheduled', scheduleId: body.id, occurrenceAt: '2026-11-23T12:00:00.000Z', try: { number: 1, of: 3 } });
  t.deepEqual(await svc.deps.store.nextDue(10), [{ id: body.calls[0]?.id as string, dueAt: Date.parse('2026-11-23T12:00:00Z') }]);
});

test('when schedules are read without an account, or as another account, then 401 and 404', async (t) => {
  const { svc, api, create } = await boot(t);
  const { body } = await create();
  const anonymous = await fetch(`${svc.url}/api/schedules`);
  t.is(anonymous.status, 401);
  t.is(anonymous.headers.get('www-authenticate'), 'Bearer');
  t.is(anonymous.headers.get('content-type'), 'application/problem+json');
  const stranger = (await createTestAccount(svc.deps)).headers;
  for (const [method, path] of [['GET', `/api/schedules/${body.id}`], ['PATCH', `/api/schedules/${body.id}`], ['DELETE', `/api/schedules/${body.id}`]] as const) {
    const res = await api(path, { method, as: stranger, ...(method === 'PATCH' ? { body: JSON.stringify({ paused: true }) } : {}) });
    t.is(res.status, 404, `${method} ${path}`);
  }
  t.deepEqual(((await (await api('/api/schedules', { as: stranger })).json()) as { items: unknown[] }).items, []);
  t.is(((await (await api('/api/schedules')).json()) as { items: unknown[] }).items.length, 1);
  t.like(await svc.deps.store.getSchedule(body.id), { status: 'active' });
});

test('when a page session changes a schedule without the CSRF header, then 403; with it, the change goes through', async (t) => {
  const { svc, create } = await boot(t);
  const page = await signInPage(svc.deps, svc.url);
  const own = await fetch(`${svc.url}/api/schedules`, {
    method: 'POST',
    headers: { cookie: page.cookie, 'content-type': 'application/json' },
    body: JSON.stringify(WAKE_UP),
  });
  t.is(own.status, 403);
  const withToken = await fetch(`${svc.url}/api/schedules`, {
    method: 'POST',
    headers: { cookie: page.cookie, 'content-type': 'application/json', 'x-csrf-token': await page.csrfToken() },
    body: JSON.stringify(WAKE_UP),
  });
  t.is(withToken.status, 201);
  t.is((await create()).res.status, 201);
});

test('when a schedule request is invalid, then 400 problem naming every bad field, and nothing is stored', async (t) => {
  const { svc, create, me } = await boot(t);
  const cases: [unknown, string[]][] = [
    [{ to: 'nope', repeat: { every: 'week', at: '7am' }, timezone: 'Mars/Olympus', retry: { attempts: 4, afterMinutes: 0 }, extra: 1 }, ['extra', 'repeat.days', 'repeat.at', 'timezone', 'retry.attempts', 'retry.afterMinutes', 'to']],
    [{ to: '+12025550123', repeat: { cron: '0 7 * *' }, timezone: 'UTC' }, ['repeat.cron']],
    [{ to: '+12025550123', repeat: { cron: '0 0 7 * * 1-5' }, timezone: 'UTC' }, ['repeat.cron']],
    [{ to: '+12025550123', repeat: { cron: '61 7 * * *' }, timezone: 'UTC' }, ['repeat.cron']],
    [{ to: '+12025550123', repeat: { every: 'day', at: '07:00', days: ['mon'] }, timezone: 'UTC' }, ['repeat.days']],
    [{ to: '+12025550123', repeat: { every: 'day', at: '07:00' }, timezone: 'UTC', startsOn: '2026-12-10', endsOn: '2026-12-01' }, ['endsOn']],
    [{ to: '+12025550123', repeat: { every: 'day', at: '07:00' }, timezone: 'UTC', endsOn: '2026-11-01' }, ['repeat']],
    [{ to: '+12025550123', repeat: { every: 'day', at: '07:00' }, timezone: 'UTC', startsOn: '2026-02-30' }, ['startsOn']],
    [{ repeat: { every: 'day', at: '07:00' } }, ['to', 'timezone']],
    ['[1]', ['']],
  ];
  for (const [input, paths] of cases) {
    const { res, body } = await create(typeof input === 'string' ? JSON.parse(input) : input);
    t.is(res.status, 400, JSON.stringify(input));
    t.is(res.headers.get('content-type'), 'application/problem+json');
    t.deepEqual([...new Set((body.errors ?? []).map((e) => e.path))].sort(), [...paths].sort(), JSON.stringify(body.errors));
    for (const e of body.errors ?? []) t.true(e.message.length > 0);
  }
  t.deepEqual(await svc.deps.store.listSchedules(me.id, 10), []);
  t.deepEqual(await svc.deps.store.nextDue(10), []);
});

test('when a schedule is paused, resumed, changed and deleted, then its pending occurrence follows each step', async (t) => {
  const { svc, api, create, clock } = await boot(t);
  const { body } = await create();
  const first = body.calls[0]?.id as string;
  const patch = (value: unknown) => api(`/api/schedules/${body.id}`, { method: 'PATCH', body: JSON.stringify(value) });

  const paused = (await (await patch({ paused: true })).json()) as Detail;
  t.like(paused, { status: 'paused', paused: true, nextAt: null });
  t.like(await svc.deps.store.getCall(first), { status: 'canceled', reason: 'the schedule was paused' });
  t.deepEqual(await svc.deps.store.nextDue(10), []);
  t.is(paused.nextOccurrences.length, 5, 'what it would ring at once resumed');

  await clock.advance(60_000);
  const resumed = (await (await patch({ paused: false })).json()) as Detail;
  t.like(resumed, { status: 'active', nextAt: '2026-11-23T12:00:00.000Z' });
  const pending = resumed.calls.find((c) => c.status === 'scheduled');
  t.like(pending, { occurrenceAt: '2026-11-23T12:00:00.000Z' });

  const changed = await patch({ repeat: { every: 'week', days: ['fri'], at: '18:30' }, timezone: 'Europe/Dublin', message: 'Weekend!' });
  t.is(changed.status, 200);
  const changedBody = (await changed.json()) as Detail & { message: string };
  t.like(changedBody, { cron: '30 18 * * 5', timezone: 'Europe/Dublin', message: 'Weekend!', nextAt: '2026-11-27T18:30:00.000Z' });
  t.like(await svc.deps.store.getCall(pending?.id as string), { status: 'canceled', reason: 'the schedule was changed' });
  t.is((await svc.deps.store.nextDue(10)).length, 1);

  const badChange = await patch({ repeat: { every: 'fortnight', at: '07:00' }, paused: 'yes' });
  t.is(badChange.status, 400);
  t.deepEqual((((await badChange.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).sort(), ['paused', 'repeat.every']);

  const deleted = await api(`/api/schedules/${body.id}`, { method: 'DELETE' });
  t.is(deleted.status, 200);
  t.like(await deleted.json(), { status: 'ended', endReason: 'stopped by the person', nextOccurrences: [] });
  t.deepEqual(await svc.deps.store.nextDue(10), []);
  t.is((await api(`/api/schedules/${body.id}`, { method: 'DELETE' })).status, 409);
  t.is((await patch({ paused: false })).status, 409);
  t.is((await api('/api/schedules/unknown', { method: 'DELETE' })).status, 404);
});

test('when the next dates are previewed, then three come back and nothing is stored', async (t) => {
  const { svc, api, me } = await boot(t);
  const res = await api('/api/schedules/preview', { method: 'POST', body: JSON.stringify({ ...WAKE_UP, repeat: { cron: '30 2 * * *' } }) });
  t.is(res.status, 200);
  t.deepEqual(((await res.json()) as { occurrences: { localAt: string }[] }).occurrences.map((o) => o.localAt), [
    '2026-11-23T02:30:00-05:00',
    '2026-11-24T02:30:00-05:00',
    '2026-11-25T02:30:00-05:00',
  ]);
  t.deepEqual(await svc.deps.store.listSchedules(me.id, 10), []);
});

test('when a number opted out, then it cannot get a schedule (422); a call with retry takes the retry fields', async (t) => {
  const { svc, api, create } = await boot(t);
  await svc.deps.store.addDoNotCall({ number: '+12025550123', addedAt: T0, callId: null });
  const { res } = await create();
  t.is(res.status, 422);
  const call = await api('/api/calls', { method: 'POST', body: JSON.stringify({ to: '+12025550124', at: '2026-11-22T13:00:00Z', retry: { attempts: 3, afterMinutes: 60, onFailed: true } }) });
  t.is(call.status, 201);
  t.like(await call.json(), { try: { number: 1, of: 4 }, retryOf: null, scheduleId: null });
  const bad = await api('/api/calls', { method: 'POST', body: JSON.stringify({ to: '+12025550124', at: '2026-11-22T13:00:00Z', retry: { attempts: 1 } }) });
  t.is(bad.status, 400);
  t.deepEqual(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path), ['retry.afterMinutes']);
});
