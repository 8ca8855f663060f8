import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPostgresStore } from '../../src/store/postgres/pg-store.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { createBenchDb, type BenchDb, type StoreKind } from './bench-db.ts';
import { freePort } from './bench-service.ts';
import { memoryOf } from './proc-stats.ts';
import type { ScenarioIo } from './scenario-io.ts';
import { startSimHost } from './sim-client.ts';
import { summarize, type Summary } from './stats.ts';
import { newSigningSeed } from './telnyx-webhooks.ts';
import { sleep, waitUntil } from './wait.ts';
import { productionEnv, stopChild } from './main-process.ts';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'main.ts');

export type ScaleParams = {
  /** Pending calls already in the file, due between an hour and 90 days ahead. */
  rows: number;
  /** Calls due just after start, whose dial lateness is measured. */
  near: number;
  nearLeadMs: number;
  nearSpacingMs: number;
  store: StoreKind;
};

export type ScaleResult = {
  params: ScaleParams;
  buildSeconds: number;
  dbMb: number;
  spawnToListeningMs: number | null;
  spawnToReadyMs: number | null;
  rssAtReadyMb: number | null;
  rssAfterMb: number | null;
  peakRssMb: number | null;
  nearClaimed: number;
  nearLateness: Summary;
};

/**
 * Fills the file the way the service would have: the store's own migrations, then `rows` scheduled calls with
 * their first timeline event, in one transaction, with the WAL checkpointed as a settled database would be.
 */
async function buildSqlite(path: string, rows: number, io: ScenarioIo): Promise<void> {
  const store = createSqliteStore({ path });
  await store.migrate();
  await store.close();
  const db = new DatabaseSync(path);
  const insertCall = db.prepare(
    "INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at) VALUES (?, '+12025550123', ?, 'UTC', NULL, 'scheduled', ?, ?)",
  );
  const insertEvent = db.prepare("INSERT INTO call_events (call_id, at, kind, name, detail) VALUES (?, ?, 'status', 'scheduled', ?)");
  const now = Date.now();
  const span = 89 * 86_400_000;
  db.exec('BEGIN');
  for (let i = 0; i < rows; i++) {
    if (i % 100_000 === 0) {
      io.progress(`inserting pending calls ${i.toLocaleString('en-US')}/${rows.toLocaleString('en-US')}`);
      // Let the progress message out; the transaction stays open across the pause.
      await sleep(0);
    }
    const id = randomUUID();
    const due = now + 3_600_000 + Math.floor((i * span) / rows);
    insertCall.run(id, due, now, now);
    insertEvent.run(id, now, `{"dueAt":${due}}`);
  }
  db.exec('COMMIT');
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * The same on PostgreSQL, in bulk: the store's own migrations, then the calls and their timeline rows each in one
 * INSERT … SELECT over generate_series (row by row over the network would take minutes), then VACUUM ANALYZE, as
 * autovacuum would leave a settled database.
 */
async function buildPostgres(databaseUrl: string, rows: number, io: ScenarioIo): Promise<void> {
  const store = createPostgresStore({ connectionString: databaseUrl, max: 1 });
  await store.migrate();
  await store.close();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const now = Date.now();
    io.progress(`bulk-loading ${rows.toLocaleString('en-US')} pending calls (generate_series)`);
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at)
       SELECT gen_random_uuid()::text, '+12025550123', $1::bigint + 3600000 + (i * $2::bigint) / $3::bigint, 'UTC', NULL, 'scheduled', $1::bigint, $1::bigint
       FROM generate_series(0, $3::bigint - 1) AS i`,
      [now, 89 * 86_400_000, rows],
    );
    await client.query(
      `INSERT INTO call_events (call_id, at, kind, name, detail)
       SELECT id, created_at, 'status', 'scheduled', '{"dueAt":' || due_at || '}' FROM calls ORDER BY due_at`,
    );
    await client.query('COMMIT');
    io.progress('VACUUM ANALYZE');
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** The database's size on disk, in MB. */
async function sizeMb(db: BenchDb): Promise<number> {
  if (db.kind === 'sqlite') return statSync(db.databaseUrl.slice('sqlite:'.length)).size / 2 ** 20;
  return ((await db.all<{ n: number }>('SELECT pg_database_size(current_database()) AS n'))[0]?.n ?? 0) / 2 ** 20;
}

/** Adds the calls due just after start; returns their ids. */
async function addNearCalls(db: BenchDb, params: ScaleParams, firstDue: number): Promise<string[]> {
  const now = Date.now();
  const calls = Array.from({ length: params.near }, (_, i) => ({ id: randomUUID(), dueAt: firstDue + i * params.nearSpacingMs }));
  if (db.kind === 'postgres') {
    const client = new pg.Client({ connectionString: db.databaseUrl });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at)
         SELECT u.id, '+12025550123', u.due, 'UTC', 'Scale bench.', 'scheduled', $3, $3 FROM unnest($1::text[], $2::bigint[]) AS u(id, due)`,
        [calls.map((c) => c.id), calls.map((c) => c.dueAt), now],
      );
    } finally {
      await client.end();
    }
    return calls.map((c) => c.id);
  }
  return addNearSqlite(db.databaseUrl.slice('sqlite:'.length), calls, now);
}

