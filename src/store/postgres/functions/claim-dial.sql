-- The claim in one statement: every instance's claims queue on one advisory lock, held only while the server
-- runs this (a round trip per step under the lock let a loaded database serialise claims to a few a second).
CREATE FUNCTION daj_claim_dial(p_id TEXT, p_at BIGINT, p_max_live INTEGER, p_per_window INTEGER, p_window_ms BIGINT,
                               p_owner TEXT, p_until BIGINT, p_opted_out TEXT)
RETURNS TABLE (outcome TEXT, wait_ms BIGINT, call_id TEXT) LANGUAGE plpgsql AS $fn$
DECLARE
  v_id TEXT := p_id;
  v_row calls%ROWTYPE;
  v_oldest BIGINT;
  v_at BIGINT;
BEGIN
  IF v_id IS NULL THEN
    SELECT id INTO v_id FROM calls WHERE status = 'scheduled' AND due_at <= p_at ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF v_id IS NULL THEN
      RETURN QUERY SELECT 'none_due'::TEXT, NULL::BIGINT, NULL::TEXT;
      RETURN;
    END IF;
  END IF;
  PERFORM pg_advisory_xact_lock(4920535863799008070);
  -- The caller's time plus what this statement has taken so far (the wait for the lock above all), measured on
  -- the server's clock: the slot is stamped when the dial can really start, in the caller's time scale.
  v_at := p_at + floor(1000 * extract(epoch FROM clock_timestamp() - statement_timestamp()))::BIGINT;
  SELECT * INTO v_row FROM calls WHERE id = v_id FOR UPDATE;
  IF NOT FOUND OR v_row.status <> 'scheduled' THEN
    RETURN QUERY SELECT 'not_scheduled'::TEXT, NULL::BIGINT, v_id;
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM do_not_call WHERE number = v_row.to_number) THEN
    UPDATE calls SET status = 'canceled', reason = p_opted_out, updated_at = p_at, ended_at = p_at WHERE id = v_id;
    INSERT INTO call_events (call_id, at, kind, name, detail)
      VALUES (v_id, p_at, 'status', 'canceled', json_build_object('from', 'scheduled', 'reason', p_opted_out)::TEXT);
    RETURN QUERY SELECT 'not_scheduled'::TEXT, NULL::BIGINT, v_id;
    RETURN;
  END IF;
  IF (SELECT count(*) FROM calls WHERE status IN ('dialing', 'ringing', 'in_progress')) >= p_max_live THEN
    RETURN QUERY SELECT 'no_channel'::TEXT, NULL::BIGINT, v_id;
    RETURN;
  END IF;
  IF p_per_window IS NOT NULL THEN
    SELECT at INTO v_oldest FROM dial_slots WHERE at > v_at - p_window_ms ORDER BY at DESC OFFSET p_per_window - 1 LIMIT 1;
    IF v_oldest IS NOT NULL THEN
      RETURN QUERY SELECT 'rate'::TEXT, GREATEST(1, v_oldest + p_window_ms - v_at), v_id;
      RETURN;
    END IF;
  END IF;
  UPDATE calls SET status = 'dialing', attempt = attempt + 1, claimed_at = p_at, lateness_ms = p_at - due_at, updated_at = p_at,
    call_control_id = NULL, lease_owner = p_owner, lease_until = p_until
    WHERE id = v_id;
  INSERT INTO call_events (call_id, at, kind, name, detail)
    VALUES (v_id, p_at, 'status', 'dialing', json_build_object('from', 'scheduled', 'latenessMs', p_at - v_row.due_at)::TEXT);
  IF p_per_window IS NOT NULL THEN
    DELETE FROM dial_slots WHERE at < v_at - 10000;
    INSERT INTO dial_slots (at) VALUES (v_at);
  END IF;
  RETURN QUERY SELECT 'claimed'::TEXT, NULL::BIGINT, v_id;
END
$fn$;
