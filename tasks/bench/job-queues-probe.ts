/**
 * A probe of the PostgreSQL batch claim beside pg-boss in one process run (not part of `make bench`): for each
 * round, pg-boss's burst, then this service's claim burst with the statistics a burst of inserts leaves (stale),
 * then with `ANALYZE calls` first. `--code=DIR` claims with another checkout's store (an interleaved before/after
 * on the same machine state); `--batch=N` overrides the store's batch (`claimBatch`, as the dialer asks). Run: npm exec -- node tasks/bench/job-queues-probe.ts
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createBenchDb } from './bench-db.ts';
import { scenarios } from './job-queues-scenarios.ts';
import type * as CreateStore from '../../src/store/create-store.ts';

const { values } = parseArgs({ options: { code: { type: 'string', default: '.' }, batch: { type: 'string' }, rounds: { type: 'string', default: '1' }, count: { type: 'string', default: '10000' }, only: { type: 'string', default: 'boss,stale,analyzed' } } });
const code = resolve(values.code);
const { createStore } = (await import(join(code, 'src/store/create-store.ts'))) as typeof CreateStore;
const count = Number(values.count);
let batch = 0;
const io = { progress: () => undefined, spawned: () => undefined };
const NO_LIMITS = { maxLive: 1e9, perAccount: 1e9, perWindow: 1e9, windowMs: 1000 };

async function claims(analyze: boolean): Promise<{ perSec: number; msPerClaim: number[] }> {
  const db = await createBenchDb('postgres', 'probe');
  const store = createStore(db.databaseUrl, code);
  batch = Number(values.batch ?? (store as { claimBatch?: number }).claimBatch ?? 100);
  try {
    await store.migrate();
    const now = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = next++; i < count; i = next++) {
        await store.insertCall({ id: `c${String(i).padStart(6, '0')}`, to: '+12025550123', dueAt: now, timeZone: 'UTC', message: null, createdAt: Date.now() });
      }
    }));
    if (analyze) {
      const c = new pg.Client({ connectionString: db.databaseUrl });
      await c.connect();
      await c.query('ANALYZE calls');
      await c.end();
    }
    let done = 0;
    const each: number[] = [];
    const t0 = performance.now();
    for (;;) {
      const t = performance.now();
      const result = await store.claimDue(Date.now, NO_LIMITS, { owner: 'probe', until: Date.now() + 600_000 }, batch);
      each.push(performance.now() - t);
      if (result.claimed.length === 0) {
        if (result.reason === 'none_due') break;
        continue;
      }
      done += result.claimed.length;
    }
    const seconds = (performance.now() - t0) / 1000;
    if (done !== count) throw new Error(`claimed ${done} of ${count}`);
    return { perSec: done / seconds, msPerClaim: each };
  } finally {
    await store.close();
    await db.drop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const only = new Set(values.only.split(','));
for (let r = 0; r < Number(values.rounds); r++) {
  const out: string[] = [`code=${values.code}`];
  let boss = NaN;
  if (only.has('boss')) {
    boss = (await scenarios['pgboss-burst']({ count, maxSeconds: 60 }, io)).jobsPerSec;
    out.push(`pg-boss ${boss.toFixed(0)}/s`);
  }
  for (const kind of ['stale', 'analyzed'] as const) {
    if (!only.has(kind)) continue;
    const c = await claims(kind === 'analyzed');
    out.push(`${kind} ${c.perSec.toFixed(0)}/s (${(c.perSec / boss).toFixed(2)}x, median claim ${median(c.msPerClaim).toFixed(1)} ms)`);
  }
  console.log([`${out[0]} batch=${batch}`, ...out.slice(1)].join(' | '));
}
