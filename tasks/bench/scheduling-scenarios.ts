import { createBenchDb, type StoreKind } from './bench-db.ts';
import { runLoad } from './load.ts';
import type { LoadRequest, LoadResult } from './load-types.ts';
import { monotonicUs } from './profile-summary.ts';
import type { ScenarioIo } from './scenario-io.ts';
import { startServiceHost } from './service-client.ts';

export type SchedulingParams = { connections: number; maxSeconds: number; amount: number };
export type SchedulingServiceResult = { load: LoadResult; stored: number; profile?: { file: string; fromUs: number; toUs: number } };

/**
 * `POST /api/calls` bodies as a program would send them: a valid number, a time within the next week. (Not further:
 * a call due more than 2^31 ms ahead makes the queue's timer fire every millisecond — see BENCHMARKS.md — which
 * would flood this benchmark's output with Node's TimeoutOverflowWarning.)
 */
function scheduleRequests(count: number, token?: string): LoadRequest[] {
  const now = Date.now();
  const out: LoadRequest[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(now + 3_600_000 + Math.floor(Math.random() * 7 * 86_400_000)).toISOString().replace(/\.\d+Z$/, 'Z');
    const body = JSON.stringify({ to: '+1 202 555 0123', at, timezone: 'Europe/Dublin', message: `Happy birthday, number ${i}!` });
    out.push({ method: 'POST', path: '/api/calls', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
  }
  return out;
}

export const scenarios = {
  /** A bare Koa app that parses the JSON body with the same koa-body settings and answers 201 with it. */
  async 'bare-json'(params: SchedulingParams, io: ScenarioIo): Promise<LoadResult> {
    const host = await startServiceHost({ op: 'start-bare', kind: 'koa-json' });
    io.spawned(host.pid);
    try {
      io.progress(`bare Koa JSON POST: ${params.connections} connections`);
      return await runLoad({ url: host.url, connections: params.connections, requests: scheduleRequests(2000), amount: params.amount, maxSeconds: params.maxSeconds, timeoutSeconds: 10, recordSamples: false });
    } finally {
      await host.stop();
    }
  },

  /**
   * The service's `POST /api/calls`: validation (number, time, zone), the durable insert, the queue told, 201.
   * With `profileDir` the service runs under `node --cpu-prof`.
   */
  async service(params: SchedulingParams & { store: StoreKind; profileDir?: string }, io: ScenarioIo): Promise<SchedulingServiceResult> {
    const db = await createBenchDb(params.store, 'schedule');
    const host = await startServiceHost(
      // The calls are due hours to days ahead: nothing dials, so no carrier is needed.
      { op: 'start-service', options: { databaseUrl: db.databaseUrl, telnyx: { baseUrl: 'http://127.0.0.1:9/v2', publicKey: Buffer.alloc(32).toString('base64') } } },
      params.profileDir ? { profileDir: params.profileDir } : {},
    );
    io.spawned(host.pid);
    let stopped: Promise<string | undefined> | undefined;
    const stop = () => (stopped ??= host.stop());
    try {
      io.progress(`preparing ${params.amount} requests`);
      const requests = scheduleRequests(params.amount, host.token);
      io.progress(`service POST /api/calls: ${params.connections} connections`);
      const fromUs = monotonicUs();
      const load = await runLoad({ url: host.url, connections: params.connections, requests, amount: requests.length, maxSeconds: params.maxSeconds, timeoutSeconds: 10, recordSamples: false });
      const toUs = monotonicUs();
      const profileFile = await stop();
      const stored = (await db.all<{ n: number }>('SELECT count(*) AS n FROM calls'))[0]?.n ?? 0;
      return { load, stored, ...(profileFile ? { profile: { file: profileFile, fromUs, toUs } } : {}) };
    } finally {
      await stop();
      await db.drop();
    }
  },
};
