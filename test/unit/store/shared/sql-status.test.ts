import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CALL_STATUSES, FINAL_STATUSES, LIVE_STATUSES, sourcesOf, type CallStatus } from '../../../../src/calls/call.ts';
import { createPostgresStore } from '../../../../src/store/postgres/pg-store.ts';
import { postgresMigrations } from '../../../../src/store/postgres/migrate.ts';
import { IS_LIVE, IS_WAITING, WAITING_STATUSES, sqlStatusIn } from '../../../../src/store/shared/sql-status.ts';
import { sqliteMigrations } from '../../../../src/store/sqlite/migrate.ts';
import { createSqliteStore } from '../../../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../../../src/store/store.ts';
import { withPostgres } from '../../../helpers/postgres.ts';

const sorted = (list: readonly string[]) => [...list].sort();

// Declared first: the PostgreSQL tests are registered once the server answered (see withPostgres).
await withPostgres(test, (db) => {
  test('postgres: live, due and purged calls are exactly the sets call.ts names', async (t) => {
    const { schema, drop } = await db.freshSchema();
    const store = createPostgresStore({ connectionString: db.url, searchPath: schema, max: 2 });
    try {
      await store.migrate();
      await checkSets(t, store, async (id, status, endedAt) => {
        await db.admin(`UPDATE ${schema}.calls SET status = $1, ended_at = $2 WHERE id = $3`, [status, endedAt, id]);
      });
    } finally {
      await store.close();
      await drop();
    }
  });
});


test('sqlStatusIn renders one status as = and several as an IN list', (t) => {
  t.is(sqlStatusIn('status', ['scheduled']), "status = 'scheduled'");
  t.is(sqlStatusIn('status', ['dialing', 'ringing']), "status IN ('dialing', 'ringing')");
});

test('sqlStatusIn refuses anything that is not a call status or a plain column name', (t) => {
  t.throws(() => sqlStatusIn('status', ["scheduled'; DROP TABLE calls; --" as CallStatus]), { message: /not a call status/ });
  t.throws(() => sqlStatusIn('status; --', ['scheduled']), { message: /not a column name/ });
  t.throws(() => sqlStatusIn('status', []), { message: /no statuses/ });
});

test('the waiting set is what a claim, a cancel and a miss move from (the state machine says scheduled)', (t) => {
  t.deepEqual(WAITING_STATUSES, ['scheduled']);
  t.deepEqual(sourcesOf('canceled'), [...WAITING_STATUSES]);
  t.deepEqual(sourcesOf('missed'), [...WAITING_STATUSES]);
});

/** The status set a migration's partial index is declared over (`WHERE status = 'x'` or `WHERE status IN (…)`). */
function indexStatuses(migrations: readonly { sql: string }[], index: string): string[] {
  const all = migrations.map((m) => m.sql).join('\n');
  const line = all.split('\n').find((l) => l.includes(`CREATE INDEX ${index} `));
  if (!line) throw new Error(`no index ${index}`);
  const where = /WHERE status (?:= '([a-z_]+)'|IN \(([^)]*)\))/.exec(line);
  if (!where) throw new Error(`index ${index} has no status condition`);
  return where[1] !== undefined ? [where[1]] : (where[2] ?? '').split(',').map((s) => s.trim().replace(/'/g, ''));
}

for (const [name, migrations] of [
  ['sqlite', sqliteMigrations()],
  ['postgres', postgresMigrations()],
] as const) {
  test(`${name}: the partial indexes are declared over call.ts's sets, so the statements built from them can use them`, (t) => {
    t.deepEqual(sorted(indexStatuses(migrations, 'calls_live')), sorted(LIVE_STATUSES));
    t.deepEqual(sorted(indexStatuses(migrations, 'calls_scheduled_due')), sorted(WAITING_STATUSES));
  });
}

test('sqlite: the live count and the due scan search an index instead of scanning the table', (t) => {
  const db = new DatabaseSync(':memory:');
  for (const migration of sqliteMigrations()) db.exec(migration.sql);
  const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
  t.regex(plan(`SELECT count(*) FROM calls WHERE ${IS_LIVE}`), /^SEARCH calls USING (COVERING )?INDEX/);
  t.regex(plan(`SELECT id, due_at FROM calls WHERE ${IS_WAITING} ORDER BY due_at, id`), /^SEARCH calls USING (COVERING )?INDEX/);
  db.close();
});

/**
 * One call in every status, then the store's own statements: it counts as live exactly LIVE_STATUSES, offers as due
 * exactly the waiting ones, and purges exactly FINAL_STATUSES. `setStatus` writes the row behind the store's back.
 */
async function checkSets(t: ExecutionContext, store: Store, setStatus: (id: string, status: CallStatus, endedAt: number | null) => Promise<void>) {
  for (const [i, status] of CALL_STATUSES.entries()) {
    await store.insertCall({ id: `c-${status}`, to: '+15550100', dueAt: 1000 + i, timeZone: 'UTC', message: null, createdAt: 1 });
    await setStatus(`c-${status}`, status, FINAL_STATUSES.includes(status) ? 10 : null);
  }
  t.is(await store.countLive(), LIVE_STATUSES.length);
  t.deepEqual(sorted((await store.nextDue(100)).map((e) => e.id)), sorted(WAITING_STATUSES.map((s) => `c-${s}`)));
  t.deepEqual(sorted((await store.findStale(LIVE_STATUSES, Number.MAX_SAFE_INTEGER)).map((c) => c.status)), sorted(LIVE_STATUSES));
  t.is(await store.purgeFinished(Number.MAX_SAFE_INTEGER), FINAL_STATUSES.length);
  const left = await Promise.all(CALL_STATUSES.map((s) => store.getCall(`c-${s}`)));
  t.deepEqual(sorted(left.flatMap((c) => (c ? [c.status] : []))), sorted(CALL_STATUSES.filter((s) => !FINAL_STATUSES.includes(s))));
}

test('sqlite: live, due and purged calls are exactly the sets call.ts names', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-sql-status-'));
  const path = join(dir, 'calls.db');
  const store = createSqliteStore({ path });
  await store.migrate();
  const raw = new DatabaseSync(path);
  try {
    await checkSets(t, store, (id, status, endedAt) => {
      raw.prepare('UPDATE calls SET status = ?, ended_at = ? WHERE id = ?').run(status, endedAt, id);
      return Promise.resolve();
    });
  } finally {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
