import test from 'ava';
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import net from 'node:net';
import nock from 'nock';
import { clientKey } from '../../../src/accounts/client-address.ts';
import { limitConnections, type ConnectionVerdict } from '../../../src/http/security/connection-limits.ts';
import { startTestService, testConfig } from '../../helpers/test-service.ts';

// Raw sockets to our own loopback server only.
nock.restore();

test('when two IPv6 addresses share a /64, then they share a key; IPv4 (mapped or not) keys on the address', (t) => {
  t.is(clientKey('2001:db8:1:2:aaaa::1'), clientKey('2001:DB8:1:2:bbbb:cccc:dddd:2'));
  t.is(clientKey('2001:db8:1:2::5'), '2001:db8:1:2::/64');
  t.not(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'));
  t.is(clientKey('::ffff:198.51.100.7'), '198.51.100.7');
  t.is(clientKey('198.51.100.7'), '198.51.100.7');
  t.not(clientKey('198.51.100.7'), clientKey('198.51.100.8'));
});

/**
 * Loopback has one IPv6 source (::1), so connections from two addresses of one /64 cannot be opened here: these
 * stand-ins carry what the limiter reads of a socket (its address, `destroy`, `close`).
 */
function fakeSocket(remoteAddress: string) {
  const socket = Object.assign(new EventEmitter(), {
    remoteAddress,
    destroyed: false,
    destroy() {
      if (socket.destroyed) return;
      socket.destroyed = true;
      socket.emit('close');
    },
  });
  return socket;
}

test('when connections come from many addresses of one IPv6 /64, then they share one per-address cap; a trusted proxy has none', (t) => {
  const server = new EventEmitter() as unknown as Server;
  const verdicts: ConnectionVerdict[] = [];
  limitConnections(server, { max: 100, perAddress: 3, exempt: (address) => address === '2001:db8:ffff::1', onClosed: (v) => verdicts.push(v) });
  const sameNet = Array.from({ length: 5 }, (_, i) => fakeSocket(`2001:db8:1:2:${(i + 1).toString(16)}::${i + 7}`));
  for (const s of sameNet) server.emit('connection', s);
  t.deepEqual(sameNet.map((s) => s.destroyed), [false, false, false, true, true]);
  t.deepEqual(verdicts, ['per_address', 'per_address']);
  const otherNet = fakeSocket('2001:db8:1:3::1');
  server.emit('connection', otherNet);
  t.false(otherNet.destroyed, 'the next /64 has its own cap');
  // One closes: its /64 may open one more.
  sameNet[0]?.destroy();
  const again = fakeSocket('2001:db8:1:2:ffff::1');
  server.emit('connection', again);
  t.false(again.destroyed);
  const proxy = Array.from({ length: 5 }, () => fakeSocket('2001:db8:ffff::1'));
  for (const s of proxy) server.emit('connection', s);
  t.true(proxy.every((s) => !s.destroyed), 'a trusted proxy speaks for many clients');
});

test('when more connections than the cap come from ::1, then the extra ones are closed at once (the IPv6 listener keys too)', async (t) => {
  const { config } = testConfig({ host: '::1', http: { maxConnectionsPerAddress: 3, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000 } });
  const svc = await startTestService({ config });
  t.teardown(() => svc.stop());
  const sockets: net.Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = net.connect({ port: svc.port, host: '::1', localAddress: '::1' });
    s.on('error', () => {});
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    s.write(`GET /health HTTP/1.1\r\nHost: [::1]:${svc.port}\r\nX-Slow: `);
    sockets.push(s);
  }
  const fourth = net.connect({ port: svc.port, host: '::1', localAddress: '::1' });
  fourth.on('error', () => {});
  let received = '';
  fourth.on('data', (chunk: Buffer) => (received += chunk.toString()));
  await new Promise<void>((resolve) => fourth.once('close', () => resolve()));
  t.is(received, '', 'closed without a word');
  t.true(sockets.every((s) => s.readyState === 'open'), 'the first three still hold their slots');
  for (const s of sockets) s.destroy();
});
