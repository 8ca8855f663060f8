-- name: who answered, and the do-not-call list
ALTER TABLE calls ADD COLUMN answered_by TEXT;
CREATE TABLE do_not_call (
  number TEXT PRIMARY KEY,
  added_at {bigint} NOT NULL,
  call_id TEXT
) {strict};
CREATE INDEX calls_scheduled_to ON calls (to_number) WHERE status = 'scheduled';
