import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { nextOccurrences } from '../../src/schedules/recurrence.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { benchDir, freePort } from './bench-service.ts';
import { memoryOf } from './proc-stats.ts';
import type { ScenarioIo } from './scenario-io.ts';
import { startSimHost } from './sim-client.ts';
import { newSigningSeed } from './telnyx-webhooks.ts';
import { sleep, waitUntil } from './wait.ts';
import { productionEnv, stopChild } from './main-process.ts';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'main.ts');
const LOOP_PROBE = join(dirname(fileURLToPath(import.meta.url)), 'loop-probe.ts');
const PER_ACCOUNT = 10;
/** The steady window: longer than the keeper's 30 s between sweeps, so it holds one whole sweep (and six reconciler rounds). */
const STEADY_MS = 32_000;

/** What `loop-probe.ts` wrote: the entry point's event-loop gaps (1 ms ticks) over one window. */
export type LoopWindow = { seq: number; samples: number; p50Ms: number; p99Ms: number; maxMs: number };

export type SchedulesParams = {
  /** Active schedules in the file (daily, at minutes spread over the day, each to its own number). */
  schedules: number;
  /** True: each already has its pending occurrence (a restart); false: none has (the keeper makes them all at start). */
  withPending: boolean;
  /** Also watch the event loop for {@link STEADY_MS} once every schedule has its occurrence. */
  steady?: boolean;
};

export type SchedulesResult = {
  params: SchedulesParams;
  buildSeconds: number;
  dbMb: number;
  spawnToReadyMs: number | null;
  /** Spawn until every schedule has its pending occurrence. */
  spawnToAllPendingMs: number | null;
  rssAtReadyMb: number | null;
  peakRssMb: number | null;
  pending: number;
  /** One sweep's query with nothing to do (every schedule has its occurrence), read in this process over the file. */
  idleSweepMs: number;
  /** The event loop from /ready until every schedule had its occurrence (the first start: the keeper making them all). */
  loopToPending: LoopWindow | null;
  /** The event loop over {@link STEADY_MS} after that, when asked: the keeper's idle sweep, upkeep, nothing else to do. */
  loopSteady: LoopWindow | null;
};

/** Accounts, schedules (and, `withPending`, their occurrences) written as the service would, in one transaction. */
async function buildDatabase(path: string, params: SchedulesParams): Promise<void> {
  const store = createSqliteStore({ path });
  await store.migrate();
  await store.close();
  const db = new DatabaseSync(path);
  const now = Date.now();
  const account = db.prepare('INSERT INTO accounts (id, email, password_hash, activated_at, created_at) VALUES (?, ?, NULL, ?, ?)');
  const schedule = db.prepare(
    `INSERT INTO schedules (id, account_id, to_number, time_zone, repeat, cron, message, status, created_at, updated_at, after_at, next_at, last_occurrence_at)
     VALUES (?, ?, ?, 'Europe/Dublin', ?, ?, NULL, 'active', ?, ?, ?, ?, ?)`,
  );
  const call = db.prepare(
    `INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at, account_id, schedule_id, occurrence_at, try_number, tries_total)
     VALUES (?, ?, ?, 'Europe/Dublin', NULL, 'scheduled', ?, ?, ?, ?, ?, 1, 1)`,
  );
  const event = db.prepare("INSERT INTO call_events (call_id, at, kind, name, detail) VALUES (?, ?, 'status', 'scheduled', ?)");
  db.exec('BEGIN');
  for (let i = 0; i < params.schedules; i++) {
    const accountId = `bench-${Math.floor(i / PER_ACCOUNT)}`;
    // Established accounts (a month old): a new account's probation would refuse half the occurrences by itself.
    if (i % PER_ACCOUNT === 0) account.run(accountId, `${accountId}@example.test`, now - 30 * 86_400_000, now - 30 * 86_400_000);
    // Daily, the minutes of the day spread evenly, never within the first hour (nothing falls due during the run).
    const minuteOfDay = (60 + Math.floor((i * (22 * 60)) / params.schedules) + new Date(now).getUTCHours() * 60 + new Date(now).getUTCMinutes()) % 1440;
    const cron = `${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)} * * *`;
    const to = `+1${202 + Math.floor(i / 10_000)}555${String(i % 10_000).padStart(4, '0')}`;
    const id = randomUUID();
    const next = nextOccurrences(cron, 'Europe/Dublin', now, 1)[0] as number;
    const repeat = JSON.stringify({ every: 'day', at: `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}` });
    if (params.withPending) {
      schedule.run(id, accountId, to, repeat, cron, now, now, next, next, next);
      const callId = randomUUID();
      call.run(callId, to, next, now, now, accountId, id, next);
      event.run(callId, now, JSON.stringify({ dueAt: next, scheduleId: id }));
    } else {
      schedule.run(id, accountId, to, repeat, cron, now, now, now, null, null);
    }
  }
  db.exec('COMMIT');
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
}

