import test from 'ava';
import net from 'node:net';
import nock from 'nock';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { rawRequest } from '../../helpers/raw-http.ts';

// Raw sockets to our own loopback server only; nock's interception would buffer the partial requests itself.
nock.restore();

// The attack scaled down by 5, same proportions: 10 addresses × 19 slow connections (each address under its
// cap of 20) against 180 slots, as 10 × 95 against 900 in `npm run attacks`.
const ADDRESSES = 10;
const PER_ADDRESS = 19;
const MAX = 180;

/** A connection that sends half a request and then nothing; `closed` resolves with what it received. */
function slowClient(port: number, localAddress: string) {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  let received = '';
  let isClosed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  const connected = new Promise<void>((resolve) => {
    socket.once('connect', () => {
      socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      resolve();
    });
  });
  const closed = new Promise<string>((resolve) =>
    socket.on('close', () => {
      isClosed = true;
      resolve(received);
    }),
  );
  return { socket, connected, closed, isClosed: () => isClosed };
}

const request = (port: number, path: string, localAddress: string) =>
  rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nAccept: application/json\r\n\r\n`, { localAddress });

test('when 10 addresses hold every slot with slow connections, then /health and /ready from another address answer while they are still held', async (t) => {
  // Header timeouts far beyond the test: only shedding, never a timeout, can free a slot here.
  const { config } = testConfig({ http: { maxConnections: MAX, maxConnectionsPerAddress: PER_ADDRESS + 1, headersTimeoutMs: 120_000, requestTimeoutMs: 120_000 } });
  const svc = await startTestService({ config });
  t.teardown(() => svc.stop());

  const slow = Array.from({ length: ADDRESSES * PER_ADDRESS }, (_, i) => slowClient(svc.port, `127.0.0.${2 + Math.floor(i / PER_ADDRESS)}`));
  await Promise.all(slow.map((s) => s.connected));
  // Every connection past the 180th pushed out one that was waiting longer: exactly 10 are closed, 180 hold the slots.
  let closedCount = 0;
  await new Promise<void>((resolve) => {
    for (const s of slow) void s.closed.then(() => ++closedCount === ADDRESSES * PER_ADDRESS - MAX && resolve());
  });
  t.is(slow.filter((s) => !s.isClosed()).length, MAX);

  const started = performance.now();
  const [health, ready] = await Promise.all([request(svc.port, '/health', '127.0.0.12'), request(svc.port, '/ready', '127.0.0.13')]);
  const tookMs = Math.round(performance.now() - started);
  t.is(health.status, 200);
  t.is(ready.status, 200);
  // Answered while the attack still held the slots: two slow connections gave way, none timed out.
  const stillHeld = slow.filter((s) => !s.isClosed()).length;
  t.true(stillHeld >= MAX - 2, `${stillHeld} slow connections still open`);
  t.log(`/health and /ready answered in ${tookMs} ms with ${stillHeld} of ${MAX} slots held by slow connections`);
  const outcomes = await Promise.all(slow.filter((s) => s.isClosed()).map((s) => s.closed));
  t.true(outcomes.every((text) => text === ''), 'a shed connection is closed without an answer');
});

test('when every slot has a request in flight, then a newcomer is refused at once and counted', async (t) => {
  const { config } = testConfig({ http: { maxConnections: 3, maxConnectionsPerAddress: 0 } });
  let arrived = 0;
  let allArrived: () => void = () => {};
  const allIn = new Promise<void>((resolve) => (allArrived = resolve));
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const svc = await startTestService({
    config,
    // A route that holds its request until the test lets go: three of them occupy every slot with real requests.
    beforeStart: (service) =>
      service.app.use(async (ctx, next) => {
        if (ctx.path !== '/test/hold') {
          await next();
          return;
        }
        if (++arrived === 3) allArrived();
        await released;
        ctx.body = { held: true };
      }),
  });
  t.teardown(() => svc.stop());
  const held = Array.from({ length: 3 }, () => request(svc.port, '/test/hold', '127.0.0.2'));
  await allIn;
  const newcomer = slowClient(svc.port, '127.0.0.3');
  t.is(await newcomer.closed, '', 'closed without a word: no request in flight may be cut for it');
  release();
  t.deepEqual((await Promise.all(held)).map((res) => res.status), [200, 200, 200]);
  const metrics = await request(svc.port, '/metrics', '127.0.0.1');
  t.regex(metrics.body, /http_connections_refused_total\{reason="max_connections"\} [1-9]/);
});
