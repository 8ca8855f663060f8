import test, { type ExecutionContext } from 'ava';
import net from 'node:net';
import nock from 'nock';
import { createPostgresStore } from '../../../src/store/postgres/pg-store.ts';
import { withPostgres, type TestDatabase } from '../../helpers/postgres.ts';
import { rawRequest } from '../../helpers/raw-http.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';

// Raw requests with hand-written X-Forwarded-* headers from chosen loopback sources, to our own server only.
nock.restore();

// All of 127.0.0.0/8 reaches this machine, so source addresses play the parts: the proxy is 127.0.0.5 (and a
// balancer in front of it somewhere in 10.0.0.0/8); 127.0.0.2 is a client that reaches the port directly.
const PROXY = '127.0.0.5';
const DIRECT = '127.0.0.2';
const TRUSTED = ['127.0.0.5/32', '10.0.0.0/8'];

type Boot = { port: number };

async function boot(t: ExecutionContext, overrides: Record<string, unknown>, db?: TestDatabase, remote?: { from: string; as: string }): Promise<Boot> {
  const { config, dir } = testConfig({ ...overrides, http: { trustedProxies: TRUSTED, ...(overrides.http as object | undefined) } });
  const schema = db ? await db.freshSchema() : undefined;
  const store = db && schema ? createPostgresStore({ connectionString: db.url, searchPath: schema.schema, max: 4 }) : undefined;
  if (store) await store.migrate();
  const svc = await startTestService({
    config,
    dir,
    deps: store ? { store } : {},
    // No source outside loopback exists here; only a non-loopback socket can show that a forged header never makes a
    // request local. Connections from `remote.from` are shown to the app as coming from `remote.as`, before it looks.
    ...(remote
      ? {
          beforeStart: (service) => {
            service.app.middleware.unshift((ctx, next) => {
              if (ctx.req.socket.remoteAddress === remote.from) Object.defineProperty(ctx.req.socket, 'remoteAddress', { value: remote.as, configurable: true });
              return next();
            });
          },
        }
      : {}),
  });
  t.teardown(async () => {
    await svc.stop();
    await schema?.drop();
  });
  return svc;
}

function send(port: number, from: string, method: string, path: string, headers: Record<string, string>, body = '') {
  const lines = Object.entries({ Host: `127.0.0.1:${port}`, Connection: 'close', Accept: 'application/json', ...headers, ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}) });
  return rawRequest(port, `${method} ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`, { localAddress: from });
}

let mailbox = 0;
const register = async (svc: Boot, from: string, forwardedFor: string) =>
  (await send(svc.port, from, 'POST', '/api/auth/register', { 'X-Forwarded-For': forwardedFor }, JSON.stringify({ email: `someone-${++mailbox}@example.test`, password: 'a long enough phrase' }))).status;

/** The registration limit counts in the store: both stores. */
function suite(name: string, db?: TestDatabase) {
  test(`${name}: when a client that reaches the port directly forges X-Forwarded-For, then the per-address limit still counts its socket`, async (t) => {
    const svc = await boot(t, { limits: { registrationsPerAddressPerHour: 2 } }, db);
    const statuses = [];
    for (const forged of ['198.51.100.1', '203.0.113.1', '192.0.2.1, 10.1.2.3']) statuses.push(await register(svc, DIRECT, forged));
    t.deepEqual(statuses, [202, 202, 429]);
  });

  test(`${name}: when the trusted proxy forwards clients, then each is counted as itself, walking X-Forwarded-For from the right past trusted hops`, async (t) => {
    const svc = await boot(t, { limits: { registrationsPerAddressPerHour: 2 } }, db);
    t.is(await register(svc, PROXY, '198.51.100.7'), 202);
    t.is(await register(svc, PROXY, '203.0.113.7'), 202);
    // Through the balancer as well; the client wrote the left part itself, which is not believed.
    t.is(await register(svc, PROXY, '127.0.0.1, 198.51.100.7, 10.1.2.3'), 202);
    t.is(await register(svc, PROXY, '192.0.2.99, 198.51.100.7'), 429, 'the third registration of 198.51.100.7');
    t.is(await register(svc, PROXY, '192.0.2.7'), 202, 'another client still has its own budget');
  });
}

// Declared first: the PostgreSQL tests are registered once the server answered (see withPostgres).
await withPostgres(test, (db) => suite('postgres', db));
suite('sqlite');

