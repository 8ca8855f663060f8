import test, { type ExecutionContext } from 'ava';
import { postgresMigrations } from '../../../src/store/postgres/migrate.ts';
import { createTestAccount } from '../../helpers/accounts.ts';
import { createFakeTelephony } from '../../helpers/fake-telephony.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { withPostgres, type TestDatabase } from '../../helpers/postgres.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { bootWithSimulator } from '../../helpers/call-flow-harness.ts';
import { answeredCallScenario } from '../../helpers/answered-call-scenario.ts';

const T0 = Date.parse('2026-11-21T12:00:00Z');

/** A fresh PostgreSQL store (its own schema), dropped after the test; the service stops first (teardowns run last-in first-out). */
async function pgStore(t: ExecutionContext, db: TestDatabase) {
  const { store, cleanup } = await db.makeStore();
  t.teardown(cleanup);
  return store;
}

await withPostgres(test, (db) => {
  test('postgres: when DATABASE_URL is a postgres:// URL, then the service migrates that database at start and answers /ready', async (t) => {
    // The file's own fresh database, in its default schema: what an operator's DATABASE_URL gives.
    const { config, dir } = testConfig({ databaseUrl: db.url.replace(/^postgres:/, 'postgresql:') });
    const svc = await startTestService({ config, dir });
    t.teardown(() => svc.stop());
    const ready = await fetch(`${svc.url}/ready`);
    t.is(ready.status, 200);
    const { rows } = await db.admin<{ version: number }>('SELECT version FROM public.schema_migrations ORDER BY version');
    t.deepEqual(rows.map((r) => r.version), postgresMigrations().map((m) => m.version));
    const me = await createTestAccount(svc.deps);
    const stored = await db.admin<{ activated_at: number | null }>('SELECT activated_at FROM public.accounts WHERE id = $1', [me.id]);
    t.is(stored.rowCount, 1, 'the account went to PostgreSQL');
  });

  test('postgres: when a person answers and presses nothing, then a joke with the menu, goodbye, hangup, completed, every step in the timeline', async (t) => {
    const store = await pgStore(t, db);
    await answeredCallScenario(t, await bootWithSimulator(t, { store }));
  });

  test('postgres: when calls are scheduled, listed and canceled through the API, then it answers as on SQLite', async (t) => {
    const store = await pgStore(t, db);
    const clock = createManualClock(T0);
    const fake = createFakeTelephony(clock);
    const svc = await startTestService({ deps: { clock, telephony: fake.telephony, store } });
    t.teardown(() => svc.stop());
    const me = await createTestAccount(svc.deps);
    const auth = { authorization: me.headers.authorization as string };
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${svc.url}${path}`, { ...init, headers: { ...auth, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

    const ids: string[] = [];
    for (const minute of [30, 10, 20, 40]) {
      const res = await api('/api/calls', { method: 'POST', body: JSON.stringify({ to: '+12025550123', at: `2026-11-21T12:${minute}:00Z` }) });
      t.is(res.status, 201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const [at30, at10, at20, at40] = ids as [string, string, string, string];
    const canceled = await api(`/api/calls/${at40}`, { method: 'DELETE' });
    t.is(canceled.status, 200);
    t.like(await canceled.json(), { id: at40, status: 'canceled', reason: 'canceled by the person' });
    const again = await api(`/api/calls/${at40}`, { method: 'DELETE' });
    t.is(again.status, 409);
    t.is((await api('/api/calls/nope', { method: 'DELETE' })).status, 404);

    const all = (await (await api('/api/calls')).json()) as { items: { id: string; status: string }[]; nextCursor: string | null };
    t.deepEqual(all.items.map((c) => c.id), [at10, at20, at30, at40]);
    t.is(all.nextCursor, null);
    const seen: string[] = [];
    let path = '/api/calls?limit=3';
    for (;;) {
      const page = (await (await api(path)).json()) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((c) => c.id));
      if (!page.nextCursor) break;
      path = `/api/calls?limit=3&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    t.deepEqual(seen, [at10, at20, at30, at40]);
    const onlyCanceled = (await (await api('/api/calls?status=canceled')).json()) as { items: { id: string }[] };
    t.deepEqual(onlyCanceled.items.map((c) => c.id), [at40]);
    t.like(await store.getCall(at40), { status: 'canceled' });
  });
});
