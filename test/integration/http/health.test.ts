import test from 'ava';
import { suiteStoreFor } from '../../helpers/suite-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';

test('when alive, then /health answers ok', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const res = await fetch(`${svc.url}/health`);
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { status: 'ok' });
});

test('when the store answers, then /ready is 200; when it does not, then 503 problem', async (t) => {
  const { config, dir } = testConfig();
  const real = await suiteStoreFor(config.databaseUrl);
  let down = false;
  const store: Store = {
    ...real,
    ping: async () => {
      if (down) throw new Error('database is gone');
      await real.ping();
    },
  };
  const svc = await startTestService({ config, dir, deps: { store } });
  t.teardown(() => svc.stop());
  t.is((await fetch(`${svc.url}/ready`)).status, 200);
  down = true;
  const res = await fetch(`${svc.url}/ready`);
  t.is(res.status, 503);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  const body = (await res.json()) as Record<string, unknown>;
  t.is(body.detail, 'The database does not answer.');
  t.false(JSON.stringify(body).includes('database is gone'));
});

test('when /info is asked, then it tells instance, host, version and uptime from the injected clock', async (t) => {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const svc = await startTestService({ deps: { clock } });
  t.teardown(() => svc.stop());
  await clock.advance(61_500);
  const body = (await (await fetch(`${svc.url}/info`)).json()) as Record<string, unknown>;
  t.regex(String(body.instanceId), /^[0-9a-f-]{36}$/);
  t.is(body.version, '0.1.0');
  t.is(body.startedAt, '2026-01-01T00:00:00.000Z');
  t.is(body.uptimeSeconds, 61);
  t.is(typeof body.hostname, 'string');
});

test('when two services start, then each has its own instance id', async (t) => {
  const a = await startTestService();
  const b = await startTestService();
  t.teardown(async () => {
    await a.stop();
    await b.stop();
  });
  const idA = ((await (await fetch(`${a.url}/info`)).json()) as { instanceId: string }).instanceId;
  const idB = ((await (await fetch(`${b.url}/info`)).json()) as { instanceId: string }).instanceId;
  t.not(idA, idB);
});

test('when requests were served, then /metrics counts them by route pattern with default process metrics', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  await fetch(`${svc.url}/health`, { headers: { 'x-request-id': 'm1' } });
  await fetch(`${svc.url}/no/such/thing`, { headers: { 'x-request-id': 'm2' } });
  await svc.waitForLog((l) => l.msg === 'request' && l.requestId === 'm2');
  const res = await fetch(`${svc.url}/metrics`);
  t.regex(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  t.regex(text, /http_requests_total\{route="\/health",method="GET",status="200"\} 1/);
  t.regex(text, /http_requests_total\{route="unmatched",method="GET",status="404"\} 1/);
  t.false(text.includes('/no/such/thing'));
  t.regex(text, /http_request_duration_seconds_bucket\{le="0.005",route="\/health"/);
  t.regex(text, /process_resident_memory_bytes/);
});
