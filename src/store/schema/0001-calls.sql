-- name: calls and their timeline
CREATE TABLE calls (
  id TEXT PRIMARY KEY,
  to_number TEXT NOT NULL,
  due_at {bigint} NOT NULL,
  time_zone TEXT NOT NULL,
  message TEXT,
  status TEXT NOT NULL,
  reason TEXT,
  attempt INTEGER NOT NULL DEFAULT 0,
  created_at {bigint} NOT NULL,
  updated_at {bigint} NOT NULL,
  claimed_at {bigint},
  lateness_ms {bigint},
  call_control_id TEXT,
  ended_at {bigint}
) {strict};
CREATE INDEX calls_scheduled_due ON calls (due_at, id) WHERE status = 'scheduled';
CREATE INDEX calls_status_due ON calls (status, due_at);
CREATE INDEX calls_live ON calls (status, updated_at) WHERE status IN ('dialing', 'ringing', 'in_progress');
CREATE INDEX calls_ended ON calls (ended_at) WHERE ended_at IS NOT NULL;
CREATE TABLE call_events (
  id {identity},
  call_id TEXT NOT NULL,
  at {bigint} NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  detail TEXT
) {strict};
CREATE INDEX call_events_call ON call_events (call_id, id);
