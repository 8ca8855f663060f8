import type { InboxByCall, WebhookInbox } from '../../inbox/inbox-store.ts';
import { inboxFromRow, type InboxRow } from '../shared/rows.ts';
import type { Query } from './pg-pool.ts';

/** The webhook inbox on PostgreSQL: the intake's insert (a redelivery is a no-op), and the worker's reads by call. */
export function createPgInboxStore(query: Query): WebhookInbox & InboxByCall {
  return {
    async insertInbox(event) {
      const result = await query(
        `INSERT INTO webhook_inbox (event_id, call_id, call_control_id, event_type, occurred_at, payload, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (event_id) DO NOTHING`,
        [event.eventId, event.callId, event.callControlId, event.eventType, event.occurredAt, JSON.stringify(event.payload), event.receivedAt],
      );
      return result.rowCount === 1;
    },
    async pendingInbox(limit, after) {
      const { rows } = after
        ? await query<InboxRow>(
            `SELECT * FROM webhook_inbox WHERE applied_at IS NULL AND (occurred_at, received_at, event_id) > ($1, $2, $3)
             ORDER BY occurred_at, received_at, event_id LIMIT $4`,
            [after.occurredAt, after.receivedAt, after.eventId, limit],
          )
        : await query<InboxRow>('SELECT * FROM webhook_inbox WHERE applied_at IS NULL ORDER BY occurred_at, received_at, event_id LIMIT $1', [limit]);
      return rows.map(inboxFromRow);
    },
    async markApplied(eventId, at, outcome) {
      await query('UPDATE webhook_inbox SET applied_at = $2, outcome = $3 WHERE event_id = $1', [eventId, at, outcome]);
    },
    async staleInboxKeys(receivedBefore, limit) {
      const { rows } = await query<{ key: string }>(
        `SELECT key FROM (SELECT COALESCE(call_id, call_control_id, event_id) AS key, min(received_at) AS first FROM webhook_inbox
           WHERE applied_at IS NULL AND received_at < $1 GROUP BY 1) stale ORDER BY first LIMIT $2`,
        [receivedBefore, limit],
      );
      return rows.map((r) => r.key);
    },
    async pendingInboxFor(key, limit) {
      const { rows } = await query<InboxRow>(
        `SELECT * FROM webhook_inbox WHERE applied_at IS NULL AND COALESCE(call_id, call_control_id, event_id) = $1
         ORDER BY occurred_at, received_at, event_id LIMIT $2`,
        [key, limit],
      );
      return rows.map(inboxFromRow);
    },
  };
}
