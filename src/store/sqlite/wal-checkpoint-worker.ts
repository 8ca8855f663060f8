import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The thread of wal-checkpointer.ts: a connection of its own that copies the WAL's committed pages into the
 * database file every `everyMs` (PASSIVE: it never waits for, nor blocks, the writer), so the main thread's commits
 * no longer stop for a checkpoint's writes and fsyncs.
 */
const { path, everyMs, busyTimeoutMs } = workerData as { path: string; everyMs: number; busyTimeoutMs: number };
const db = new DatabaseSync(path, { timeout: busyTimeoutMs });
const timer = setInterval(() => {
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch (err) {
    // The main thread checkpoints at its commits again; this thread's work is done.
    clearInterval(timer);
    parentPort?.postMessage({ failed: err instanceof Error ? err.message : String(err) });
  }
}, everyMs);
parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try {
    // The last pages, so a clean stop leaves the WAL empty as SQLite's own close would.
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } finally {
    db.close();
    parentPort?.close();
  }
});
