-- name: idempotency keys on the calls they created; an account’s calls in the order they changed (live stream)
-- Issue 11. The unique index decides between concurrent requests with one key; the partial age index lets the
-- expiry find the few keyed calls without scanning the table.
ALTER TABLE calls ADD COLUMN idempotency_key TEXT;
ALTER TABLE calls ADD COLUMN request_hash TEXT;
CREATE UNIQUE INDEX calls_idempotency ON calls (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX calls_idempotency_age ON calls (created_at) WHERE idempotency_key IS NOT NULL;
CREATE INDEX calls_account_changes ON calls (account_id, updated_at, id);
