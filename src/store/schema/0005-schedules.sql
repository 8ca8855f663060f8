-- name: repeating schedules; calls link to their schedule and retry chain
-- A schedule's occurrences are ordinary calls. (schedule_id, occurrence_at) is unique among first tries that
-- were not canceled: two instances never create one occurrence twice, while an occurrence canceled by a pause
-- may be created again after a resume. (retry_of, try_number) is unique: a retry exists once.
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
  created_at {bigint} NOT NULL,
  updated_at {bigint} NOT NULL,
  after_at {bigint} NOT NULL,
  next_at {bigint},
  last_occurrence_at {bigint},
  hold_until {bigint},
  skip_reason TEXT,
  skip_at {bigint}
) {strict};
CREATE INDEX schedules_account ON schedules (account_id, created_at, id);
CREATE INDEX schedules_active ON schedules (id) WHERE status = 'active';
CREATE INDEX schedules_to ON schedules (to_number) WHERE status <> 'ended';
ALTER TABLE calls ADD COLUMN schedule_id TEXT;
ALTER TABLE calls ADD COLUMN occurrence_at {bigint};
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
