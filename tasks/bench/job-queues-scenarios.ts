import { performance } from 'node:perf_hooks';
import { Logger, makeWorkerUtils, run, runMigrations } from 'graphile-worker';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import type { DialLimits, DialStore } from '../../src/dialing/dial-store.ts';
import { createStore } from '../../src/store/create-store.ts';
import { createBenchDb, type StoreKind } from './bench-db.ts';
import type { ScenarioIo } from './scenario-io.ts';
import { summarize, type Summary } from './stats.ts';

/** Jobs due at once, done as fast as the queue goes: how many, in how long. */
export type BurstResult = { jobs: number; seconds: number; jobsPerSec: number; setup: string };
/** Jobs due one after another over a span: how late each was started, against its due time (ms). */
export type SpreadResult = { jobs: number; spanMs: number; lateness: Summary; setup: string; /** How long after the first due time the last job was stored (0: all before). */ storedLateMs: number };
export type BurstParams = { count: number; maxSeconds: number };
export type SpreadParams = { count: number; spanMs: number; leadMs: number };

const QUEUE = 'bench';
/** Trivial work: the job is done as soon as it is handed over. */
const nothing = () => Promise.resolve();
const silent = new Logger(() => () => undefined);
/** No limit the claim may hit: the channels and the dial rate are not what this measures. */
const NO_LIMITS: DialLimits = { maxLive: 1_000_000_000, perAccount: 1_000_000_000, perWindow: 1_000_000_000, windowMs: 1000 };

/** Resolves when `count` reaches `target` or `maxSeconds` pass; returns the seconds from `t0`. */
function waitFor(done: () => number, target: number, maxSeconds: number, t0: number): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      const elapsed = (performance.now() - t0) / 1000;
      if (done() >= target || elapsed >= maxSeconds) resolve(elapsed);
      else setTimeout(check, 5);
    };
    check();
  });
}

async function inParallel(count: number, lanes: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    for (let i = next++; i < count; i = next++) await work(i);
  }));
}

/** pg-boss with its fetch in batches of 100 and a complete per batch, one fetcher: its own claim path. */
async function pgBoss<T>(io: ScenarioIo, work: (boss: PgBoss) => Promise<T>): Promise<T> {
  const db = await createBenchDb('postgres', 'pgboss');
  const boss = new PgBoss({ connectionString: db.databaseUrl, max: 4 });
  boss.on('error', () => undefined);
  try {
    io.progress('pg-boss: installing its schema');
    await boss.start();
    await boss.createQueue(QUEUE);
    return await work(boss);
  } finally {
    await boss.stop({ graceful: false, timeout: 5000 }).catch(() => undefined);
    await db.drop();
  }
}

/** graphile-worker with its own runner (concurrency 10, pollInterval 100 ms: the shipped 2 s would only add lateness). */
async function graphile<T>(io: ScenarioIo, work: (pgPool: pg.Pool) => Promise<T>): Promise<T> {
  const db = await createBenchDb('postgres', 'graphile');
  // A pool of our own, ended before the database is dropped: a connection the drop cuts must not end the process.
  const pgPool = new pg.Pool({ connectionString: db.databaseUrl, max: 12 });
  pgPool.on('error', () => undefined);
  try {
    io.progress('graphile-worker: installing its schema');
    await runMigrations({ pgPool, logger: silent });
    return await work(pgPool);
  } finally {
    await pgPool.end().catch(() => undefined);
    await db.drop();
  }
}

async function addGraphileJobs(pgPool: pg.Pool, dueAt: ((i: number) => number) | undefined, count: number): Promise<void> {
  const utils = await makeWorkerUtils({ pgPool, logger: silent });
  try {
    for (let from = 0; from < count; from += 1000) {
      const specs = Array.from({ length: Math.min(1000, count - from) }, (_, k) => {
        const due = dueAt?.(from + k);
        return { identifier: QUEUE, payload: { due: due ?? null }, ...(due === undefined ? {} : { runAt: new Date(due) }) };
      });
      await utils.addJobs(specs);
    }
  } finally {
    await utils.release();
  }
}

