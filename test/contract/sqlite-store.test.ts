import test from 'ava';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { storeContract } from './store.contract.ts';

storeContract(test, 'sqlite', async () => {
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
});

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
  t.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => (r as { version: number }).version), SQLITE_MIGRATIONS.map((m) => m.version));
  db.close();
});
