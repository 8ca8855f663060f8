import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';

/** How often the thread checkpoints. */
const EVERY_MS = 100;
/**
 * The WAL size (pages, about 4 KB each) at which a commit on the main thread checkpoints after all. A passive
 * checkpoint never waits for the writer, so under a steady stream of commits it never catches the last one, and
 * only a writer that finds every frame copied starts the WAL over: this bounds the WAL at about 40 MB, and that
 * commit copies only the frames of the thread's last {@link EVERY_MS} (SQLite's default is 1,000 pages, all copied).
 */
const MAIN_THREAD_PAGES = 10_000;

/**
 * Moves the WAL checkpoint off the main thread. By default SQLite checkpoints inside the COMMIT that takes the
 * WAL past 1,000 pages: that commit writes the pages back and fsyncs the database file while the event loop waits
 * (measured: 40,000 call inserts, 20 per commit, 175–290 µs of wall time per call with it, 78–175 µs without).
 * Here a worker thread with a connection of its own checkpoints passively every {@link EVERY_MS}, and the main
 * connection only at {@link MAIN_THREAD_PAGES}. If the thread fails or exits early, the main connection goes back
 * to SQLite's default. Durability is the WAL's either way.
 */
export function startWalCheckpointer(db: DatabaseSync, path: string, busyTimeoutMs: number): { stop(): Promise<void> } {
  const worker = new Worker(new URL('./wal-checkpoint-worker.ts', import.meta.url), { workerData: { path, everyMs: EVERY_MS, busyTimeoutMs } });
  // An open store must not keep the process alive by this thread alone (stop() holds it until the thread is done).
  worker.unref();
  let stopping = false;
  const fallBack = () => {
    if (!stopping && db.isOpen) db.exec('PRAGMA wal_autocheckpoint = 1000');
  };
  worker.on('message', fallBack);
  worker.on('error', fallBack);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('exit', fallBack);
  db.exec(`PRAGMA wal_autocheckpoint = ${MAIN_THREAD_PAGES}`);
  return {
    stop: () => {
      if (!stopping) {
        stopping = true;
        worker.ref();
        worker.postMessage('stop');
      }
      return exited;
    },
  };
}
