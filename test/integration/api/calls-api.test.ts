import test, { type ExecutionContext } from 'ava';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService } from '../../helpers/test-service.ts';
import { createTestAccount } from '../../helpers/accounts.ts';

const T0 = Date.parse('2026-11-21T12:00:00Z');

async function boot(t: ExecutionContext) {
  const clock = createManualClock(T0);
  const fake = createFakeTelephony(clock);
  const svc = await startTestService({ deps: { clock, telephony: fake.telephony } });
  t.teardown(() => svc.stop());
  const me = await createTestAccount(svc.deps);
  const auth = { authorization: me.headers.authorization as string };
  const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${svc.url}/api/calls`, { method: 'POST', headers: { ...auth, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  /** fetch as the signed-in account. */
  const api = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
  return { svc, clock, fake, post, api, me };
}

test('when a valid call is posted, then 201 with Location and the call, durable before the answer', async (t) => {
  const { svc, post } = await boot(t);
  const res = await post({ to: '+1 202 555 0123', at: '2026-11-21T20:00:00+01:00', timezone: 'Europe/Dublin', message: 'Happy birthday!' });
  t.is(res.status, 201);
  const call = (await res.json()) as Record<string, unknown>;
  t.is(res.headers.get('location'), `/api/calls/${String(call.id)}`);
  t.like(call, {
    to: '+12025550123',
    at: '2026-11-21T19:00:00.000Z',
    timezone: 'Europe/Dublin',
    localAt: '2026-11-21T19:00:00+00:00',
    message: 'Happy birthday!',
    status: 'scheduled',
  });
  t.is((await svc.deps.store.getCall(String(call.id)))?.status, 'scheduled');
});

test('when a call is read, then it comes with its timeline', async (t) => {
  const { svc, post, api } = await boot(t);
  const created = (await (await post({ to: '+12025550123', at: '2026-11-21T12:05:00Z' })).json()) as { id: string };
  const res = await api(`${svc.url}/api/calls/${created.id}`);
  t.is(res.status, 200);
  const body = (await res.json()) as { id: string; events: { kind: string; name: string }[] };
  t.is(body.id, created.id);
  t.like(body.events[0], { kind: 'status', name: 'scheduled' });
});

test('when invalid input is posted, then 400 problem naming every bad field and nothing is stored', async (t) => {
  const { svc, post } = await boot(t);
  const res = await post({ to: 'not a number', at: '2026-11-21 20:00', message: 'x'.repeat(501) });
  t.is(res.status, 400);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  const problem = (await res.json()) as { errors: { path: string; message: string }[]; type: string; requestId: string };
  t.is(problem.type, '/problems/validation');
  t.deepEqual(problem.errors.map((e) => e.path).sort(), ['at', 'message', 'to']);
  t.truthy(problem.requestId);
  t.deepEqual(await svc.deps.store.listCalls({ limit: 10 }), []);
});

test('when the body is not JSON, then 415 problem', async (t) => {
  const { post } = await boot(t);
  const res = await post('to=+12025550123', { 'content-type': 'application/x-www-form-urlencoded' });
  t.is(res.status, 415);
  t.is(((await res.json()) as { detail: string }).detail, 'Send the call as application/json.');
});

test('when a scheduled call is deleted, then 200 canceled; again, then 409; unknown, then 404', async (t) => {
  const { svc, post, api } = await boot(t);
  const { id } = (await (await post({ to: '+12025550123', at: '2026-11-21T12:05:00Z' })).json()) as { id: string };
  const first = await api(`${svc.url}/api/calls/${id}`, { method: 'DELETE' });
  t.is(first.status, 200);
  t.like(await first.json(), { id, status: 'canceled', reason: 'canceled by the person' });
  const second = await api(`${svc.url}/api/calls/${id}`, { method: 'DELETE' });
  t.is(second.status, 409);
  t.like(await second.json(), { status: 409, type: '/problems/conflict', detail: 'The call is already canceled.' });
  const missing = await api(`${svc.url}/api/calls/nope`, { method: 'DELETE' });
  t.is(missing.status, 404);
  t.like(await missing.json(), { status: 404, type: '/problems/not-found' });
});

test('when a call has started dialing, then DELETE answers 409', async (t) => {
  const { svc, post, clock, api } = await boot(t);
  const { id } = (await (await post({ to: '+12025550123', at: '2026-11-21T12:00:30Z' })).json()) as { id: string };
  await clock.advance(30_000);
  await svc.deps.dialer.whenIdle();
  const res = await api(`${svc.url}/api/calls/${id}`, { method: 'DELETE' });
  t.is(res.status, 409);
  t.is(((await res.json()) as { detail: string }).detail, 'The call is dialing and can no longer be canceled.');
});

test('when listing, then upcoming soonest first then history, filtered by status, paged by an opaque cursor', async (t) => {
  const { svc, post, api } = await boot(t);
  const ids: string[] = [];
  for (const minute of [30, 10, 20, 40]) {
    ids.push(((await (await post({ to: '+12025550123', at: `2026-11-21T12:${minute}:00Z` })).json()) as { id: string }).id);
  }
  await api(`${svc.url}/api/calls/${ids[3]}`, { method: 'DELETE' });
  const all = (await (await api(`${svc.url}/api/calls`)).json()) as { items: { id: string }[]; nextCursor: null };
  t.deepEqual(all.items.map((c) => c.id), [ids[1], ids[2], ids[0], ids[3]]);
  t.is(all.nextCursor, null);

  const seen: string[] = [];
  let url = `${svc.url}/api/calls?limit=3`;
  for (;;) {
    const page = (await (await api(url)).json()) as { items: { id: string }[]; nextCursor: string | null };
    seen.push(...page.items.map((c) => c.id));
    if (!page.nextCursor) break;
    url = `${svc.url}/api/calls?limit=3&cursor=${encodeURIComponent(page.nextCursor)}`;
  }
  t.deepEqual(seen, all.items.map((c) => c.id));

  const canceled = (await (await api(`${svc.url}/api/calls?status=canceled`)).json()) as { items: { id: string }[] };
  t.deepEqual(canceled.items.map((c) => c.id), [ids[3]]);
});

test('when list parameters are bad, then 400 problem naming them', async (t) => {
  const { svc, api } = await boot(t);
  for (const [query, path] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'], ['status=happy', 'status'], ['cursor=zzz', 'cursor']] as const) {
    const res = await api(`${svc.url}/api/calls?${query}`);
    t.is(res.status, 400, query);
    t.is(((await res.json()) as { errors: { path: string }[] }).errors[0]?.path, path);
  }
});

test('when an unknown call is read, then 404 problem', async (t) => {
  const { svc, api } = await boot(t);
  const res = await api(`${svc.url}/api/calls/does-not-exist`);
  t.is(res.status, 404);
  t.is(((await res.json()) as { detail: string }).detail, 'Call does-not-exist was not found.');
});
