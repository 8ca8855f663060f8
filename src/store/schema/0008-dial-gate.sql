-- name: the dial gate: live calls counted for the carrier account and for each account, and each account's last claim
-- A trigger on calls keeps both counts as calls move in and out of a live status (PostgreSQL's step adds it from
-- postgres/functions/, SQLite's from sqlite/triggers/); a claim reads them instead of counting every live call, and
-- upkeep recounts them every few seconds. The gate row is also the lock every claim and dial slot takes.
CREATE TABLE dial_gate (id INTEGER PRIMARY KEY, live INTEGER NOT NULL) {strict};
INSERT INTO dial_gate (id, live) SELECT 1, count(*) FROM calls WHERE status IN ('dialing', 'ringing', 'in_progress');
CREATE TABLE account_dials (account_id TEXT PRIMARY KEY, live INTEGER NOT NULL, last_claim_at {bigint}) {strict};
INSERT INTO account_dials (account_id, live, last_claim_at)
  SELECT account_id, sum(CASE WHEN status IN ('dialing', 'ringing', 'in_progress') THEN 1 ELSE 0 END), max(claimed_at)
  FROM calls WHERE account_id IS NOT NULL GROUP BY account_id;
-- The claim's scan of due calls reads the account from the index, not from each row.
DROP INDEX calls_scheduled_due;
CREATE INDEX calls_scheduled_due ON calls (due_at, id, account_id) WHERE status = 'scheduled';
