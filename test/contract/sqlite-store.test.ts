import test from 'ava';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { sqliteMigrations } from '../../src/store/sqlite/migrate.ts';
import { historySql, upcomingSql } from '../../src/store/sqlite/sqlite-call-list.ts';
import { storeContract } from './store.contract.ts';
import { liveStoreContract } from './live-store.contract.ts';
import { dialStoreContract } from './dial-store.contract.ts';
import { inboxStoreContract } from './inbox-store.contract.ts';
import { accountStoreContract } from './account-store.contract.ts';
import { scheduleStoreContract } from './schedule-store.contract.ts';

async function makeSqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'daj-store-'));
  const path = join(dir, 'nested', 'folder', 'calls.db');
  const open = async () => {
    const store = createSqliteStore({ path });
    await store.migrate();
    return store;
  };
  const store = await open();
  return {
    store,
    reopen: open,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
storeContract(test, 'sqlite', makeSqlite);
liveStoreContract(test, 'sqlite', makeSqlite);
dialStoreContract(test, 'sqlite', makeSqlite);
inboxStoreContract(test, 'sqlite', makeSqlite);
accountStoreContract(test, 'sqlite', makeSqlite);
scheduleStoreContract(test, 'sqlite', makeSqlite);

test('sqlite: when opened on a missing folder, then the folder and file are created in WAL mode with migrations recorded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'a', 'b.db');
  const store = createSqliteStore({ path });
  await store.migrate();
  await store.close();
  t.true(statSync(path).isFile());
  const db = new DatabaseSync(path);
  t.is((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
  t.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => (r as { version: number }).version), sqliteMigrations().map((m) => m.version));
  db.close();
});

test('sqlite: when a database from before accounts is migrated, then its calls keep no owner, are still dialed, and no account sees them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'old.db');
  // An older schema: migrations 1 and 2 only, with a call waiting.
  const old = new DatabaseSync(path);
  old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of sqliteMigrations().filter((m) => m.version <= 2)) {
    old.exec(m.sql);
    old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
  }
  old.prepare("INSERT INTO calls (id, to_number, due_at, time_zone, status, created_at, updated_at) VALUES ('legacy', '+12025550123', 5000, 'UTC', 'scheduled', 1, 1)").run();
  old.close();
  const store = createSqliteStore({ path });
  t.teardown(() => store.close());
  await store.migrate();
  t.deepEqual(await store.nextDue(10), [{ id: 'legacy', dueAt: 5000 }]);
  await store.insertAccount({ id: 'a', email: 'a@example.test', passwordHash: 'h', createdAt: 1 });
  t.deepEqual(await store.listCalls({ accountId: 'a', limit: 10 }), []);
  t.is(await store.getCall('legacy', 'a'), undefined);
});

test('sqlite: when the call list is read, then every statement seeks an index and sorts at most the ties of one time', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = createSqliteStore({ path: join(dir, 'plan.db') });
  await store.migrate();
  await store.close();
  const db = new DatabaseSync(join(dir, 'plan.db'));
  t.teardown(() => db.close());
  for (const scoped of [true, false]) {
    for (const paged of [true, false]) {
      for (const text of [upcomingSql(scoped, paged), historySql(scoped, paged)]) {
        const params = Array<number>(text.split('?').length - 1).fill(1);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as { detail: string }[]).map((r) => r.detail);
        t.true(plan.some((line) => /^SEARCH calls USING (COVERING )?INDEX/.test(line)), plan.join(' | '));
        t.false(plan.some((line) => /^SCAN calls|TEMP B-TREE FOR ORDER BY/.test(line)), plan.join(' | '));
      }
    }
  }
});
