import test, { type ExecutionContext } from 'ava';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService } from '../../helpers/test-service.ts';
import { createTestAccount, type TestAccount } from '../../helpers/accounts.ts';

const T0 = Date.parse('2026-11-21T12:00:00Z');

async function boot(t: ExecutionContext) {
  const clock = createManualClock(T0);
  const svc = await startTestService({ deps: { clock, telephony: createFakeTelephony(clock).telephony } });
  t.teardown(() => svc.stop());
  const schedule = async (who: TestAccount, minute = 30) => {
    const res = await fetch(`${svc.url}/api/calls`, { method: 'POST', headers: who.headers, body: JSON.stringify({ to: '+12025550123', at: `2026-11-21T12:${minute}:00Z` }) });
    return ((await res.json()) as { id: string }).id;
  };
  return { svc, clock, schedule };
}

test('when /api/calls routes are called without a token, then 401 problem with WWW-Authenticate: Bearer, and nothing happens', async (t) => {
  const { svc, schedule } = await boot(t);
  const id = await schedule(await createTestAccount(svc.deps));
  for (const [method, path] of [['GET', '/api/calls'], ['POST', '/api/calls'], ['GET', `/api/calls/${id}`], ['DELETE', `/api/calls/${id}`]] as const) {
    const res = await fetch(`${svc.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
    t.is(res.status, 401, `${method} ${path}`);
    t.is(res.headers.get('www-authenticate'), 'Bearer');
    t.is(res.headers.get('content-type'), 'application/problem+json');
    t.like(await res.json(), { status: 401, type: '/problems/unauthorized' });
  }
  t.is((await svc.deps.store.getCall(id))?.status, 'scheduled');
});

test('when the token is forged, expired or a session token, then 401', async (t) => {
  const { svc, clock } = await boot(t);
  const me = await createTestAccount(svc.deps);
  const session = await svc.deps.tokens.sessionToken(me.id, 'sid', 3600);
  const [head, body] = me.token.split('.');
  for (const token of [`${head}.${body}.forgedsignature`, session, 'not-a-jwt']) {
    const res = await fetch(`${svc.url}/api/calls`, { headers: { authorization: `Bearer ${token}` } });
    t.is(res.status, 401, token.slice(0, 12));
  }
  t.is((await fetch(`${svc.url}/api/calls`, { headers: me.headers })).status, 200);
  await clock.advance(901_000);
  t.is((await fetch(`${svc.url}/api/calls`, { headers: me.headers })).status, 401, 'expired after 15 minutes');
});

test('when another account’s call is read, canceled or listed, then it is 404 and absent, and stays scheduled', async (t) => {
  const { svc, schedule } = await boot(t);
  const alice = await createTestAccount(svc.deps);
  const bob = await createTestAccount(svc.deps);
  const hers = await schedule(alice, 30);
  const his = await schedule(bob, 40);
  for (const method of ['GET', 'DELETE']) {
    const res = await fetch(`${svc.url}/api/calls/${hers}`, { method, headers: bob.headers });
    t.is(res.status, 404, method);
    t.like(await res.json(), { detail: `Call ${hers} was not found.` });
  }
  t.is((await svc.deps.store.getCall(hers))?.status, 'scheduled');
  const list = (await (await fetch(`${svc.url}/api/calls`, { headers: bob.headers })).json()) as { items: { id: string }[] };
  t.deepEqual(list.items.map((c) => c.id), [his]);
  t.is((await fetch(`${svc.url}/api/calls/${hers}`, { method: 'DELETE', headers: alice.headers })).status, 200);
});

test('when the page session cookie changes a call through the API, then it needs the CSRF header', async (t) => {
  const { svc, schedule } = await boot(t);
  const me = await createTestAccount(svc.deps);
  const id = await schedule(me);
  const cookie = `daj_session=${await svc.deps.sessions.open(me.id)}`;
  t.is((await fetch(`${svc.url}/api/calls/${id}`, { headers: { cookie } })).status, 200);
  const refused = await fetch(`${svc.url}/api/calls/${id}`, { method: 'DELETE', headers: { cookie } });
  t.is(refused.status, 403);
  t.is((await svc.deps.store.getCall(id))?.status, 'scheduled');
});