test('when X-Forwarded-Proto says https, then only the trusted proxy is believed: HSTS and the Secure cookie', async (t) => {
  const svc = await boot(t, {});
  const direct = await send(svc.port, DIRECT, 'GET', '/login', { 'X-Forwarded-Proto': 'https', Accept: 'text/html' });
  t.is(direct.status, 200);
  t.false('strict-transport-security' in direct.headers);
  t.regex(direct.headers['set-cookie'] ?? '', /daj_csrf=/);
  t.notRegex(direct.headers['set-cookie'] ?? '', /;\s*secure/i);
  const proxied = await send(svc.port, PROXY, 'GET', '/login', { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.7', Accept: 'text/html' });
  t.is(proxied.status, 200);
  t.regex(proxied.headers['strict-transport-security'] ?? '', /max-age=31536000/);
  t.regex(proxied.headers['set-cookie'] ?? '', /;\s*secure/i);
  // The proxy's own word is what counts: http from it stays http.
  const plain = await send(svc.port, PROXY, 'GET', '/health', { 'X-Forwarded-Proto': 'http' });
  t.false('strict-transport-security' in plain.headers);
});

test('when X-Forwarded-Host names another site, then it is ignored, from the proxy too: the host check reads Host', async (t) => {
  const svc = await boot(t, {});
  t.is((await send(svc.port, PROXY, 'GET', '/health', { 'X-Forwarded-Host': 'attacker.example' })).status, 200);
  t.is((await send(svc.port, PROXY, 'GET', '/health', { Host: 'attacker.example', 'X-Forwarded-Host': `127.0.0.1` })).status, 421);
});

test('when /dev/mail and /metrics are asked for, then the socket decides: a forged loopback address opens neither, a forwarded remote client neither', async (t) => {
  const svc = await boot(t, { mail: { devOutbox: true } }, undefined, { from: '127.0.0.3', as: '203.0.113.50' });
  const status = async (from: string, path: string, headers: Record<string, string> = {}) => (await send(svc.port, from, 'GET', path, headers)).status;
  for (const path of ['/dev/mail', '/metrics']) {
    // A remote client writing the header itself.
    t.is(await status('127.0.0.3', path, { 'X-Forwarded-For': '127.0.0.1' }), 403, `${path}: remote socket, forged loopback`);
    t.is(await status('127.0.0.3', path), 403, `${path}: remote socket`);
    // A remote client behind the trusted proxy on this host: the proxy's socket is loopback, the client is not.
    t.is(await status(PROXY, path, { 'X-Forwarded-For': '198.51.100.7' }), 403, `${path}: forwarded remote client`);
    t.is(await status(PROXY, path, { 'X-Forwarded-For': '127.0.0.1, 198.51.100.7' }), 403, `${path}: forwarded remote client, forged left part`);
    // On this host: directly (a forged header changes nothing), or through the proxy from this host.
    t.is(await status(DIRECT, path, { 'X-Forwarded-For': '198.51.100.7' }), 200, `${path}: loopback socket, forged remote`);
    t.is(await status(PROXY, path, { 'X-Forwarded-For': '127.0.0.1' }), 200, `${path}: proxy forwarding a local client`);
  }
});

test('when a direct client opens more connections than its cap, then the extra ones close; the trusted proxy has no per-address cap', async (t) => {
  const svc = await boot(t, { http: { maxConnectionsPerAddress: 2, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000 } });
  const open = (from: string) => {
    const socket = net.connect({ port: svc.port, host: '127.0.0.1', localAddress: from });
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // Half a request that claims to come through the proxy for someone else: it cannot, the cap is decided first.
    socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 198.51.100.${++mailbox % 200}\r\nX-Slow: `);
    return { socket, closed, connected };
  };
  const direct = [open(DIRECT), open(DIRECT)];
  await Promise.all(direct.map((c) => c.connected));
  await open(DIRECT).closed;
  t.true(direct.every((c) => c.socket.readyState === 'open'));
  const viaProxy = [open(PROXY), open(PROXY), open(PROXY)];
  await Promise.all(viaProxy.map((c) => c.connected));
  // A fourth connection from the proxy is answered: had it been capped, it would be closed without a word.
  t.is((await send(svc.port, PROXY, 'GET', '/health', {})).status, 200);
  t.true(viaProxy.every((c) => c.socket.readyState === 'open'));
  for (const c of [...direct, ...viaProxy]) c.socket.destroy();
});
