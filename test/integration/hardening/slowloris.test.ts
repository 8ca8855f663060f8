import test from 'ava';
import net from 'node:net';
import nock from 'nock';
import { startTestService, testConfig } from '../../helpers/test-service.ts';
import { rawRequest } from '../../helpers/raw-http.ts';

// Raw sockets to our own loopback server only; nock's interception would buffer the partial requests itself.
nock.restore();

// More than the total cap (400): without the per-address cap the attacker alone would fill every slot.
const ATTACKERS = 500;

/** Opens a connection from `localAddress` that sends half a request and then nothing: the slowloris move. */
function slowClient(port: number, localAddress: string) {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  socket.on('connect', () => socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  return { socket, closed };
}

test('when 500 slow connections come from one address, then health checks from another all answer and the slow ones are cut off', async (t) => {
  const { config } = testConfig({ http: { headersTimeoutMs: 3000, requestTimeoutMs: 5000, maxConnectionsPerAddress: 50, maxConnections: 400 } });
  const svc = await startTestService({ config });
  t.teardown(() => svc.stop());

  // 127.0.0.2 is loopback too on Linux: the attacker and the health checker are two client addresses.
  const attackers = Array.from({ length: ATTACKERS }, () => slowClient(svc.port, '127.0.0.2'));
  await Promise.all(attackers.map((a) => new Promise<void>((resolve) => (a.socket.connecting ? a.socket.once('connect', resolve).once('close', () => resolve()) : resolve()))));

  let answered = 0;
  for (let i = 0; i < 30; i++) {
    const res = await rawRequest(svc.port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${svc.port}\r\nConnection: close\r\n\r\n`, { localAddress: '127.0.0.1' });
    if (res.status === 200) answered += 1;
  }
  t.is(answered, 30, 'every health check answered during the attack');

  // Every slow connection ends: refused at once beyond the per-address cap, or answered 408 at the headers timeout.
  const outcomes = await Promise.all(attackers.map((a) => a.closed));
  const timedOut = outcomes.filter((text) => text.startsWith('HTTP/1.1 408'));
  t.is(timedOut.length + outcomes.filter((text) => text === '').length, ATTACKERS);
  t.true(timedOut.length > 0 && timedOut.length <= 50, `${timedOut.length} timed out`);
  t.regex(timedOut[0] ?? '', /application\/problem\+json/);
  const metrics = await rawRequest(svc.port, `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:${svc.port}\r\nConnection: close\r\n\r\n`);
  t.regex(metrics.body, /http_connections_refused_total\{reason="per_address"\} (\d+)/);
});

test('when every slot holds a slow connection, then a newcomer takes the slot of the one waiting longest', async (t) => {
  const { config } = testConfig({ http: { maxConnections: 5, maxConnectionsPerAddress: 0, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000 } });
  const svc = await startTestService({ config });
  t.teardown(() => svc.stop());
  const holders: ReturnType<typeof slowClient>[] = [];
  // One at a time, so the server's order of arrival is known: holders[0] waits longest.
  for (let i = 0; i < 5; i++) {
    const holder = slowClient(svc.port, '127.0.0.2');
    await new Promise<void>((resolve) => holder.socket.once('connect', () => resolve()));
    holders.push(holder);
  }
  const res = await rawRequest(svc.port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${svc.port}\r\nConnection: close\r\n\r\n`, { localAddress: '127.0.0.3' });
  t.is(res.status, 200);
  t.is(await holders[0]?.closed, '', 'the oldest slow connection is closed without a word');
  t.true(holders.slice(1).every((h) => !h.socket.destroyed && h.socket.readyState === 'open'), 'the other four still hold their slots');
  const metrics = await rawRequest(svc.port, `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:${svc.port}\r\nConnection: close\r\n\r\n`);
  t.regex(metrics.body, /http_connections_refused_total\{reason="shed"\} [1-9]/);
});