export const scenarios = {
  /**
   * Starts the real entry point over a SQLite file holding `schedules` active schedules, with the default abuse
   * limits, against the carrier simulator in its own process; measures start to ready, memory, and how long the
   * schedule keeper takes until every schedule has its pending occurrence.
   */
  async run(params: SchedulesParams, io: ScenarioIo): Promise<SchedulesResult> {
    const dir = benchDir('schedules');
    const path = join(dir, 'schedules.db');
    const b0 = performance.now();
    io.progress(`building ${params.schedules.toLocaleString('en-US')} schedules`);
    await buildDatabase(path, params);
    const buildSeconds = (performance.now() - b0) / 1000;
    const sim = await startSimHost({ seed: newSigningSeed(), knobs: { dialsPerSecond: 1_000_000, channels: 1_000_000 } });
    io.spawned(sim.pid);
    let child: ChildProcess | undefined;
    try {
      const port = await freePort();
      const dbMb = statSync(path).size / 2 ** 20;
      const probeFile = join(dir, 'loop.json');
      const t0 = performance.now();
      const proc = spawn(process.execPath, ['--import', LOOP_PROBE, MAIN], {
        // The default limits, stated: every occurrence the keeper makes goes through them.
        env: productionEnv(
          { port, databaseUrl: `sqlite:${path}`, sim },
          { CALLS_PER_ACCOUNT_PER_DAY: '20', PENDING_CALLS_PER_ACCOUNT: '10', CALLS_PER_NUMBER_PER_DAY: '3', LOOP_PROBE_FILE: probeFile },
        ),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child = proc;
      if (proc.pid) io.spawned(proc.pid);
      createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', () => undefined);
      let readyMs: number | null = null;
      let atReady: { rss: number; hwm: number } | null = null;
      const db = new DatabaseSync(path, { readOnly: true });
      const pending = () =>
        (db.prepare("SELECT count(*) AS n FROM calls WHERE status = 'scheduled' AND schedule_id IS NOT NULL AND retry_of IS NULL").get() as { n: number }).n;
      let allPendingMs: number | null = null;
      // Asks the probe for the window since its last signal (and opens the next one); waits for its answer.
      let seq = 0;
      const loopWindow = async (): Promise<LoopWindow | null> => {
        seq += 1;
        proc.kill('SIGUSR2');
        let read: LoopWindow | null = null;
        await waitUntil(
          () => {
            try {
              const got = JSON.parse(readFileSync(probeFile, 'utf8')) as LoopWindow;
              if (got.seq === seq) read = got;
            } catch {
              // not written yet
            }
            return read !== null || proc.exitCode !== null;
          },
          { timeoutMs: 10_000, everyMs: 5 },
        );
        return read;
      };
      await waitUntil(
        async () => {
          if (readyMs === null) {
            try {
              const res = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(1000) });
              await res.arrayBuffer();
              if (res.status === 200) {
                readyMs = performance.now() - t0;
                atReady = proc.pid ? memoryOf(proc.pid) : null;
                // Start-up's own work is not a sweep's: the window opens at ready.
                await loopWindow();
              }
            } catch {
              // not listening yet
            }
          }
          if (allPendingMs === null && pending() >= params.schedules) allPendingMs = performance.now() - t0;
          return (readyMs !== null && allPendingMs !== null) || proc.exitCode !== null;
        },
        { timeoutMs: 120_000, everyMs: 5 },
      );
      const loopToPending = readyMs === null ? null : await loopWindow();
      let loopSteady: LoopWindow | null = null;
      if (params.steady && proc.exitCode === null) {
        io.progress(`watching the event loop for ${STEADY_MS / 1000} s`);
        await sleep(STEADY_MS);
        loopSteady = await loopWindow();
      }
      const after = proc.pid ? memoryOf(proc.pid) : null;
      const count = pending();
      db.close();
      await stopChild(proc);
      // The sweep's query with every schedule served: what the keeper pays every 30 s at steady state.
      const store = createSqliteStore({ path });
      const s0 = performance.now();
      let afterId = '';
      for (;;) {
        const page = await store.schedulesNeedingOccurrence(Date.now(), 500, afterId);
        if (page.length < 500) break;
        afterId = page[page.length - 1]?.id ?? '';
      }
      const idleSweepMs = performance.now() - s0;
      await store.close();
      return {
        params,
        buildSeconds,
        dbMb,
        spawnToReadyMs: readyMs,
        spawnToAllPendingMs: allPendingMs,
        rssAtReadyMb: (atReady as { rss: number } | null)?.rss ?? null,
        peakRssMb: after?.hwm ?? null,
        pending: count,
        idleSweepMs,
        loopToPending,
        loopSteady,
      };
    } finally {
      if (child) await stopChild(child);
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
