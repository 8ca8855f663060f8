import { isAbsolute, resolve } from 'node:path';
import { createPostgresStore } from './postgres/pg-store.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/**
 * Picks the store implementation from `DATABASE_URL`: `sqlite:<path>` (a relative path is taken from `baseDir`) or
 * `postgres://…` / `postgresql://…` (a `pg` pool; one instance per database for now, see README).
 */
export function createStore(databaseUrl: string, baseDir: string): Store {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    return createSqliteStore({ path: path === ':memory:' || isAbsolute(path) ? path : resolve(baseDir, path) });
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return createPostgresStore({ connectionString: databaseUrl });
  throw new Error('DATABASE_URL: must be sqlite:<path> or postgres://…');
}
