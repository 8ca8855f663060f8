import test, { type ExecutionContext } from 'ava';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService } from '../../helpers/test-service.ts';
import { createTestAccount } from '../../helpers/accounts.ts';

const T0 = Date.parse('2026-11-21T12:00:00Z');
const BODY = { to: '+12025550123', at: '2026-11-22T20:00:00+01:00', timezone: 'Europe/Berlin', message: 'once' };

async function boot(t: ExecutionContext) {
  const clock = createManualClock(T0);
  const svc = await startTestService({ deps: { clock, telephony: createFakeTelephony(clock).telephony } });
  t.teardown(() => svc.stop());
  const account = async () => {
    const me = await createTestAccount(svc.deps);
    return async (body: unknown, key?: string) => {
      // A fresh token each time: the 24 h test outlives the first one.
      const token = await svc.deps.tokens.accessToken(me.id, svc.config.auth.accessTokenSeconds);
      const headers = { ...me.headers, authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}) };
      return fetch(`${svc.url}/api/calls`, { method: 'POST', headers, body: JSON.stringify(body) });
    };
  };
  const count = async () => (await svc.deps.store.listCalls({ limit: 100 })).length;
  return { svc, clock, account, count };
}

test('when a request is retried with the same key and body, then the answer is the first call and no second call exists', async (t) => {
  const { account, count } = await boot(t);
  const post = await account();
  const first = await post(BODY, 'retry-1');
  t.is(first.status, 201);
  const call = (await first.json()) as { id: string };
  // The same body with its keys in another order is the same request.
  const again = await post({ message: 'once', timezone: 'Europe/Berlin', at: BODY.at, to: BODY.to }, 'retry-1');
  t.is(again.status, 201);
  t.is(again.headers.get('idempotent-replayed'), 'true');
  t.is(again.headers.get('location'), `/api/calls/${call.id}`);
  t.is(((await again.json()) as { id: string }).id, call.id);
  t.is(await count(), 1);
});

test('when a key is reused with another body, then 422 problem and nothing is scheduled', async (t) => {
  const { account, count } = await boot(t);
  const post = await account();
  await post(BODY, 'k');
  const res = await post({ ...BODY, message: 'twice' }, 'k');
  t.is(res.status, 422);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  t.like(await res.json(), { type: '/problems/idempotency-key-reused', status: 422 });
  t.is(await count(), 1);
});

test('when two requests with one key arrive together, then one call is created and both answers name it', async (t) => {
  const { account, count } = await boot(t);
  const post = await account();
  const answers = await Promise.all(Array.from({ length: 6 }, () => post(BODY, 'together')));
  t.deepEqual(answers.map((r) => r.status), [201, 201, 201, 201, 201, 201]);
  const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as { id: string }).id)));
  t.is(ids.size, 1);
  t.is(await count(), 1);
});

test('when two accounts use the same key, then each gets its own call', async (t) => {
  const { account, count } = await boot(t);
  const a = await account();
  const b = await account();
  const [ra, rb] = [await a(BODY, 'shared'), await b(BODY, 'shared')];
  t.not(((await ra.json()) as { id: string }).id, ((await rb.json()) as { id: string }).id);
  t.is(await count(), 2);
});

test('when 24 h have passed, then the key is forgotten and makes a new call; a malformed key is a 400', async (t) => {
  const { account, count, clock } = await boot(t);
  const post = await account();
  await post({ ...BODY, at: '2026-11-25T20:00:00+01:00' }, 'daily');
  await clock.advance(24 * 3_600_000 + 1000);
  const res = await post({ ...BODY, at: '2026-11-25T20:00:00+01:00' }, 'daily');
  t.is(res.status, 201);
  t.is(res.headers.get('idempotent-replayed'), null);
  t.is(await count(), 2);
  const bad = await post(BODY, 'has space');
  t.is(bad.status, 400);
  t.like(await bad.json(), { errors: [{ path: 'Idempotency-Key' }] });
});
