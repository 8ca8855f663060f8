-- The dial gate's counts (migration 8), kept once per statement from its transition tables: a batch claim of a
-- hundred calls updates the gate once. The gate row first, then the accounts' rows in account order, as the claim
-- takes them: two statements never wait for each other in a cycle. A claim (scheduled → dialing) also stamps its
-- account's last claim, which the fair share reads. The function keeps the migration's search path, so a statement
-- made with another (an operator's, schema-qualified) still finds the tables.
CREATE FUNCTION daj_calls_live_moved() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  v_delta INTEGER;
BEGIN
  SELECT coalesce(sum((n.status IN ('dialing', 'ringing', 'in_progress'))::INT - (o.status IN ('dialing', 'ringing', 'in_progress'))::INT), 0)
    INTO v_delta FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.status IS DISTINCT FROM n.status;
  IF v_delta <> 0 THEN
    UPDATE dial_gate SET live = live + v_delta WHERE id = 1;
  END IF;
  INSERT INTO account_dials AS a (account_id, live, last_claim_at)
    SELECT n.account_id,
      sum((n.status IN ('dialing', 'ringing', 'in_progress'))::INT - (o.status IN ('dialing', 'ringing', 'in_progress'))::INT),
      max(CASE WHEN o.status = 'scheduled' AND n.status = 'dialing' THEN n.claimed_at END)
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.status IS DISTINCT FROM n.status AND n.account_id IS NOT NULL
      AND (o.status IN ('dialing', 'ringing', 'in_progress')) <> (n.status IN ('dialing', 'ringing', 'in_progress'))
    GROUP BY n.account_id ORDER BY n.account_id
  ON CONFLICT (account_id) DO UPDATE SET live = a.live + excluded.live, last_claim_at = GREATEST(a.last_claim_at, excluded.last_claim_at);
  RETURN NULL;
END
$fn$;
CREATE TRIGGER calls_live_moved AFTER UPDATE ON calls REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION daj_calls_live_moved();
