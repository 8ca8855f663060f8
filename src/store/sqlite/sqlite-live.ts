import type { Call } from '../../calls/call.ts';
import { callFromRow, type CallRow } from '../shared/rows.ts';
import type { CallChanges } from '../../live/call-changes.ts';
import type { IdempotencyKeys } from '../../calls/idempotency-keys.ts';
import type { Sql } from './connection.ts';

/** The live stream's and the idempotency keys' reads on SQLite, spread into the store. */
export function createSqliteLive(sql: Sql): CallChanges & IdempotencyKeys {
  return {
    async changedCalls(accountId, from, limit): Promise<Call[]> {
      // The bare `updated_at >= ?` lets SQLite seek into (account_id, updated_at, id); the OR then trims the tie.
      const rows = sql(
        `SELECT * FROM calls WHERE account_id = ? AND updated_at >= ? AND (updated_at > ? OR id > ?)
         ORDER BY updated_at, id LIMIT ?`,
      ).all(accountId, from.updatedAt, from.updatedAt, from.id, limit) as CallRow[];
      return rows.map(callFromRow);
    },
    async findByIdempotencyKey(accountId, key, notBefore) {
      const row = sql('SELECT * FROM calls WHERE account_id = ? AND idempotency_key = ? AND created_at >= ?').get(accountId, key, notBefore) as
        | (CallRow & { request_hash: string })
        | undefined;
      return row ? { call: callFromRow(row), requestHash: row.request_hash } : undefined;
    },
    async expireIdempotencyKeys(createdBefore) {
      const result = sql('UPDATE calls SET idempotency_key = NULL, request_hash = NULL WHERE idempotency_key IS NOT NULL AND created_at < ?').run(createdBefore);
      return Number(result.changes);
    },
  };
}

/** True for SQLite's unique-constraint failure (extended code SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { errcode?: unknown }).errcode === 2067;
}