function addNearSqlite(path: string, calls: { id: string; dueAt: number }[], now: number): string[] {
  const db = new DatabaseSync(path);
  const insert = db.prepare(
    "INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at) VALUES (?, '+12025550123', ?, 'UTC', 'Scale bench.', 'scheduled', ?, ?)",
  );
  db.exec('BEGIN');
  for (const call of calls) insert.run(call.id, call.dueAt, now, now);
  db.exec('COMMIT');
  db.close();
  return calls.map((c) => c.id);
}

export const scenarios = {
  /**
   * Starts the real entry point (`node src/main.ts`) as an operator would, over a database (a SQLite file, or a
   * PostgreSQL database of its own) holding `rows` pending calls, against the carrier simulator in its own process;
   * measures start to ready, memory, and the lateness of the first calls to fall due.
   */
  async run(params: ScaleParams, io: ScenarioIo): Promise<ScaleResult> {
    const db = await createBenchDb(params.store, 'scale');
    try {
      const b0 = performance.now();
      if (db.kind === 'sqlite') await buildSqlite(db.databaseUrl.slice('sqlite:'.length), params.rows, io);
      else await buildPostgres(db.databaseUrl, params.rows, io);
      const buildSeconds = (performance.now() - b0) / 1000;
      return await measure(db, params, buildSeconds, io);
    } finally {
      await db.drop();
    }
  },
};

/** Starts the entry point over the built database and measures it (see `scenarios.run`). */
async function measure(db: BenchDb, params: ScaleParams, buildSeconds: number, io: ScenarioIo): Promise<ScaleResult> {
  const sim = await startSimHost({ seed: newSigningSeed(), knobs: { dialsPerSecond: 1_000_000, channels: 1_000_000, answerDelayMs: 600_000 } });
  io.spawned(sim.pid);
  let child: ChildProcess | undefined;
  try {
    const port = await freePort();
    const nearIds = await addNearCalls(db, params, Date.now() + params.nearLeadMs);
    const dbMb = await sizeMb(db);
    io.progress(`starting src/main.ts over ${params.rows.toLocaleString('en-US')} pending calls (${db.kind})`);
    const t0 = performance.now();
    const proc = spawn(process.execPath, [MAIN], {
      // Limits high: the lateness measured is the timer's and the database's, not the rate limiter's.
      env: productionEnv({ port, databaseUrl: db.databaseUrl, sim }, { DIALS_PER_SECOND: '1000', MAX_CONCURRENT_CALLS: '1000' }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    if (proc.pid) io.spawned(proc.pid);
    let listeningMs: number | null = null;
    // Read every log line (a full pipe would stall the service); the 'listening' line says it is up.
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (listeningMs === null && line.includes('"msg":"listening"')) listeningMs = performance.now() - t0;
    });
    let readyMs: number | null = null;
    await waitUntil(
      async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(1000) });
          await res.arrayBuffer();
          if (res.status === 200) readyMs = performance.now() - t0;
        } catch {
          // not listening yet
        }
        return readyMs !== null || proc.exitCode !== null;
      },
      { timeoutMs: 60_000, everyMs: 5 },
    );
    const atReady = proc.pid ? memoryOf(proc.pid) : null;
    io.progress(`waiting for the ${params.near} calls due after start`);
    const placeholders = nearIds.map(() => '?').join(',');
    const claimed = () => db.all<{ lateness_ms: number }>(`SELECT lateness_ms FROM calls WHERE id IN (${placeholders}) AND lateness_ms IS NOT NULL`, nearIds);
    await waitUntil(async () => (await claimed()).length === nearIds.length, { timeoutMs: params.nearLeadMs + params.near * params.nearSpacingMs + 30_000, everyMs: 200 });
    const lateness = (await claimed()).map((r) => r.lateness_ms);
    const after = proc.pid ? memoryOf(proc.pid) : null;
    return {
      params,
      buildSeconds,
      dbMb,
      spawnToListeningMs: listeningMs,
      spawnToReadyMs: readyMs,
      rssAtReadyMb: atReady?.rss ?? null,
      rssAfterMb: after?.rss ?? null,
      peakRssMb: after?.hwm ?? null,
      nearClaimed: lateness.length,
      nearLateness: summarize(lateness),
    };
  } finally {
    if (child) await stopChild(child);
    await sim.stop();
  }
}
