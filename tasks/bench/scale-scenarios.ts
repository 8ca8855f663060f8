import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { benchDir, freePort } from './bench-service.ts';
import { memoryOf } from './proc-stats.ts';
import type { ScenarioIo } from './scenario-io.ts';
import { startSimHost } from './sim-client.ts';
import { summarize, type Summary } from './stats.ts';
import { newSigningSeed } from './telnyx-webhooks.ts';
import { sleep, waitUntil } from './wait.ts';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'main.ts');

export type ScaleParams = {
  /** Pending calls already in the file, due between an hour and 90 days ahead. */
  rows: number;
  /** Calls due just after start, whose dial lateness is measured. */
  near: number;
  nearLeadMs: number;
  nearSpacingMs: number;
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
async function buildDatabase(path: string, rows: number, io: ScenarioIo): Promise<void> {
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

/** Adds the calls due just after start; returns their ids. */
function addNearCalls(path: string, params: ScaleParams, firstDue: number): string[] {
  const db = new DatabaseSync(path);
  const ids: string[] = [];
  const insert = db.prepare(
    "INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at) VALUES (?, '+12025550123', ?, 'UTC', 'Scale bench.', 'scheduled', ?, ?)",
  );
  const now = Date.now();
  db.exec('BEGIN');
  for (let i = 0; i < params.near; i++) {
    const id = randomUUID();
    insert.run(id, firstDue + i * params.nearSpacingMs, now, now);
    ids.push(id);
  }
  db.exec('COMMIT');
  db.close();
  return ids;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const scenarios = {
  /**
   * Starts the real entry point (`node src/main.ts`) as an operator would, over a SQLite file holding `rows`
   * pending calls, against the carrier simulator in its own process; measures start to ready, memory, and the
   * lateness of the first calls to fall due.
   */
  async run(params: ScaleParams, io: ScenarioIo): Promise<ScaleResult> {
    const dir = benchDir('scale');
    const path = join(dir, 'scale.db');
    const b0 = performance.now();
    await buildDatabase(path, params.rows, io);
    const buildSeconds = (performance.now() - b0) / 1000;
    const sim = await startSimHost({ seed: newSigningSeed(), knobs: { dialsPerSecond: 1_000_000, channels: 1_000_000, answerDelayMs: 600_000 } });
    io.spawned(sim.pid);
    let child: ChildProcess | undefined;
    try {
      const port = await freePort();
      const nearIds = addNearCalls(path, params, Date.now() + params.nearLeadMs);
      const dbMb = statSync(path).size / 2 ** 20;
      io.progress(`starting src/main.ts over ${params.rows.toLocaleString('en-US')} pending calls`);
      const t0 = performance.now();
      const proc = spawn(process.execPath, [MAIN], {
        env: {
          STAGE: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          DATABASE_URL: `sqlite:${path}`,
          LOG_LEVEL: 'info',
          TELNYX_API_KEY: 'bench-key',
          TELNYX_PUBLIC_KEY: sim.publicKeyBase64,
          TELNYX_CONNECTION_ID: 'bench-connection',
          TELNYX_FROM_NUMBER: '+12025550100',
          TELNYX_BASE_URL: sim.baseUrl,
          // Production requires account mail and a signing secret; nothing here signs in or sends mail.
          SMTP_URL: 'smtp://127.0.0.1:9',
          JWT_SECRET: randomBytes(32).toString('base64url'),
          // Limits high: the lateness measured is the timer's and the database's, not the rate limiter's.
          DIALS_PER_SECOND: '1000',
          MAX_CONCURRENT_CALLS: '1000',
        },
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
      const db = new DatabaseSync(path, { readOnly: true });
      const placeholders = nearIds.map(() => '?').join(',');
      const claimed = () => db.prepare(`SELECT lateness_ms FROM calls WHERE id IN (${placeholders}) AND lateness_ms IS NOT NULL`).all(...nearIds) as { lateness_ms: number }[];
      await waitUntil(() => claimed().length === nearIds.length, { timeoutMs: params.nearLeadMs + params.near * params.nearSpacingMs + 30_000, everyMs: 200 });
      const lateness = claimed().map((r) => r.lateness_ms);
      db.close();
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
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
