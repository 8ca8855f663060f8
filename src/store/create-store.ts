import { isAbsolute, resolve } from 'node:path';
import { createSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** Picks the store implementation from `DATABASE_URL`; a relative SQLite path is taken from `baseDir`. */
export function createStore(databaseUrl: string, baseDir: string): Store {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    return createSqliteStore({ path: path === ':memory:' || isAbsolute(path) ? path : resolve(baseDir, path) });
  }
  // The config accepts postgres:// already (DESIGN §3); the adapter is not written yet, so say so plainly.
  throw new Error('DATABASE_URL: PostgreSQL is not supported yet; use sqlite:<path>');
}
