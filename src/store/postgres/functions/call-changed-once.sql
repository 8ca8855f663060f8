-- One notice per statement and account instead of one per row (migration 8): a batch claim of a hundred calls
-- holds PostgreSQL's cluster-wide notify lock through its commit once per account, not a hundred times.
DROP TRIGGER calls_status_changed ON calls;
-- The planner thinks a transition table holds one row and would join them in a nested loop, O(n²) for a batch of n:
-- a hash join is what a batch needs.
CREATE FUNCTION daj_calls_changed() RETURNS trigger LANGUAGE plpgsql SET enable_nestloop = off AS $fn$
BEGIN
  PERFORM pg_notify('dial_a_joke', json_build_object('o', 'database', 's', json_build_object('kind', 'changed', 'accountId', account_id))::TEXT)
    FROM (SELECT DISTINCT n.account_id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.status IS DISTINCT FROM n.status) moved;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER calls_status_changed AFTER UPDATE ON calls REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION daj_calls_changed();
