import type { StreamLeases } from '../../live/stream-leases.ts';
import type { PgTx, Query } from './pg-pool.ts';

/**
 * The open-stream leases on PostgreSQL, shared by every instance. An open locks the account's row first (`FOR NO KEY
 * UPDATE`: it waits for another open of the same account, not for the account's call inserts, whose foreign key
 * takes only `KEY SHARE`), so the count that follows, under READ COMMITTED, sees every lease inserted before it, and
 * no other open of the account can insert between the count and the insert. Locking the row rather than an advisory
 * hash of the id: no collisions, and the row says at once whether the account may stream.
 */
export function createPgLiveStreams({ query, tx }: { query: Query; tx: PgTx }): StreamLeases {
  return {
    async openStreamLease(lease, perAccount) {
      return tx(async (q) => {
        const { rows } = await q<{ activated_at: number | null; scheduled: boolean }>(
          `SELECT activated_at,
             EXISTS (SELECT 1 FROM calls WHERE account_id = a.id) OR EXISTS (SELECT 1 FROM schedules WHERE account_id = a.id) AS scheduled
           FROM accounts a WHERE id = $1 FOR NO KEY UPDATE`,
          [lease.accountId],
        );
        const account = rows[0];
        if (!account) return { reason: 'no_account' as const };
        if (account.activated_at === null) return { reason: 'not_activated' as const };
        if (!account.scheduled) return { reason: 'nothing_scheduled' as const };
        const counted = await q<{ n: number }>(
          `WITH gone AS (DELETE FROM live_streams WHERE account_id = $1 AND expires_at <= $2 RETURNING 1)
           SELECT count(*) AS n FROM live_streams WHERE account_id = $1 AND expires_at > $2`,
          [lease.accountId, lease.openedAt],
        );
        const open = Number(counted.rows[0]?.n ?? 0);
        if (open >= perAccount) return { reason: 'limit' as const, open };
        await q('INSERT INTO live_streams (account_id, instance_id, stream_id, opened_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
          lease.accountId,
          lease.instanceId,
          lease.streamId,
          lease.openedAt,
          lease.expiresAt,
        ]);
        return undefined;
      });
    },
    async renewStreamLeases(instanceId, streamIds, expiresAt) {
      if (streamIds.length === 0) return [];
      const { rows } = await query<{ stream_id: string }>(
        'UPDATE live_streams SET expires_at = $3 WHERE instance_id = $1 AND stream_id = ANY($2::text[]) RETURNING stream_id',
        [instanceId, [...streamIds], expiresAt],
      );
      return rows.map((r) => r.stream_id);
    },
    async closeStreamLease({ accountId, instanceId, streamId }) {
      await query('DELETE FROM live_streams WHERE account_id = $1 AND instance_id = $2 AND stream_id = $3', [accountId, instanceId, streamId]);
    },
    async closeInstanceStreamLeases(instance) {
      const result =
        'except' in instance
          ? await query('DELETE FROM live_streams WHERE instance_id <> $1', [instance.except])
          : await query('DELETE FROM live_streams WHERE instance_id = $1', [instance.instanceId]);
      return result.rowCount ?? 0;
    },
    async sweepStreamLeases(at, max) {
      const result = await query(
        `DELETE FROM live_streams WHERE (account_id, instance_id, stream_id) IN
           (SELECT account_id, instance_id, stream_id FROM live_streams WHERE expires_at <= $1 LIMIT $2)`,
        [at, max],
      );
      return result.rowCount ?? 0;
    },
    async countStreamLeases(accountId, at) {
      const { rows } = await query<{ n: number }>('SELECT count(*) AS n FROM live_streams WHERE account_id = $1 AND expires_at > $2', [accountId, at]);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
