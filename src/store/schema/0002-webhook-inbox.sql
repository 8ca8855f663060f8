-- name: webhook inbox
CREATE TABLE webhook_inbox (
  event_id TEXT PRIMARY KEY,
  call_id TEXT,
  call_control_id TEXT,
  event_type TEXT NOT NULL,
  occurred_at {bigint} NOT NULL,
  payload TEXT NOT NULL,
  received_at {bigint} NOT NULL,
  applied_at {bigint},
  outcome TEXT
) {strict};
CREATE INDEX webhook_inbox_pending ON webhook_inbox (occurred_at, received_at, event_id) WHERE applied_at IS NULL;
CREATE INDEX calls_control_id ON calls (call_control_id) WHERE call_control_id IS NOT NULL;
