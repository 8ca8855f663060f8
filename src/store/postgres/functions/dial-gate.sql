-- The dial gate's counts (migration 8), kept once per statement from its transition tables: a batch claim of a
-- hundred calls updates the gate once. Counted without joining old rows to new (each side summed on its own: a
-- row's account never changes), so a statement of n rows costs O(n). The gate row first, then the accounts' rows in
-- account order, as the claim takes them: two statements never wait for each other in a cycle. A claim (into
-- dialing) also stamps its account's last claim, which the fair share reads. The function keeps the migration's
-- search path, so a statement made with another (an operator's, schema-qualified) still finds the tables.
CREATE FUNCTION daj_calls_live_moved() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  v_delta INTEGER;
BEGIN
  SELECT (SELECT count(*) FROM new_rows WHERE status IN ('dialing', 'ringing', 'in_progress'))
       - (SELECT count(*) FROM old_rows WHERE status IN ('dialing', 'ringing', 'in_progress'))
    INTO v_delta;
  IF v_delta <> 0 THEN
    UPDATE dial_gate SET live = live + v_delta WHERE id = 1;
  END IF;
  INSERT INTO account_dials AS a (account_id, live, last_claim_at)
    SELECT account_id, sum(live), max(claimed) FROM (
      SELECT account_id, (status IN ('dialing', 'ringing', 'in_progress'))::INT AS live, CASE WHEN status = 'dialing' THEN claimed_at END AS claimed
        FROM new_rows WHERE account_id IS NOT NULL
      UNION ALL
      SELECT account_id, -(status IN ('dialing', 'ringing', 'in_progress'))::INT, NULL FROM old_rows WHERE account_id IS NOT NULL
    ) moved
    GROUP BY account_id HAVING sum(live) <> 0 ORDER BY account_id
  ON CONFLICT (account_id) DO UPDATE SET live = a.live + excluded.live, last_claim_at = GREATEST(a.last_claim_at, excluded.last_claim_at);
  RETURN NULL;
END
$fn$;
CREATE TRIGGER calls_live_moved AFTER UPDATE ON calls REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION daj_calls_live_moved();
