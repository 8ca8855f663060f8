/** Numbered, append-only schema steps. A released step is never edited: add the next number instead. */
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'calls and their timeline',
    sql: `
      CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        to_number TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        time_zone TEXT NOT NULL,
        message TEXT,
        status TEXT NOT NULL,
        reason TEXT,
        attempt INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        claimed_at INTEGER,
        lateness_ms INTEGER,
        call_control_id TEXT,
        ended_at INTEGER
      ) STRICT;
      CREATE INDEX calls_scheduled_due ON calls (due_at, id) WHERE status = 'scheduled';
      CREATE INDEX calls_status_due ON calls (status, due_at);
      CREATE INDEX calls_live ON calls (status, updated_at) WHERE status IN ('dialing', 'ringing', 'in_progress');
      CREATE INDEX calls_ended ON calls (ended_at) WHERE ended_at IS NOT NULL;
      CREATE TABLE call_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        detail TEXT
      ) STRICT;
      CREATE INDEX call_events_call ON call_events (call_id, id);
    `,
  },
  {
    version: 2,
    name: 'webhook inbox',
    sql: `
      CREATE TABLE webhook_inbox (
        event_id TEXT PRIMARY KEY,
        call_id TEXT,
        call_control_id TEXT,
        event_type TEXT NOT NULL,
        occurred_at INTEGER NOT NULL,
        payload TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        applied_at INTEGER,
        outcome TEXT
      ) STRICT;
      CREATE INDEX webhook_inbox_pending ON webhook_inbox (occurred_at, received_at, event_id) WHERE applied_at IS NULL;
      CREATE INDEX calls_control_id ON calls (call_control_id) WHERE call_control_id IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'who answered, and the do-not-call list',
    sql: `
      ALTER TABLE calls ADD COLUMN answered_by TEXT;
      CREATE TABLE do_not_call (
        number TEXT PRIMARY KEY,
        added_at INTEGER NOT NULL,
        call_id TEXT
      ) STRICT;
      CREATE INDEX calls_scheduled_to ON calls (to_number) WHERE status = 'scheduled';
    `,
  },
];
