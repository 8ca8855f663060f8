import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { rawRequest } from '../../helpers/raw-http.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';

// Requests go through a real nginx on loopback to our own service.
nock.restore();

/** nginx's version line, or undefined where it is not installed (Debian: `apt-get install nginx`). */
function nginxVersion(): string | undefined {
  const run = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  return run.error ? undefined : run.stderr.trim() || 'nginx';
}

/** A port free right now (nginx needs a number in its config). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts on `port`, trying every 20 ms for at most 5 s. */
async function accepting(port: number): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`nothing accepts on ${port}`);
}

const BALANCER = '127.0.0.7';
const DIRECT = '127.0.0.8';

// deploy/nginx.conf as shipped, with its upstream pointed at a service on loopback, its listener on loopback, and the
// test's "balancer" (a loopback source) added to the peers whose X-Forwarded-Proto it keeps. The service trusts what
// docs/exposure.md says a balancer → nginx → app set-up must trust: nginx (127.0.0.1 here) and the balancer.
const version = nginxVersion();
if (!version) {
  test.skip('deploy/nginx.conf through a real nginx: skipped, nginx is not installed', () => undefined);
} else {
  test('when deploy/nginx.conf sits between a TLS balancer and the service, then the balancer\'s https and client address arrive, and a direct client\'s claims do not', async (t) => {
    const svc = await startTestService({ config: testConfig({ http: { trustedProxies: ['127.0.0.1/32', `${BALANCER}/32`] } }).config });
    t.teardown(() => svc.stop());
    const dir = mkdtempSync(join(tmpdir(), 'daj-nginx-'));
    const port = await freePort();
    const site = readFileSync(join(ROOT_DIR, 'deploy', 'nginx.conf'), 'utf8')
      .replace(/upstream dialajoke \{[^}]*\}/, `upstream dialajoke {\n  server 127.0.0.1:${svc.port};\n}`)
      .replace('listen 80;', `listen 127.0.0.1:${port};`)
      .replace('default 0;', `default 0;\n  ${BALANCER}/32 1;`);
    t.true(site.includes(`server 127.0.0.1:${svc.port};`) && site.includes(`${BALANCER}/32 1;`), 'the shipped config has the parts this test rewrites');
    writeFileSync(join(dir, 'site.conf'), site);
    const temp = (name: string) => `${name}_temp_path ${join(dir, name)};`;
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;\nuser root;\npid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')};\nevents {}\nhttp {\n  access_log off;\n  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}\n  include ${join(dir, 'site.conf')};\n}\n`,
    );
    t.notThrows(() => execFileSync('nginx', ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' }), 'nginx -t accepts the config');
    const nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => nginx.once('exit', () => resolve()));
    t.teardown(async () => {
      nginx.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    });
    await accepting(port);

    const through = (from: string, path: string, headers: Record<string, string>) =>
      rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, { localAddress: from });

    // The balancer terminated TLS for 198.51.100.7 (it appended that address; the client had written its own part).
    const viaBalancer = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '127.0.0.1, 198.51.100.7' };
    const page = await through(BALANCER, '/health', viaBalancer);
    t.is(page.status, 200);
    t.regex(page.headers['strict-transport-security'] ?? '', /max-age=/, 'https kept through nginx: HSTS');
    t.is((await through(BALANCER, '/metrics', viaBalancer)).status, 403, 'the client is 198.51.100.7, not loopback');

    // A client on this host that reaches nginx directly and claims https and someone else's address.
    const direct = await through(DIRECT, '/health', { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.7' });
    t.is(direct.status, 200);
    t.false('strict-transport-security' in direct.headers, 'nginx replaced the claim with the scheme it saw');
    t.is((await through(DIRECT, '/metrics', { 'X-Forwarded-For': '198.51.100.7' })).status, 200, `the client is ${DIRECT}, on this host`);
    t.log(version);
  });
}
