import type { InboxByCall, InboxEvent, InboxLocks, WebhookInbox } from '../../inbox/inbox-store.ts';
import { callFromRow, inboxFromRow, type CallRow, type InboxRow } from '../shared/rows.ts';
import type { Query } from './pg-pool.ts';

/**
 * The class id of the inbox's advisory locks (two-key form: the call's key hashed is the other). pg-limits.ts takes
 * classes 1 and 2 (transaction locks per account and per number); a hash collision between two calls only makes
 * them wait for each other.
 */
const INBOX_LOCK = 3;

/**
 * The webhook inbox on PostgreSQL: the intake's insert (a redelivery is a no-op), and the worker's reads by call.
 * The intake's inserts go through `intake`, a connection of their own, so an acknowledgement never queues behind the
 * worker's and the dialers' statements for the pool's connections. The worker's per-call locks are session-level
 * advisory locks on `locks`, one connection kept open for them (never closed when idle: closing it would drop them),
 * so taking and giving back a call costs a round trip each and writes nothing (the lease rows they replace cost a
 * committed write each way). Should that connection break, the server drops its locks with it; another instance
 * may then apply a call this one is applying, as after an expired lease before: effects are idempotent.
 */
export function createPgInboxStore(query: Query, intake: Query = query, locks: Query = query): WebhookInbox & InboxByCall & InboxLocks {
  // The keys this instance holds: a session's advisory locks are reentrant, so without this set a second take by
  // this instance would succeed where SQLite's (and the contract's) says no.
  const held = new Set<string>();
  /** One statement (so one commit) for the batch: the rows as arrays, unnested; the new ids come back. */
  const insertBatch = async (events: readonly InboxEvent[]): Promise<Set<string>> => {
    if (events.length === 0) return new Set();
    const { rows } = await intake<{ event_id: string }>(
      `INSERT INTO webhook_inbox (event_id, call_id, call_control_id, event_type, occurred_at, payload, received_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[])
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id`,
      [
        events.map((e) => e.eventId),
        events.map((e) => e.callId),
        events.map((e) => e.callControlId),
        events.map((e) => e.eventType),
        events.map((e) => e.occurredAt),
        events.map((e) => JSON.stringify(e.payload)),
        events.map((e) => e.receivedAt),
      ],
    );
    return new Set(rows.map((r) => r.event_id));
  };
  return {
    async insertInbox(event) {
      return (await insertBatch([event])).has(event.eventId);
    },
    insertInboxBatch: insertBatch,
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
    async markAppliedMany(entries, at) {
      if (entries.length === 0) return;
      await query(
        `UPDATE webhook_inbox w SET applied_at = $1, outcome = u.outcome
         FROM unnest($2::text[], $3::text[]) AS u(event_id, outcome) WHERE w.event_id = u.event_id`,
        [at, entries.map((e) => e.eventId), entries.map((e) => e.outcome)],
      );
    },
    async appendTimeline(events) {
      if (events.length === 0) return;
      // One statement (one commit) for the rows, unnested in the order given, so a call's rows keep their order.
      await query(
        `INSERT INTO call_events (call_id, at, kind, name, detail)
         SELECT call_id, at, kind, name, detail
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e(call_id, at, kind, name, detail, n)
          ORDER BY n`,
        [
          events.map((e) => e.callId),
          events.map((e) => e.at),
          events.map((e) => e.kind),
          events.map((e) => e.name),
          events.map((e) => (e.detail === null ? null : JSON.stringify(e.detail))),
        ],
      );
    },
    async callsById(ids) {
      if (ids.length === 0) return [];
      const { rows } = await query<CallRow>('SELECT * FROM calls WHERE id = ANY($1::text[])', [ids], 'daj_inbox_calls');
      return rows.map(callFromRow);
    },
    async tryLockInbox(keys) {
      // A key this instance holds is not asked again (the server would say yes: a session's locks are reentrant).
      const asked = [...new Set(keys)].filter((k) => !held.has(k));
      if (asked.length === 0) return new Set();
      for (const k of asked) held.add(k);
      let taken: Set<string>;
      try {
        const { rows } = await locks<{ key: string; ok: boolean }>(
          'SELECT k AS key, pg_try_advisory_lock($1::int, hashtext(k)) AS ok FROM unnest($2::text[]) AS k',
          [INBOX_LOCK, asked],
        );
        taken = new Set(rows.filter((r) => r.ok).map((r) => r.key));
      } catch (err) {
        // Unknown whether the server took any: the session may still hold some, given back only when it ends. A lock
        // the worker does not know it holds only makes another instance wait for this one's session.
        for (const k of asked) held.delete(k);
        throw err;
      }
      for (const k of asked) if (!taken.has(k)) held.delete(k);
      return taken;
    },
    async unlockInbox(keys) {
      const mine = keys.filter((k) => held.delete(k));
      if (mine.length === 0) return;
      await locks('SELECT pg_advisory_unlock($1::int, hashtext(k)) FROM unnest($2::text[]) AS k', [INBOX_LOCK, mine]);
    },
    async staleInboxKeys(receivedBefore, limit) {
      const { rows } = await query<{ key: string }>(
        `SELECT key FROM (SELECT COALESCE(call_id, call_control_id, event_id) AS key, min(received_at) AS first FROM webhook_inbox
           WHERE applied_at IS NULL AND received_at < $1 GROUP BY 1) stale ORDER BY first LIMIT $2`,
        [receivedBefore, limit],
      );
      return rows.map((r) => r.key);
    },
    async pendingInboxForKeys(keys, limit) {
      if (keys.length === 0) return [];
      // Each key's first `limit` through the pending-key index (a LATERAL per key), in one round trip.
      const { rows } = await query<InboxRow>(
        `SELECT w.* FROM unnest($1::text[]) AS k(key) CROSS JOIN LATERAL (
           SELECT * FROM webhook_inbox WHERE applied_at IS NULL AND COALESCE(call_id, call_control_id, event_id) = k.key
           ORDER BY occurred_at, received_at, event_id LIMIT $2) w`,
        [[...new Set(keys)], limit],
        'daj_inbox_pending_keys',
      );
      return rows.map(inboxFromRow);
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
