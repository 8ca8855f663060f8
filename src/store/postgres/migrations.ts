import type { Pool } from 'pg';

/**
 * Numbered, append-only schema steps: SQLite's 1–4 in PostgreSQL terms (epoch-ms times as BIGINT, the timeline's id
 * an identity column). JSON (timeline details, webhook payloads) stays TEXT as in SQLite: the store only writes and
 * reads it whole, and one row mapping (`../rows.ts`) then serves both databases. A released step is never edited.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'calls and their timeline',
    sql: `
      CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        to_number TEXT NOT NULL,
        due_at BIGINT NOT NULL,
        time_zone TEXT NOT NULL,
        message TEXT,
        status TEXT NOT NULL,
        reason TEXT,
        attempt INTEGER NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        claimed_at BIGINT,
        lateness_ms BIGINT,
        call_control_id TEXT,
        ended_at BIGINT
      );
      CREATE INDEX calls_scheduled_due ON calls (due_at, id) WHERE status = 'scheduled';
      CREATE INDEX calls_status_due ON calls (status, due_at);
      CREATE INDEX calls_live ON calls (status, updated_at) WHERE status IN ('dialing', 'ringing', 'in_progress');
      CREATE INDEX calls_ended ON calls (ended_at) WHERE ended_at IS NOT NULL;
      CREATE TABLE call_events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        call_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        detail TEXT
      );
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
        occurred_at BIGINT NOT NULL,
        payload TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        applied_at BIGINT,
        outcome TEXT
      );
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
        added_at BIGINT NOT NULL,
        call_id TEXT
      );
      CREATE INDEX calls_scheduled_to ON calls (to_number) WHERE status = 'scheduled';
    `,
  },
  {
    version: 4,
    name: 'accounts, sessions, mail links, limiter state; calls belong to an account',
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT,
        activated_at BIGINT,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE mail_tokens (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        password_hash TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT
      );
      CREATE INDEX mail_tokens_account ON mail_tokens (account_id, purpose);
      CREATE INDEX mail_tokens_expiry ON mail_tokens (expires_at);
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        csrf_secret TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT
      );
      CREATE INDEX sessions_account ON sessions (account_id);
      CREATE INDEX sessions_expiry ON sessions (expires_at);
      CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,
        points INTEGER NOT NULL,
        expire BIGINT
      );
      CREATE INDEX rate_limits_expire ON rate_limits (expire);
      ALTER TABLE calls ADD COLUMN account_id TEXT REFERENCES accounts (id);
      CREATE INDEX calls_account_list ON calls (account_id, status, due_at, id);
      CREATE INDEX calls_account_created ON calls (account_id, created_at);
      CREATE INDEX calls_number_created ON calls (to_number, created_at);
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
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        after_at BIGINT NOT NULL,
        next_at BIGINT,
        last_occurrence_at BIGINT,
        hold_until BIGINT,
        skip_reason TEXT,
        skip_at BIGINT
      );
      CREATE INDEX schedules_account ON schedules (account_id, created_at, id);
      CREATE INDEX schedules_active ON schedules (id) WHERE status = 'active';
      CREATE INDEX schedules_to ON schedules (to_number) WHERE status <> 'ended';
      ALTER TABLE calls ADD COLUMN schedule_id TEXT;
      ALTER TABLE calls ADD COLUMN occurrence_at BIGINT;
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
      ALTER TABLE calls ADD COLUMN lease_until BIGINT;
      CREATE INDEX calls_dialing_unsettled ON calls (claimed_at) WHERE status = 'dialing' AND call_control_id IS NULL;
      CREATE TABLE dial_slots (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL);
      CREATE INDEX dial_slots_at ON dial_slots (at);
      CREATE TABLE leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, until BIGINT NOT NULL);
      CREATE INDEX webhook_inbox_pending_key ON webhook_inbox ((COALESCE(call_id, call_control_id, event_id)), occurred_at, received_at, event_id)
        WHERE applied_at IS NULL;
      -- The claim in one statement: every instance's claims queue on one advisory lock, held only while the server
      -- runs this (a round trip per step under the lock let a loaded database serialise claims to a few a second).
      CREATE FUNCTION daj_claim_dial(p_id TEXT, p_at BIGINT, p_max_live INTEGER, p_per_window INTEGER, p_window_ms BIGINT,
                                     p_owner TEXT, p_until BIGINT, p_opted_out TEXT)
      RETURNS TABLE (outcome TEXT, wait_ms BIGINT, call_id TEXT) LANGUAGE plpgsql AS $fn$
      DECLARE
        v_id TEXT := p_id;
        v_row calls%ROWTYPE;
        v_oldest BIGINT;
        v_at BIGINT;
      BEGIN
        IF v_id IS NULL THEN
          SELECT id INTO v_id FROM calls WHERE status = 'scheduled' AND due_at <= p_at ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
          IF v_id IS NULL THEN
            RETURN QUERY SELECT 'none_due'::TEXT, NULL::BIGINT, NULL::TEXT;
            RETURN;
          END IF;
        END IF;
        PERFORM pg_advisory_xact_lock(4920535863799008070);
        -- The caller's time plus what this statement has taken so far (the wait for the lock above all), measured on
        -- the server's clock: the slot is stamped when the dial can really start, in the caller's time scale.
        v_at := p_at + floor(1000 * extract(epoch FROM clock_timestamp() - statement_timestamp()))::BIGINT;
        SELECT * INTO v_row FROM calls WHERE id = v_id FOR UPDATE;
        IF NOT FOUND OR v_row.status <> 'scheduled' THEN
          RETURN QUERY SELECT 'not_scheduled'::TEXT, NULL::BIGINT, v_id;
          RETURN;
        END IF;
        IF EXISTS (SELECT 1 FROM do_not_call WHERE number = v_row.to_number) THEN
          UPDATE calls SET status = 'canceled', reason = p_opted_out, updated_at = p_at, ended_at = p_at WHERE id = v_id;
          INSERT INTO call_events (call_id, at, kind, name, detail)
            VALUES (v_id, p_at, 'status', 'canceled', json_build_object('from', 'scheduled', 'reason', p_opted_out)::TEXT);
          RETURN QUERY SELECT 'not_scheduled'::TEXT, NULL::BIGINT, v_id;
          RETURN;
        END IF;
        IF (SELECT count(*) FROM calls WHERE status IN ('dialing', 'ringing', 'in_progress')) >= p_max_live THEN
          RETURN QUERY SELECT 'no_channel'::TEXT, NULL::BIGINT, v_id;
          RETURN;
        END IF;
        IF p_per_window IS NOT NULL THEN
          SELECT at INTO v_oldest FROM dial_slots WHERE at > v_at - p_window_ms ORDER BY at DESC OFFSET p_per_window - 1 LIMIT 1;
          IF v_oldest IS NOT NULL THEN
            RETURN QUERY SELECT 'rate'::TEXT, GREATEST(1, v_oldest + p_window_ms - v_at), v_id;
            RETURN;
          END IF;
        END IF;
        UPDATE calls SET status = 'dialing', attempt = attempt + 1, claimed_at = p_at, lateness_ms = p_at - due_at, updated_at = p_at,
          call_control_id = NULL, lease_owner = p_owner, lease_until = p_until
          WHERE id = v_id;
        INSERT INTO call_events (call_id, at, kind, name, detail)
          VALUES (v_id, p_at, 'status', 'dialing', json_build_object('from', 'scheduled', 'latenessMs', p_at - v_row.due_at)::TEXT);
        IF p_per_window IS NOT NULL THEN
          DELETE FROM dial_slots WHERE at < v_at - 10000;
          INSERT INTO dial_slots (at) VALUES (v_at);
        END IF;
        RETURN QUERY SELECT 'claimed'::TEXT, NULL::BIGINT, v_id;
      END
      $fn$;
      -- Every instance hears of a call's new status, whichever instance (or job) changed it: the live page's wake-up.
      -- The channel and payload are pg-notify.ts's (NOTIFY_CHANNEL; the origin 'database' is nobody's instance id).
      CREATE FUNCTION daj_call_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM pg_notify('dial_a_joke', json_build_object('o', 'database',
          's', json_build_object('kind', 'changed', 'accountId', NEW.account_id, 'callId', NEW.id))::TEXT);
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER calls_inserted AFTER INSERT ON calls FOR EACH ROW EXECUTE FUNCTION daj_call_changed();
      CREATE TRIGGER calls_status_changed AFTER UPDATE OF status ON calls FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION daj_call_changed();
    `,
  },
];

/** The advisory lock key under which migrations run (any fixed 64-bit number; this one spells "DIALJOKE"). */
export const MIGRATION_LOCK_KEY = '4920535863799008069';

/**
 * Applies the steps not yet recorded in `schema_migrations`, each in its own transaction, while holding a
 * session-level advisory lock: instances starting together queue on the lock, and each one after the first finds
 * the steps recorded and applies nothing. Unlocked (and the connection returned) whatever happens.
 */
export async function migratePostgres(pool: Pool, migrations = POSTGRES_MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  let failed: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => r.version));
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        applied.push(migration.version);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (err) {
    failed = err as Error;
    throw err;
  } finally {
    // A connection that failed mid-way is destroyed rather than pooled: it might still hold the lock.
    client.release(failed);
  }
  return applied;
}
