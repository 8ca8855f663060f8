/**
 * The stream-slot attack of issue 18: 65 accounts × 8 live streams against one instance's 500 slots, from 13
 * loopback addresses (5 accounts each, under the per-address connection cap), then a bystander's first stream, an
 * attacker's ninth, and a stream of an account that never scheduled a call. Bounded: 524 streams on its own instance
 * (each request times out after 10 s), all closed before it returns. Loopback only.
 */
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { createTestAccount, type TestAccount } from '../../test/helpers/accounts.ts';
import { startTestService } from '../../test/helpers/test-service.ts';

const ACCOUNTS = 65;
const PER_ACCOUNT = 8;
const ADDRESSES = 13;
const BATCH = 40;
const TIMEOUT_MS = 10_000;

type Open = { status: number; ended: boolean; close: () => void };

/** Opens `GET /api/calls/events` from `localAddress`; resolves with the status once the headers are in (0: no answer). */
function openStream(port: number, token: string, localAddress: string): Promise<Open> {
  return new Promise((resolve) => {
    const stream: Open = { status: 0, ended: false, close: () => req.destroy() };
    const req = http.get({ host: '127.0.0.1', port, path: '/api/calls/events', localAddress, agent: false, timeout: TIMEOUT_MS, headers: { authorization: `Bearer ${token}` } }, (res) => {
      stream.status = res.statusCode ?? 0;
      res.on('close', () => void (stream.ended = true));
      res.resume();
      // A refusal is read and closed; an open stream stays until the scenario ends.
      if (stream.status !== 200) res.on('end', () => req.destroy());
      // Once answered, the idle timeout no longer applies: a stream is quiet between heartbeats.
      req.setTimeout(0);
      resolve(stream);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(stream));
  });
}

/** Runs the scenario on an instance of its own and returns its figures. */
export async function streamSlotAttack(): Promise<Record<string, unknown>> {
  const svc = await startTestService();
  const started = Date.now();
  const opened: Open[] = [];
  try {
    const schedule = async (who: TestAccount) => {
      const res = await fetch(`${svc.url}/api/calls`, { method: 'POST', headers: who.headers, body: JSON.stringify({ to: '+12025550123', at: DateTime.utc().plus({ days: 1 }).toISO() }) });
      await res.arrayBuffer();
    };
    const attackers = await Promise.all(Array.from({ length: ACCOUNTS }, () => createTestAccount(svc.deps)));
    const bystander = await createTestAccount(svc.deps);
    const idle = await createTestAccount(svc.deps);
    for (const who of [...attackers, bystander]) await schedule(who);

    const attempts = attackers.flatMap((who, a) => Array.from({ length: PER_ACCOUNT }, () => ({ token: who.token, address: `127.0.0.${10 + (a % ADDRESSES)}` })));
    const attacker: Open[] = [];
    for (let i = 0; i < attempts.length; i += BATCH) {
      attacker.push(...(await Promise.all(attempts.slice(i, i + BATCH).map((at) => openStream(svc.port, at.token, at.address)))));
    }
    opened.push(...attacker);
    const first = await openStream(svc.port, bystander.token, '127.0.0.9');
    // The last attacker's: it opened last, so it evicted rather than was evicted, and holds all 8.
    const ninth = await openStream(svc.port, (attackers[ACCOUNTS - 1] as TestAccount).token, `127.0.0.${10 + ((ACCOUNTS - 1) % ADDRESSES)}`);
    const noCall = await openStream(svc.port, idle.token, '127.0.0.9');
    opened.push(first, ninth, noCall);
    // An evicted stream ends in the background: a moment for its close to reach the client (figures only).
    await delay(500);
    const count = (status: number) => attacker.filter((s) => s.status === status).length;
    return {
      accounts: ACCOUNTS,
      streamsTried: attempts.length,
      attackerStreams: { ok200: count(200), refused429: count(429), other: attacker.length - count(200) - count(429) },
      attackerStreamsEndedByServer: attacker.filter((s) => s.status === 200 && s.ended).length,
      openOnInstance: svc.deps.live.size,
      bystanderFirstStream: first.status,
      attackersNinthStream: ninth.status,
      accountWithoutCallsStream: noCall.status,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const stream of opened) stream.close();
    await svc.stop();
  }
}
