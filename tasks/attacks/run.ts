/**
 * Runs the hostile requests of docs/exposure.md against the real service on loopback, bounded in count and time, and prints what
 * came back. Run: `npm run attacks` (`node --expose-gc tasks/attacks/run.ts` on Node 24) (gc makes the heap figures comparable).
 */
import net from 'node:net';
import { DateTime } from 'luxon';
import { startTestService } from '../../test/helpers/test-service.ts';
import { createTestAccount } from '../../test/helpers/accounts.ts';
import { rawRequest } from '../../test/helpers/raw-http.ts';
import { runEdgeAttacks } from './edge.ts';
import { streamSlotAttack } from './streams.ts';
import { perNumberAttacks } from './numbers.ts';

const svc = await startTestService();
const account = await createTestAccount(svc.deps);
const host = `127.0.0.1:${svc.port}`;
const statuses: number[] = [];
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
};
const at = () => DateTime.utc().plus({ days: 1 }).toISO();

async function raw(text: string | Buffer, localAddress?: string) {
  try {
    const res = await rawRequest(svc.port, text, { localAddress });
    statuses.push(res.status);
    return res.status;
  } catch {
    statuses.push(0);
    return 0;
  }
}
const req = (method: string, path: string, headers: Record<string, string>, body = '') =>
  raw(
    `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${Object.entries({ ...headers, ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n${body}`,
  );

const report: Record<string, unknown> = {};
const session = `daj_session=${await svc.deps.sessions.open(account.id)}`;

report.malformedCookies = await Promise.all(['tz=%E0%A4%A', 'notice=%zz'].map((c) => req('GET', '/', { Accept: 'text/html', Cookie: `${session}; ${c}` })));
report.brotli = [await req('POST', '/api/calls', { 'Content-Type': 'application/json', 'Content-Encoding': 'br', Authorization: account.headers.authorization as string }, 'not brotli'), await req('POST', '/webhook', { 'Content-Type': 'application/json', 'Content-Encoding': 'br' }, 'not brotli')];
report.methods = await Promise.all(['PROPFIND', 'TRACE', 'QUERY'].map((m) => req(m, '/', {})));
report.connect = await raw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
report.parserErrors = [await raw('HELLO\r\n\r\n'), await raw(`GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20000)}\r\n\r\n`)];
report.chunked = await raw(`POST /api/calls HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer secret-A\r\nCookie: s=secret-C\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`);
const logged = JSON.stringify(svc.logs);
// Node's parser error carries the raw request as a Buffer (logged as an array of bytes): its presence is the leak.
report.secretsInLogs = logged.includes('secret-A') || logged.includes('secret-C') || /"rawPacket":\{/.test(logged);
report.rebinding = await raw(`GET /health HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n`);
report.messageCharacters = await Promise.all(['a\u0085b', 'a\u202Eb', 'a\u2028b'].map((message) => req('POST', '/api/calls', account.headers, JSON.stringify({ to: '+12025550123', at: at(), message }))));
report.destinations = Object.fromEntries(
  await Promise.all(['+881612345678', '+870772001799', '+88213112345', '+883510012345', '+447012345678', '+5352345678', '+252612345678'].map(async (to) => [to, await req('POST', '/api/calls', account.headers, JSON.stringify({ to, at: at() }))])),
);

// 10,000 rejected requests with made-up 60 KB zone names.
const before = heapMb();
for (let i = 0; i < 10_000; i += 50) {
  await Promise.all(
    Array.from({ length: 50 }, (_, k) => req('POST', '/api/calls', account.headers, JSON.stringify({ to: '+12025550123', at: at(), timezone: `Mars/${i + k}_${'x'.repeat(60_000)}` }))),
  );
}
report.zoneFlood = { requests: 10_000, heapBeforeMb: before, heapAfterMb: heapMb() };

// Slowloris: 1,100 connections from 127.0.0.2 that never finish their headers; 90 health checks from 127.0.0.1.
const slow = Array.from({ length: 1100 }, () => {
  const s = net.connect({ port: svc.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
  s.on('error', () => {});
  s.resume(); // read (and drop) the 408, so the close is seen
  s.on('connect', () => s.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '));
  return new Promise<void>((resolve) => s.on('close', () => resolve()));
});
const started = Date.now();
let healthy = 0;
for (let i = 0; i < 90; i++) {
  const res = await rawRequest(svc.port, `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, { localAddress: '127.0.0.1' }).catch(() => undefined);
  if (res?.status === 200) healthy += 1;
}
const checkSeconds = (Date.now() - started) / 1000;
await Promise.all(slow);
report.slowloris = { slowConnections: 1100, healthChecks: 90, healthy, checksTookSeconds: checkSeconds, allSlowClosedAfterSeconds: (Date.now() - started) / 1000 };

report.edge = await runEdgeAttacks();
report.streamSlots = await streamSlotAttack();
report.accounts = await (await import('./accounts.ts')).accountScenarios();
report.perNumber = await perNumberAttacks();

report.fiveXx = statuses.filter((s) => s >= 500).length;
report.noAnswer = statuses.filter((s) => s === 0).length;
report.requests = statuses.length;
console.log(JSON.stringify(report, null, 2));
await svc.stop();
