/**
 * The load generator's thread: autocannon, driven from a worker so its event loop never shares a thread with the
 * server it measures (they still share the machine's cores, which the report says).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { LoadResult, LoadSpec } from './load-types.ts';
import { summarize } from './stats.ts';

const spec = workerData as LoadSpec;
const host = new URL(spec.url).hostname;
if (host !== '127.0.0.1') throw new Error(`load generator targets 127.0.0.1 only, not ${host}`);

let next = 0;
const latencies: number[] = [];
const completions: number[] = [];
const statusCounts: Record<string, number> = {};
/** When each connection's outstanding request was written (one per connection: no pipelining). */
const outstanding = new Map<object, number>();
const waited: number[] = [];
const started = performance.now();
// autocannon bounds a run by `amount` or by `duration`, not both: the time bound is ours.
const control: { stop?: () => void } = {};
const hardStop = setTimeout(() => control.stop?.(), spec.maxSeconds * 1000);

const instance = autocannon(
  {
    url: spec.url,
    connections: spec.connections,
    amount: spec.amount,
    timeout: spec.timeoutSeconds,
    // autocannon's coordinated-omission correction (with a rate) back-fills samples at a 1 ms step; our latencies
    // come from the raw responses below instead, so it is off.
    ...(spec.overallRate ? { overallRate: spec.overallRate, ignoreCoordinatedOmission: true } : {}),
    setupClient: (client) => {
      const emitter = client as unknown as NodeJS.EventEmitter;
      emitter.on('request', () => outstanding.set(client, performance.now()));
      emitter.on('response', () => outstanding.delete(client));
      emitter.on('timeout', () => {
        outstanding.delete(client);
        waited.push(spec.timeoutSeconds * 1000);
      });
    },
    requests: [
      {
        setupRequest: (request) => {
          const source = spec.requests[next++ % spec.requests.length];
          return source ? { ...request, ...source } : request;
        },
      },
    ],
  },
  (err, result) => {
    clearTimeout(hardStop);
    if (err) throw err instanceof Error ? err : new Error(String(err));
    const stoppedAt = performance.now();
    const unanswered = [...outstanding.values()].map((sentAt) => stoppedAt - sentAt);
    const ok = Object.entries(statusCounts).reduce((n, [code, count]) => (code.startsWith('2') ? n + count : n), 0);
    const out: LoadResult = {
      connections: spec.connections,
      amount: spec.amount,
      maxSeconds: spec.maxSeconds,
      rate: spec.overallRate ?? null,
      durationSeconds: result.duration,
      sent: Math.min(next, spec.amount),
      responses: latencies.length,
      ok,
      statusCounts,
      errors: result.errors,
      timeouts: result.timeouts,
      unanswered: unanswered.length,
      reqPerSec: result.duration > 0 ? ok / result.duration : 0,
      latency: summarize([...latencies, ...waited, ...unanswered]),
      censored: waited.length + unanswered.length,
      censoredMaxMs: Math.max(0, ...waited, ...unanswered),
      ...(spec.recordSamples ? { samples: { completionMs: completions, latencyMs: latencies } } : {}),
    };
    parentPort?.postMessage(out);
  },
);
control.stop = () => instance.stop();
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  latencies.push(responseTime);
  if (spec.recordSamples) completions.push(performance.now() - started);
  statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
});
