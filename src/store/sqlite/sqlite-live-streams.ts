import type { StreamLeases, StreamRefusal } from '../../live/stream-leases.ts';
import type { Sql, Tx } from './connection.ts';

/**
 * The open-stream leases on SQLite. The check, count and insert run in one immediate transaction: the database's
 * write lock, held from BEGIN to COMMIT, keeps any other open (of this process or another) out between them.
 */
export function createSqliteLiveStreams({ sql, tx }: { sql: Sql; tx: Tx }): StreamLeases {
  return {
    async openStreamLease(lease, perAccount) {
      return tx((): StreamRefusal | undefined => {
        const account = sql(
          `SELECT activated_at,
             EXISTS (SELECT 1 FROM calls WHERE account_id = accounts.id) OR EXISTS (SELECT 1 FROM schedules WHERE account_id = accounts.id) AS scheduled
           FROM accounts WHERE id = ?`,
        ).get(lease.accountId) as { activated_at: number | null; scheduled: number } | undefined;
        if (!account) return { reason: 'no_account' };
        if (account.activated_at === null) return { reason: 'not_activated' };
        if (!account.scheduled) return { reason: 'nothing_scheduled' };
        sql('DELETE FROM live_streams WHERE account_id = ? AND expires_at <= ?').run(lease.accountId, lease.openedAt);
        const open = (sql('SELECT count(*) AS n FROM live_streams WHERE account_id = ?').get(lease.accountId) as { n: number }).n;
        if (open >= perAccount) return { reason: 'limit', open };
        sql('INSERT INTO live_streams (account_id, instance_id, stream_id, opened_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
          lease.accountId,
          lease.instanceId,
          lease.streamId,
          lease.openedAt,
          lease.expiresAt,
        );
        return undefined;
      });
    },
    async renewStreamLeases(instanceId, streamIds, expiresAt) {
      if (streamIds.length === 0) return [];
      // The ids as one JSON parameter: one prepared statement whatever their number.
      const rows = sql('UPDATE live_streams SET expires_at = ? WHERE instance_id = ? AND stream_id IN (SELECT value FROM json_each(?)) RETURNING stream_id').all(
        expiresAt,
        instanceId,
        JSON.stringify(streamIds),
      ) as { stream_id: string }[];
      return rows.map((r) => r.stream_id);
    },
    async closeStreamLease({ accountId, instanceId, streamId }) {
      sql('DELETE FROM live_streams WHERE account_id = ? AND instance_id = ? AND stream_id = ?').run(accountId, instanceId, streamId);
    },
    async closeInstanceStreamLeases(instance) {
      const result =
        'except' in instance
          ? sql('DELETE FROM live_streams WHERE instance_id <> ?').run(instance.except)
          : sql('DELETE FROM live_streams WHERE instance_id = ?').run(instance.instanceId);
      return Number(result.changes);
    },
    async sweepStreamLeases(at, max) {
      const result = sql('DELETE FROM live_streams WHERE rowid IN (SELECT rowid FROM live_streams WHERE expires_at <= ? LIMIT ?)').run(at, max);
      return Number(result.changes);
    },
    async countStreamLeases(accountId, at) {
      return (sql('SELECT count(*) AS n FROM live_streams WHERE account_id = ? AND expires_at > ?').get(accountId, at) as { n: number }).n;
    },
  };
}
