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
  {
    version: 4,
    name: 'accounts, sessions, mail links, limiter state; calls belong to an account',
    // Calls from before accounts keep account_id NULL: they were accepted with a 201, so they are still dialed and
    // purged as before, but no account sees or cancels them (there was no production deployment before accounts).
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT,
        activated_at INTEGER,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE mail_tokens (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        password_hash TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      ) STRICT;
      CREATE INDEX mail_tokens_account ON mail_tokens (account_id, purpose);
      CREATE INDEX mail_tokens_expiry ON mail_tokens (expires_at);
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        csrf_secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX sessions_account ON sessions (account_id);
      CREATE INDEX sessions_expiry ON sessions (expires_at);
      CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,
        points INTEGER NOT NULL,
        expire INTEGER
      ) STRICT;
      CREATE INDEX rate_limits_expire ON rate_limits (expire);
      ALTER TABLE calls ADD COLUMN account_id TEXT REFERENCES accounts (id);
      CREATE INDEX calls_account_list ON calls (account_id, status, due_at, id);
      CREATE INDEX calls_account_created ON calls (account_id, created_at);
      CREATE INDEX calls_number_created ON calls (to_number, created_at);
      -- Replaces calls_status_due: the id makes the unscoped list's keyset order an index order too.
      DROP INDEX calls_status_due;
      CREATE INDEX calls_status_due_id ON calls (status, due_at, id);
    `,
  },
  {
    version: 7,
    name: 'several instances: dial leases, shared dial slots, named leases, the inbox by call',
    sql: `
      ALTER TABLE calls ADD COLUMN lease_owner TEXT;
      ALTER TABLE calls ADD COLUMN lease_until INTEGER;
      CREATE INDEX calls_dialing_unsettled ON calls (claimed_at) WHERE status = 'dialing' AND call_control_id IS NULL;
      CREATE TABLE dial_slots (id INTEGER PRIMARY KEY, at INTEGER NOT NULL) STRICT;
      CREATE INDEX dial_slots_at ON dial_slots (at);
      CREATE TABLE leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, until INTEGER NOT NULL) STRICT;
      CREATE INDEX webhook_inbox_pending_key ON webhook_inbox ((COALESCE(call_id, call_control_id, event_id)), occurred_at, received_at, event_id)
        WHERE applied_at IS NULL;
    `,
  },
];
