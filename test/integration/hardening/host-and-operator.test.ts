import test from 'ava';
import Koa from 'koa';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createErrorMiddleware } from '../../../src/http/error-middleware.ts';
import { createHostCheck } from '../../../src/http/security/host-check.ts';
import { createViews } from '../../../src/http/views.ts';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { join } from 'node:path';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { rawRequest } from '../../helpers/raw-http.ts';

// Raw requests with forged Host headers go only to our loopback servers; nock would refuse the unknown hosts.
nock.restore();

const get = (port: number, host: string, path = '/health', headers = '') =>
  rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nAccept: application/json\r\n${headers}\r\n`);

test('when Host names another site (DNS rebinding), then 421 problem; loopback names and PUBLIC_URL pass', async (t) => {
  const svc = await startTestService({ config: testConfig({ publicUrl: 'https://jokes.example.com', http: { allowedHosts: ['Ops.Example.Net'] } }).config });
  t.teardown(() => svc.stop());
  for (const host of ['attacker.example', 'attacker.example:80', `evil.127.0.0.1.nip.io:${svc.port}`, '10.0.0.7', 'jokes.example.com.evil.net']) {
    const res = await get(svc.port, host);
    t.is(res.status, 421, host);
    t.is(res.headers['content-type'], 'application/problem+json');
    t.like(JSON.parse(res.body), { status: 421, title: 'Misdirected Request' });
  }
  for (const host of [`127.0.0.1:${svc.port}`, `localhost:${svc.port}`, `[::1]:${svc.port}`, 'jokes.example.com', 'JOKES.example.com.', 'ops.example.net:8443']) {
    t.is((await get(svc.port, host)).status, 200, host);
  }
});

test('when the listener is a wildcard address, then IP literals pass (a balancer health check) and names still must match', async (t) => {
  const app = new Koa();
  app.use(createErrorMiddleware({ views: createViews({ templatesDir: join(ROOT_DIR, 'templates') }), newId: () => 'id' }));
  app.use(createHostCheck({ listenHost: '0.0.0.0', publicUrl: 'https://jokes.example.com', allowedHosts: [], tunnelUrl: () => 'https://abc.ngrok.app' }));
  app.use((ctx) => {
    ctx.body = 'ok';
  });
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  for (const host of ['10.1.2.3:3000', '[fd00::5]', 'localhost', 'jokes.example.com', 'abc.ngrok.app']) t.is((await get(port, host)).status, 200, host);
  for (const host of ['attacker.example', 'rebind.attacker.example:3000']) t.is((await get(port, host)).status, 421, host);
});

test('when /metrics is asked for remotely (per a trusted proxy) without a token, then 403; from loopback, 200', async (t) => {
  const svc = await startTestService({ config: testConfig({ http: { trustProxy: true } }).config });
  t.teardown(() => svc.stop());
  const remote = await get(svc.port, `127.0.0.1:${svc.port}`, '/metrics', 'X-Forwarded-For: 203.0.113.9\r\n');
  t.is(remote.status, 403);
  t.is(remote.headers['content-type'], 'application/problem+json');
  t.is((await get(svc.port, `127.0.0.1:${svc.port}`, '/metrics')).status, 200);
  // /info stays public but names the host only to the operator.
  const info = JSON.parse((await get(svc.port, `127.0.0.1:${svc.port}`, '/info', 'X-Forwarded-For: 203.0.113.9\r\n')).body) as Record<string, unknown>;
  t.false('hostname' in info);
  t.truthy(info.instanceId);
  const local = JSON.parse((await get(svc.port, `127.0.0.1:${svc.port}`, '/info')).body) as Record<string, unknown>;
  t.is(typeof local.hostname, 'string');
});

test('when TRUST_PROXY is off, then a forged X-Forwarded-For changes nothing', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  // From loopback the real address wins whatever the header claims (and it cannot make a remote client look local).
  t.is((await get(svc.port, `127.0.0.1:${svc.port}`, '/metrics', 'X-Forwarded-For: 203.0.113.9\r\n')).status, 200);
});

test('when METRICS_TOKEN is set, then /metrics needs it as a bearer token, from loopback too', async (t) => {
  const token = 'm3trics-t0ken-long-enough';
  const svc = await startTestService({ config: testConfig({ metricsToken: token }).config });
  t.teardown(() => svc.stop());
  const host = `127.0.0.1:${svc.port}`;
  const none = await get(svc.port, host, '/metrics');
  t.is(none.status, 401);
  t.regex(none.headers['www-authenticate'] ?? '', /^Bearer/);
  t.is((await get(svc.port, host, '/metrics', 'Authorization: Bearer wrong-token-of-some-length\r\n')).status, 401);
  t.is((await get(svc.port, host, '/metrics', `Authorization: Basic ${token}\r\n`)).status, 401);
  const ok = await get(svc.port, host, '/metrics', `Authorization: Bearer ${token}\r\n`);
  t.is(ok.status, 200);
  t.regex(ok.body, /http_requests_total/);
  t.false(JSON.stringify(svc.logs).includes(token));
});
