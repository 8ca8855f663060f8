-- name: several instances: dial leases, shared dial slots, named leases, the inbox by call
-- PostgreSQL's step adds the claim function and the change-notify trigger (postgres/functions/).
ALTER TABLE calls ADD COLUMN lease_owner TEXT;
ALTER TABLE calls ADD COLUMN lease_until {bigint};
CREATE INDEX calls_dialing_unsettled ON calls (claimed_at) WHERE status = 'dialing' AND call_control_id IS NULL;
CREATE TABLE dial_slots (id {rowid}, at {bigint} NOT NULL) {strict};
CREATE INDEX dial_slots_at ON dial_slots (at);
CREATE TABLE leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, until {bigint} NOT NULL) {strict};
CREATE INDEX webhook_inbox_pending_key ON webhook_inbox ((COALESCE(call_id, call_control_id, event_id)), occurred_at, received_at, event_id)
  WHERE applied_at IS NULL;
