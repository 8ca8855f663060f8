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
    version: 5,
    name: 'repeating schedules; calls link to their schedule and retry chain',
    // A schedule's occurrences are ordinary calls. (schedule_id, occurrence_at) is unique among first tries that
    // were not canceled: two instances never create one occurrence twice, while an occurrence canceled by a pause
    // may be created again after a resume. (retry_of, try_number) is unique: a retry exists once.
    sql: `
      CREATE TABLE schedules (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        to_number TEXT NOT NULL,
        time_zone TEXT NOT NULL,
        repeat TEXT NOT NULL,
        cron TEXT NOT NULL,
        message TEXT,
        starts_on TEXT,
        ends_on TEXT,
        retry TEXT,
        status TEXT NOT NULL,
        end_reason TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        after_at INTEGER NOT NULL,
        next_at INTEGER,
        last_occurrence_at INTEGER,
        hold_until INTEGER,
        skip_reason TEXT,
        skip_at INTEGER
      ) STRICT;
      CREATE INDEX schedules_account ON schedules (account_id, created_at, id);
      CREATE INDEX schedules_active ON schedules (id) WHERE status = 'active';
      CREATE INDEX schedules_to ON schedules (to_number) WHERE status <> 'ended';
      ALTER TABLE calls ADD COLUMN schedule_id TEXT;
      ALTER TABLE calls ADD COLUMN occurrence_at INTEGER;
      ALTER TABLE calls ADD COLUMN retry_of TEXT;
      ALTER TABLE calls ADD COLUMN try_number INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE calls ADD COLUMN tries_total INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE calls ADD COLUMN retry_after_minutes INTEGER;
      ALTER TABLE calls ADD COLUMN retry_on_failed INTEGER NOT NULL DEFAULT 0;
      CREATE UNIQUE INDEX calls_schedule_occurrence ON calls (schedule_id, occurrence_at)
        WHERE schedule_id IS NOT NULL AND retry_of IS NULL AND status <> 'canceled';
      CREATE INDEX calls_schedule_pending ON calls (schedule_id) WHERE status = 'scheduled' AND schedule_id IS NOT NULL AND retry_of IS NULL;
      CREATE INDEX calls_schedule_list ON calls (schedule_id, due_at) WHERE schedule_id IS NOT NULL;
      CREATE UNIQUE INDEX calls_retry_try ON calls (retry_of, try_number) WHERE retry_of IS NOT NULL;
      CREATE INDEX calls_awaiting_retry ON calls (ended_at) WHERE try_number < tries_total AND status IN ('busy', 'no_answer', 'failed');
    `,
  },
  {
    version: 6,
    name: 'idempotency keys on the calls they created; an account’s calls in the order they changed (live stream)',
    // Issue 11. The unique index decides between concurrent requests with one key; the partial age index lets the
    // expiry find the few keyed calls without scanning the table.
    sql: `
      ALTER TABLE calls ADD COLUMN idempotency_key TEXT;
      ALTER TABLE calls ADD COLUMN request_hash TEXT;
      CREATE UNIQUE INDEX calls_idempotency ON calls (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
      CREATE INDEX calls_idempotency_age ON calls (created_at) WHERE idempotency_key IS NOT NULL;
      CREATE INDEX calls_account_changes ON calls (account_id, updated_at, id);
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
