import test, { type ExecutionContext } from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { CarrierSimulator } from 'telnyx-simulator';
import { buildDeps } from '../../../src/compose/index.ts';
import { Service } from '../../../src/service.ts';
import { createMemoryLogger } from '../../helpers/memory-logger.ts';
import { testConfig } from '../../helpers/test-service.ts';
import { dropSuiteDatabase, prepareSuiteDatabase } from '../../helpers/suite-store.ts';

/** Development against "Telnyx" (the simulator standing in, reached through TELNYX_BASE_URL as a real account is). */
async function developmentService(t: ExecutionContext, extra: Record<string, unknown>) {
  const simulator = new CarrierSimulator();
  const { baseUrl } = await simulator.start();
  t.teardown(() => simulator.stop());
  const { config, dir } = testConfig({
    stage: 'development',
    telnyx: { apiKey: 'KEY_DEV', baseUrl, connectionId: 'simulated-connection', fromNumber: '+12025550100', publicKey: simulator.publicKeyBase64 },
    ...extra,
  });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await prepareSuiteDatabase(config.databaseUrl);
  t.teardown(() => dropSuiteDatabase(config.databaseUrl));
  const service = new Service(buildDeps(config, { logger: createMemoryLogger().logger }));
  return { service };
}

test('when TELNYX_API_KEY is set in development with no PUBLIC_URL and no tunnel, then the start is refused with one line saying what to set', async (t) => {
  const { service } = await developmentService(t, {});
  const err = await t.throwsAsync(service.start());
  t.is(err?.message, 'TELNYX_API_KEY is set but nothing can receive Telnyx webhooks: set NGROK_AUTHTOKEN (a tunnel) or PUBLIC_URL in .env');
  t.false(service.listening);
  await service.stop();
});

test('when TELNYX_API_KEY and PUBLIC_URL are set in development, then the service starts and reports the set-up checks', async (t) => {
  const health = http.createServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end());
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => health.close(() => resolve())));
  const publicUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
  const { service } = await developmentService(t, { publicUrl, queue: { maxConcurrentCalls: 2 } });
  const started = await service.start();
  t.teardown(() => service.stop());
  const failed = (started.doctor ?? []).filter((c) => !c.ok);
  t.deepEqual(failed, []);
  t.true((started.doctor ?? []).some((c) => c.name === 'webhooks' && c.ok && c.detail.includes(`${publicUrl}/health`)));
  t.is(started.tunnelUrl, undefined);
});

test('when a development tunnel is open, then the page header shows its URL where "Simulated mode" would be', async (t) => {
  const health = http.createServer((req, res) => res.writeHead(200).end());
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => health.close(() => resolve())));
  const { service } = await developmentService(t, { publicUrl: `http://127.0.0.1:${(health.address() as AddressInfo).port}` });
  const { url } = await service.start();
  t.teardown(() => service.stop());
  t.notRegex(await (await fetch(`${url}/`)).text(), /Webhooks via/);
  // What openTunnel records once ngrok has opened (ngrok itself is not reachable from here).
  service.deps.endpoint.tunnelUrl = 'https://abc123.ngrok.app';
  const page = await (await fetch(`${url}/`)).text();
  t.regex(page, /<span class="badge tunnel">Webhooks via https:\/\/abc123\.ngrok\.app<\/span>/);
  t.notRegex(page, /Simulated mode/);
});