const GRAPHILE_OPTIONS = { concurrency: 10, pollInterval: 100, noHandleSignals: true, logger: silent };

/** This service's claim path: the store's DialStore port, as the dialer calls it, on a store of its own. */
async function claimStore<T>(kind: StoreKind, io: ScenarioIo, dues: (i: number) => number, count: number, work: (store: DialStore) => Promise<T>): Promise<T> {
  const db = await createBenchDb(kind, 'claims');
  const store = createStore(db.databaseUrl, process.cwd());
  try {
    await store.migrate();
    io.progress(`${kind}: scheduling ${count} calls`);
    await inParallel(count, 16, (i) =>
      store.insertCall({ id: `c${String(i).padStart(6, '0')}`, to: '+12025550123', dueAt: dues(i), timeZone: 'UTC', message: null, createdAt: Date.now() }),
    );
    return await work(store);
  } finally {
    await store.close();
    await db.drop();
  }
}

export const scenarios = {
  async 'pgboss-burst'(params: BurstParams, io: ScenarioIo): Promise<BurstResult> {
    return pgBoss(io, async (boss) => {
      io.progress(`pg-boss: ${params.count} jobs due at once`);
      for (let from = 0; from < params.count; from += 1000) {
        await boss.insert(QUEUE, Array.from({ length: Math.min(1000, params.count - from) }, (_, k) => ({ data: { n: from + k } })));
      }
      let done = 0;
      const t0 = performance.now();
      const deadline = t0 + params.maxSeconds * 1000;
      while (done < params.count && performance.now() < deadline) {
        const jobs = await boss.fetch(QUEUE, { batchSize: 100 });
        if (jobs.length === 0) break;
        await nothing();
        await boss.complete(QUEUE, jobs.map((j) => j.id));
        done += jobs.length;
      }
      const seconds = (performance.now() - t0) / 1000;
      return { jobs: done, seconds, jobsPerSec: done / seconds, setup: 'one fetcher, fetch batchSize 100, one complete per batch' };
    });
  },

  async 'pgboss-spread'(params: SpreadParams, io: ScenarioIo): Promise<SpreadResult> {
    return pgBoss(io, async (boss) => {
      const start = Date.now() + params.leadMs;
      const dueAt = (i: number) => start + Math.floor((i * params.spanMs) / params.count);
      io.progress(`pg-boss: ${params.count} jobs due over ${params.spanMs} ms`);
      for (let from = 0; from < params.count; from += 1000) {
        await boss.insert(QUEUE, Array.from({ length: Math.min(1000, params.count - from) }, (_, k) => ({ data: { due: dueAt(from + k) }, startAfter: new Date(dueAt(from + k)) })));
      }
      const storedLateMs = Math.max(0, Date.now() - start);
      const lateness: number[] = [];
      const t0 = performance.now();
      await boss.work<{ due: number }>(QUEUE, { batchSize: 100, pollingIntervalSeconds: 0.5 }, (jobs) => {
        const now = Date.now();
        for (const job of jobs) lateness.push(now - job.data.due);
        return nothing();
      });
      await waitFor(() => lateness.length, params.count, (start - Date.now() + params.spanMs) / 1000 + 30, t0);
      return { jobs: lateness.length, spanMs: params.spanMs, lateness: summarize(lateness), setup: 'work() with batchSize 100, pollingIntervalSeconds 0.5 (its minimum)', storedLateMs };
    });
  },

  async 'graphile-burst'(params: BurstParams, io: ScenarioIo): Promise<BurstResult> {
    return graphile(io, async (pgPool) => {
      io.progress(`graphile-worker: ${params.count} jobs due at once`);
      await addGraphileJobs(pgPool, undefined, params.count);
      let done = 0;
      const t0 = performance.now();
      const runner = await run({ pgPool, ...GRAPHILE_OPTIONS, taskList: {
          [QUEUE]: async () => {
            await nothing();
            done++;
          },
        },
      });
      try {
        const seconds = await waitFor(() => done, params.count, params.maxSeconds, t0);
        return { jobs: done, seconds, jobsPerSec: done / seconds, setup: 'run() with concurrency 10, pollInterval 100 ms' };
      } finally {
        await runner.stop();
      }
    });
  },

  async 'graphile-spread'(params: SpreadParams, io: ScenarioIo): Promise<SpreadResult> {
    return graphile(io, async (pgPool) => {
      const start = Date.now() + params.leadMs;
      const dueAt = (i: number) => start + Math.floor((i * params.spanMs) / params.count);
      io.progress(`graphile-worker: ${params.count} jobs due over ${params.spanMs} ms`);
      await addGraphileJobs(pgPool, dueAt, params.count);
      const storedLateMs = Math.max(0, Date.now() - start);
      const lateness: number[] = [];
      const t0 = performance.now();
      const runner = await run({
        pgPool,
        ...GRAPHILE_OPTIONS,
        taskList: {
          [QUEUE]: async (payload) => {
            lateness.push(Date.now() - (payload as { due: number }).due);
            await nothing();
          },
        },
      });
      try {
        await waitFor(() => lateness.length, params.count, (start - Date.now() + params.spanMs) / 1000 + 30, t0);
        return { jobs: lateness.length, spanMs: params.spanMs, lateness: summarize(lateness), setup: 'run() with concurrency 10, pollInterval 100 ms', storedLateMs };
      } finally {
        await runner.stop();
      }
    });
  },

  /** This service's claim path with every call due at once: one claimer, as one dialer claims, until none is due. */
  async 'claim-burst'(params: BurstParams & { store: StoreKind }, io: ScenarioIo): Promise<BurstResult> {
    const now = Date.now();
    return claimStore(params.store, io, () => now, params.count, async (store) => {
      io.progress(`${params.store}: claiming ${params.count} due calls`);
      let done = 0;
      const t0 = performance.now();
      const deadline = t0 + params.maxSeconds * 1000;
      while (done < params.count && performance.now() < deadline) {
        const result = await store.claimDue(Date.now, NO_LIMITS, { owner: 'bench', until: Date.now() + 600_000 }, store.claimBatch);
        if (result.claimed.length === 0) {
          if (result.reason === 'none_due') break;
          continue;
        }
        await Promise.all(result.claimed.map(nothing));
        done += result.claimed.length;
      }
      const seconds = (performance.now() - t0) / 1000;
      return { jobs: done, seconds, jobsPerSec: done / seconds, setup: `one claimer, claimDue (DialStore port) in batches of ${store.claimBatch} (the store's, as the dialer asks), until none is due` };
    });
  },

  /**
   * This service's claim path with the calls due over a span: one timer armed for the next due time (as the
   * dialer's due window does), and at each fire claims until none is due; lateness is the claim's return − due time.
   */
  async 'claim-spread'(params: SpreadParams & { store: StoreKind }, io: ScenarioIo): Promise<SpreadResult> {
    const start = Date.now() + params.leadMs;
    const dueAt = (i: number) => start + Math.floor((i * params.spanMs) / params.count);
    return claimStore(params.store, io, dueAt, params.count, async (store) => {
      const storedLateMs = Math.max(0, Date.now() - start);
      io.progress(`${params.store}: claiming ${params.count} calls due over ${params.spanMs} ms`);
      const lateness: number[] = [];
      let next = 0;
      const deadline = start + params.spanMs + 30_000;
      while (next < params.count && Date.now() < deadline) {
        const wait = dueAt(next) - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        for (;;) {
          const result = await store.claimDue(Date.now, NO_LIMITS, { owner: 'bench', until: Date.now() + 600_000 }, store.claimBatch);
          if (result.claimed.length === 0) {
            if (result.reason === 'none_due') break;
            continue;
          }
          const at = Date.now();
          for (const call of result.claimed) lateness.push(at - call.dueAt);
          next += result.claimed.length;
        }
      }
      return { jobs: lateness.length, spanMs: params.spanMs, lateness: summarize(lateness), setup: `one timer for the next due time, claimDue in batches of ${store.claimBatch} (the store's) until none is due`, storedLateMs };
    });
  },
};
