import { Worker } from 'node:worker_threads';
import type { LoadResult, LoadSpec } from './load-types.ts';

/**
 * Runs one bounded load in a worker thread and resolves with what it measured. The worker is terminated if it
 * outlives its own hard stop by a margin, so a wedged run cannot hang the suite.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (new URL(spec.url).hostname !== '127.0.0.1') throw new Error(`load targets 127.0.0.1 only, not ${spec.url}`);
  if (spec.requests.length === 0) throw new Error('load needs at least one request');
  const worker = new Worker(new URL('./load-worker.ts', import.meta.url), { workerData: spec });
  try {
    return await new Promise<LoadResult>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`load run did not end within ${spec.maxSeconds + 30} s`)), (spec.maxSeconds + 30) * 1000);
      worker.once('message', (result: LoadResult) => {
        clearTimeout(guard);
        resolve(result);
      });
      worker.once('error', (err: unknown) => {
        clearTimeout(guard);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
      worker.once('exit', (code) => {
        clearTimeout(guard);
        reject(new Error(`load worker exited (${code}) without a result`));
      });
    });
  } finally {
    await worker.terminate();
  }
}

