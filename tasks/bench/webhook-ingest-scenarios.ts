import { createPublicKey, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Telnyx from 'telnyx';
import { createWebhookVerifier } from '../../src/telnyx/webhook-verifier.ts';
import { createBenchDb, type StoreKind } from './bench-db.ts';
import { startServiceHost } from './service-client.ts';
import { runLoad } from './load.ts';
import type { LoadRequest, LoadResult } from './load-types.ts';
import { monotonicUs } from './profile-summary.ts';
import type { ScenarioIo } from './scenario-io.ts';
import { newSigningSeed, signedWebhook, signerFor, telnyxEventBody } from './telnyx-webhooks.ts';
import { waitUntil } from './wait.ts';

export type LoadParams = { connections: number; maxSeconds: number; amount: number };
export type Throughput = { concurrency: number; ops: number; seconds: number; opsPerSec: number };
export type CeilingResult = { unwrap: Throughput; unwrapSerial: Throughput; webCrypto: Throughput; cryptoVerify: Throughput };
export type IngestServiceResult = {
  load: LoadResult;
  calls: number;
  stored: number;
  appliedAtEnd: number;
  drainSeconds: number | null;
  /** With profiling: the service's main-thread profile and the load window in it (monotonic µs). */
  profile?: { file: string; fromUs: number; toUs: number };
};

/** Signed `call.speak.started` webhooks, each with its own event id, for the given calls in turn. */
function webhooks(count: number, callIds: readonly string[], seed: string, io: ScenarioIo): LoadRequest[] {
  const signer = signerFor(seed);
  const out: LoadRequest[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 10_000 === 0) io.progress(`signing webhooks ${i}/${count}`);
    const n = i % callIds.length;
    out.push(signedWebhook(signer, telnyxEventBody({ eventType: 'call.speak.started', callId: callIds[n] as string, callControlId: `v3:bench-${n}` })));
  }
  return out;
}

