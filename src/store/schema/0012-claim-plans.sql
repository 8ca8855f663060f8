-- name: the batch claim planned as index walks, whatever the statistics of calls say
-- Nothing changes in the tables: PostgreSQL's step replaces daj_claim_due (postgres/functions/claim-due.sql) with
-- the version whose plan no longer depends on calls' statistics; SQLite's claim is unchanged.
SELECT 1;
