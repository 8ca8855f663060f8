import type { InboxByCall, InboxEvent, InboxLocks, WebhookInbox } from '../../inbox/inbox-store.ts';
import { callFromRow, inboxFromRow, type CallRow, type InboxRow } from '../shared/rows.ts';
import type { Sql, Tx } from './connection.ts';

/**
 * The webhook inbox on SQLite: the intake's insert (a redelivery is a no-op), and the worker's reads by call. One
 * process per file, so the per-call locks are a set in memory.
 */
export function createSqliteInboxStore(sql: Sql, tx: Tx): WebhookInbox & InboxByCall & InboxLocks {
  const locked = new Set<string>();
  const pendingFor = (key: string, limit: number): InboxEvent[] => {
    const rows = sql(
      `SELECT * FROM webhook_inbox WHERE applied_at IS NULL AND COALESCE(call_id, call_control_id, event_id) = ?
       ORDER BY occurred_at, received_at, event_id LIMIT ?`,
    ).all(key, limit) as InboxRow[];
    return rows.map(inboxFromRow);
  };
  const insertOne = (event: InboxEvent): boolean =>
    Number(
      sql(
        `INSERT INTO webhook_inbox (event_id, call_id, call_control_id, event_type, occurred_at, payload, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO NOTHING`,
      ).run(event.eventId, event.callId, event.callControlId, event.eventType, event.occurredAt, JSON.stringify(event.payload), event.receivedAt).changes,
    ) === 1;
  return {
    async insertInbox(event) {
      return insertOne(event);
    },
    async insertInboxBatch(events) {
      // One transaction, so one commit for the whole batch (the group commit's point); SQLite's statements take
      // microseconds, the commit is what costs.
      return tx(() => new Set(events.filter(insertOne).map((e) => e.eventId)));
    },
    async pendingInbox(limit, after) {
      const rows = (
        after
          ? sql(
              `SELECT * FROM webhook_inbox WHERE applied_at IS NULL AND (occurred_at, received_at, event_id) > (?, ?, ?)
               ORDER BY occurred_at, received_at, event_id LIMIT ?`,
            ).all(after.occurredAt, after.receivedAt, after.eventId, limit)
          : sql('SELECT * FROM webhook_inbox WHERE applied_at IS NULL ORDER BY occurred_at, received_at, event_id LIMIT ?').all(limit)
      ) as InboxRow[];
      return rows.map(inboxFromRow);
    },
    async markApplied(eventId, at, outcome) {
      sql('UPDATE webhook_inbox SET applied_at = ?, outcome = ? WHERE event_id = ?').run(at, outcome, eventId);
    },
    async markAppliedMany(entries, at) {
      if (entries.length === 0) return;
      const mark = sql('UPDATE webhook_inbox SET applied_at = ?, outcome = ? WHERE event_id = ?');
      tx(() => {
        for (const { eventId, outcome } of entries) mark.run(at, outcome, eventId);
      });
    },
    async appendTimeline(events) {
      if (events.length === 0) return;
      // One transaction (one commit) with one prepared statement run per row: a multi-row VALUES would be a new
      // statement text per batch size, and the statements take microseconds; the commit is what costs.
      const insert = sql('INSERT INTO call_events (call_id, at, kind, name, detail) VALUES (?, ?, ?, ?, ?)');
      tx(() => {
        for (const e of events) insert.run(e.callId, e.at, e.kind, e.name, e.detail === null ? null : JSON.stringify(e.detail));
      });
    },
    async callsById(ids) {
      // Looked up one by one by primary key: SQLite's reads take microseconds and commit nothing.
      const get = sql('SELECT * FROM calls WHERE id = ?');
      return [...new Set(ids)].flatMap((id) => {
        const row = get.get(id) as CallRow | undefined;
        return row ? [callFromRow(row)] : [];
      });
    },
    async tryLockInbox(keys) {
      const taken = new Set<string>();
      for (const key of keys) {
        if (locked.has(key)) continue;
        locked.add(key);
        taken.add(key);
      }
      return taken;
    },
    async unlockInbox(keys) {
      for (const key of keys) locked.delete(key);
    },
    async staleInboxKeys(receivedBefore, limit) {
      const rows = sql(
        `SELECT key FROM (SELECT COALESCE(call_id, call_control_id, event_id) AS key, min(received_at) AS first FROM webhook_inbox
           WHERE applied_at IS NULL AND received_at < ? GROUP BY 1) ORDER BY first LIMIT ?`,
      ).all(receivedBefore, limit) as { key: string }[];
      return rows.map((r) => r.key);
    },
    async pendingInboxForKeys(keys, limit) {
      const events: InboxEvent[] = [];
      for (const key of new Set(keys)) events.push(...pendingFor(key, limit));
      return events;
    },
    async pendingInboxFor(key, limit) {
      return pendingFor(key, limit);
    },
  };
}