/** Runs `work` with `concurrency` in flight until `count` are done or `maxSeconds` pass. */
async function throughput(concurrency: number, count: number, maxSeconds: number, work: (i: number) => Promise<unknown>): Promise<Throughput> {
  let started = 0;
  let done = 0;
  const t0 = performance.now();
  const deadline = t0 + maxSeconds * 1000;
  const lane = async () => {
    while (started < count && performance.now() < deadline) {
      await work(started++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - t0) / 1000;
  return { concurrency, ops: done, seconds, opsPerSec: done / seconds };
}

export const scenarios = {
  /**
   * The ceiling set by verification alone, with as many in flight as the load has connections: the SDK's
   * `webhooks.unwrap` (the key imported into WebCrypto on every call), the service's verifier (WebCrypto, the key
   * imported once: the choice this measures), and node:crypto's synchronous ed25519 verify with the key imported once
   * (the alternative it was chosen over); the SDK one at a time too.
   */
  async 'verify-ceiling'(params: { count: number; maxSeconds: number; concurrency: number }, io: ScenarioIo): Promise<CeilingResult> {
    const seed = newSigningSeed();
    const signer = signerFor(seed);
    const requests: { body: string; headers: Record<string, string> }[] = webhooks(Math.min(params.count, 2000), ['ceiling-call'], seed, io).map((r) => ({
      body: r.body ?? '',
      // The headers as Koa hands them to the verifier: the SDK scans them all for its two.
      headers: { host: '127.0.0.1', connection: 'keep-alive', 'content-length': String(r.body?.length ?? 0), ...r.headers },
    }));
    const pick = (i: number) => requests[i % requests.length] ?? { body: '', headers: {} };
    const sdk = new Telnyx({ apiKey: 'webhook-verification-only', maxRetries: 0 });
    const unwrapOne = (i: number) => sdk.webhooks.unwrap(pick(i).body, { headers: pick(i).headers, key: signer.publicKeyBase64 });
    const seconds = params.maxSeconds / 3;
    io.progress(`SDK unwrap × ${params.concurrency} in flight`);
    const unwrap = await throughput(params.concurrency, params.count, seconds, unwrapOne);
    io.progress('SDK unwrap, one at a time');
    const unwrapSerial = await throughput(1, params.count, seconds / 2, unwrapOne);
    io.progress(`the service's verifier (WebCrypto, key imported once) × ${params.concurrency} in flight`);
    const verifyWebhook = createWebhookVerifier({ publicKey: () => signer.publicKeyBase64 });
    const webCrypto = await throughput(params.concurrency, params.count, seconds, (i) => verifyWebhook(pick(i).body, pick(i).headers));
    io.progress(`node:crypto verify × ${params.concurrency} in flight`);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(signer.publicKeyBase64, 'base64').toString('base64url') }, format: 'jwk' });
    const cryptoVerify = await throughput(params.concurrency, params.count, seconds, async (i) => {
      const r = pick(i);
      // The same work as the service's verifier but the signature check: parse after verifying.
      const ok = verify(null, Buffer.from(`${r.headers['telnyx-timestamp']}|${r.body}`), key, Buffer.from(r.headers['telnyx-signature-ed25519'] ?? '', 'base64'));
      if (!ok) throw new Error('signature did not verify');
      await Promise.resolve();
      return JSON.parse(r.body) as unknown;
    });
    return { unwrap, unwrapSerial, webCrypto, cryptoVerify };
  },

  /**
   * The route's reference: Koa reading the raw body and verifying it with the service's verifier, 200, nothing
   * stored (the "Koa + raw body + verify").
   */
  async 'koa-verify'(params: LoadParams, io: ScenarioIo): Promise<LoadResult> {
    const seed = newSigningSeed();
    const host = await startServiceHost({ op: 'start-bare', kind: 'koa-verify', publicKey: signerFor(seed).publicKeyBase64 });
    io.spawned(host.pid);
    try {
      const requests = webhooks(2000, ['reference-call'], seed, io);
      io.progress(`Koa + raw body + verify: ${params.connections} connections`);
      return await runLoad({ url: host.url, connections: params.connections, requests, amount: params.amount, maxSeconds: params.maxSeconds, timeoutSeconds: 10, recordSamples: false });
    } finally {
      await host.stop();
    }
  },

  /** A bare Koa app answering 200 to the same signed webhooks, without reading them: the HTTP stack's ceiling. */
  async 'bare-koa'(params: LoadParams, io: ScenarioIo): Promise<LoadResult> {
    const host = await startServiceHost({ op: 'start-bare', kind: 'koa-200' });
    io.spawned(host.pid);
    try {
      const requests = webhooks(2000, ['bare-call'], newSigningSeed(), io);
      io.progress(`bare Koa: ${params.connections} connections`);
      return await runLoad({ url: host.url, connections: params.connections, requests, amount: params.amount, maxSeconds: params.maxSeconds, timeoutSeconds: 10, recordSamples: false });
    } finally {
      await host.stop();
    }
  },

  /**
   * The service's `POST /webhook`: verify, insert into the inbox, 200, with the event worker applying each event to
   * a real (scheduled) call's timeline meanwhile. Every webhook has its own event id, so none is a duplicate.
   * With `profileDir` the service runs under `node --cpu-prof`.
   */
  async service(params: LoadParams & { calls: number; store: StoreKind; profileDir?: string }, io: ScenarioIo): Promise<IngestServiceResult> {
    const seed = newSigningSeed();
    const db = await createBenchDb(params.store, 'ingest');
    const host = await startServiceHost(
      // Nothing dials in this benchmark (the calls are due tomorrow): the carrier address is never used.
      { op: 'start-service', options: { databaseUrl: db.databaseUrl, telnyx: { baseUrl: 'http://127.0.0.1:9/v2', publicKey: signerFor(seed).publicKeyBase64 } } },
      params.profileDir ? { profileDir: params.profileDir } : {},
    );
    io.spawned(host.pid);
    let stopped: Promise<string | undefined> | undefined;
    const stop = () => (stopped ??= host.stop());
    try {
      const now = Date.now();
      io.progress(`scheduling ${params.calls} calls`);
      const callIds = await host.schedule(Array.from({ length: params.calls }, (_, i) => ({ to: '+12025550123', dueAt: now + 86_400_000 + i * 1000 })));
      const requests = webhooks(params.amount, callIds, seed, io);
      io.progress(`service: ${params.connections} connections`);
      const fromUs = monotonicUs();
      const load = await runLoad({ url: host.url, connections: params.connections, requests, amount: requests.length, maxSeconds: params.maxSeconds, timeoutSeconds: 10, recordSamples: false });
      const toUs = monotonicUs();
      const count = async (sql: string) => (await db.all<{ n: number }>(sql))[0]?.n ?? 0;
      const appliedAtEnd = await count('SELECT count(*) AS n FROM webhook_inbox WHERE applied_at IS NOT NULL');
      io.progress('waiting for the event worker to drain the inbox');
      const t0 = performance.now();
      const drained = await waitUntil(async () => (await count('SELECT count(*) AS n FROM webhook_inbox WHERE applied_at IS NULL')) === 0, { timeoutMs: 30_000, everyMs: 100 });
      const result: IngestServiceResult = {
        load,
        calls: params.calls,
        stored: await count('SELECT count(*) AS n FROM webhook_inbox'),
        appliedAtEnd,
        drainSeconds: drained ? (performance.now() - t0) / 1000 : null,
      };
      const profileFile = await stop();
      if (profileFile) result.profile = { file: profileFile, fromUs, toUs };
      return result;
    } finally {
      await stop();
      await db.drop();
    }
  },
};
