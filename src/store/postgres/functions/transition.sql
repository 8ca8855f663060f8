-- A call's transition in one statement (migration 13), as the store's transaction did it in five round trips: the
-- row locked, moved only from one of `p_from`, the patch's fields set where `p_set_*` says so (null included),
-- `ended_at` set on a final status, and the status event in the timeline with where it came from and the reason.
-- The moved row comes back as JSON (as the claim's do); none when the call was not in `p_from`.
CREATE OR REPLACE FUNCTION daj_transition(p_id TEXT, p_from TEXT[], p_to TEXT, p_at BIGINT, p_final BOOLEAN,
                              p_set_reason BOOLEAN, p_reason TEXT, p_set_ccid BOOLEAN, p_ccid TEXT, p_set_answered BOOLEAN, p_answered TEXT)
RETURNS SETOF json LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  v_from TEXT;
BEGIN
  SELECT status INTO v_from FROM calls WHERE id = p_id FOR UPDATE;
  IF v_from IS NULL OR NOT (v_from = ANY (p_from)) THEN
    RETURN;
  END IF;
  RETURN QUERY
    UPDATE calls c SET status = p_to, updated_at = p_at, ended_at = CASE WHEN p_final THEN p_at END,
      reason = CASE WHEN p_set_reason THEN p_reason ELSE c.reason END,
      call_control_id = CASE WHEN p_set_ccid THEN p_ccid ELSE c.call_control_id END,
      answered_by = CASE WHEN p_set_answered THEN p_answered ELSE c.answered_by END
    WHERE c.id = p_id
    RETURNING row_to_json(c);
  INSERT INTO call_events (call_id, at, kind, name, detail)
    VALUES (p_id, p_at, 'status', p_to, (CASE WHEN coalesce(p_reason, '') <> '' AND p_set_reason
      THEN json_build_object('from', v_from, 'reason', p_reason) ELSE json_build_object('from', v_from) END)::TEXT);
END
$fn$;
