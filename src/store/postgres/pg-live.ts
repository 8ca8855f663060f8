import { callFromRow, type CallRow } from '../shared/rows.ts';
import type { CallChanges } from '../../live/call-changes.ts';
import type { IdempotencyKeys } from '../../calls/idempotency-keys.ts';
import type { Query } from './pg-pool.ts';

/** The live stream's and the idempotency keys' reads on PostgreSQL, spread into the store. */
export function createPgLive(query: Query): CallChanges & IdempotencyKeys {
  return {
    async changedCalls(accountId, from, limit) {
      const { rows } = await query<CallRow>(
        'SELECT * FROM calls WHERE account_id = $1 AND (updated_at, id) > ($2, $3) ORDER BY updated_at, id LIMIT $4',
        [accountId, from.updatedAt, from.id, limit],
      );
      return rows.map(callFromRow);
    },
    async findByIdempotencyKey(accountId, key, notBefore) {
      const { rows } = await query<CallRow & { request_hash: string }>(
        'SELECT * FROM calls WHERE account_id = $1 AND idempotency_key = $2 AND created_at >= $3',
        [accountId, key, notBefore],
      );
      const row = rows[0];
      return row ? { call: callFromRow(row), requestHash: row.request_hash } : undefined;
    },
    async expireIdempotencyKeys(createdBefore) {
      const result = await query('UPDATE calls SET idempotency_key = NULL, request_hash = NULL WHERE idempotency_key IS NOT NULL AND created_at < $1', [
        createdBefore,
      ]);
      return result.rowCount ?? 0;
    },
  };
}

/** True for PostgreSQL's unique_violation (SQLSTATE 23505). */
export function isPgUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}
