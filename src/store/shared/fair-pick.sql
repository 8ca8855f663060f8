-- The fair share's pick, the same text in both stores (`:name` is a parameter, filled in by each): of the first
-- :scan calls due at :at, at most :n, taken round-robin across accounts. Each account's calls keep their due order
-- (rn); a call whose account was claimed since it fell due goes a round back (served), so a call waits for at most
-- one call of each other account that was due before it. While more than one account waits, an account holding
-- :share live calls gets no more. Calls of no account (benchmarks, old rows) are each their own.
WITH due AS (
  SELECT id, account_id, due_at FROM calls
  WHERE status = 'scheduled' AND due_at <= :at ORDER BY due_at, id LIMIT :scan
), ranked AS (
  SELECT d.id, d.account_id, d.due_at,
    row_number() OVER (PARTITION BY coalesce(d.account_id, d.id) ORDER BY d.due_at, d.id) AS rn,
    coalesce(a.live, 0) AS live,
    CASE WHEN a.last_claim_at >= d.due_at THEN 1 ELSE 0 END AS served
  FROM due d LEFT JOIN account_dials a ON a.account_id = d.account_id
)
SELECT id, pos FROM (
  SELECT id, account_id, live, rn, row_number() OVER (ORDER BY rn + served, due_at, id) AS pos FROM ranked
) ordered
WHERE account_id IS NULL OR live + rn <= :share OR (SELECT count(DISTINCT account_id) FROM due) <= 1
ORDER BY pos
LIMIT :n
