-- name: accounts, sessions, mail links, limiter state; calls belong to an account
-- Calls from before accounts keep account_id NULL: they were accepted with a 201, so they are still dialed and
-- purged as before, but no account sees or cancels them (there was no production deployment before accounts).
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT,
  activated_at {bigint},
  created_at {bigint} NOT NULL
) {strict};
CREATE TABLE mail_tokens (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  purpose TEXT NOT NULL,
  password_hash TEXT,
  created_at {bigint} NOT NULL,
  expires_at {bigint} NOT NULL,
  used_at {bigint}
) {strict};
CREATE INDEX mail_tokens_account ON mail_tokens (account_id, purpose);
CREATE INDEX mail_tokens_expiry ON mail_tokens (expires_at);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  csrf_secret TEXT NOT NULL,
  created_at {bigint} NOT NULL,
  expires_at {bigint} NOT NULL,
  revoked_at {bigint}
) {strict};
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY,
  points INTEGER NOT NULL,
  expire {bigint}
) {strict};
CREATE INDEX rate_limits_expire ON rate_limits (expire);
ALTER TABLE calls ADD COLUMN account_id TEXT REFERENCES accounts (id);
CREATE INDEX calls_account_list ON calls (account_id, status, due_at, id);
CREATE INDEX calls_account_created ON calls (account_id, created_at);
CREATE INDEX calls_number_created ON calls (to_number, created_at);
-- Replaces calls_status_due: the id makes the unscoped list's keyset order an index order too.
DROP INDEX calls_status_due;
CREATE INDEX calls_status_due_id ON calls (status, due_at, id);
