-- The batch claim, one statement: under the dial gate's row lock (every instance's claims and dial slots take it;
-- it replaces the claim advisory lock), as many due calls as free channels, the dial rate and `p_max` allow, picked
-- by the fair share (shared/fair-pick.sql), move `scheduled → dialing` with their lease and a dial slot each; the
-- rows come back as JSON (no read-back). Calls to numbers that opted out are canceled instead. A refusal is one row
-- with `outcome`. The live counts are the gate's, kept by its trigger, not a count of live calls.
--
-- Planned as index walks whatever the statistics say (migration 12 replaced the migration 8 version): a burst of
-- inserts leaves calls with statistics that call 'scheduled' rare, and the planner then bitmap-scanned and sorted
-- every due call to read the first p_scan, and read the picked ids by a scan of every scheduled call (a partial
-- index on status looked tiny) or of the whole table, instead of the primary key: 13 ms a claim of 100 against
-- 7.5 ms after ANALYZE. With sequential and bitmap scans off, the due calls are read in order from
-- calls_scheduled_due up to p_scan, and the picked ids from the primary key; the status checks below are written
-- `IS NOT DISTINCT FROM` so that no partial index on status matches them and looks cheaper than the key. With the
-- plans thus fixed, each statement is planned once per connection (generic plans): a custom plan per call re-planned
-- the pick's windows and sorts every claim (measured 6-8 → 6 ms a claim of 100, rolled-back claims in one session).
--
-- Migration 13: a claimed call's time (`claimed_at`, its lateness, its timeline row) is its dial slot's, read once
-- the gate is held, as DialStore.claimDue says; it was the caller's time before the statement. A dial sent more than
-- half the rate's margin after its slot takes a fresh one, so a claim that waited for the gate made every call of
-- its batch take a second slot under the gate, each a transaction of its own, and the gate's queue grew from there:
-- 10,000 calls due over 60 s dialed 715 ms late (p50) through the first 5 s and took 15 s to recover.
CREATE OR REPLACE FUNCTION daj_claim_due(p_at BIGINT, p_max_live INTEGER, p_share INTEGER, p_per_window INTEGER, p_window_ms BIGINT,
                              p_owner TEXT, p_until BIGINT, p_max INTEGER, p_scan INTEGER, p_opted_out TEXT)
RETURNS SETOF json LANGUAGE plpgsql SET search_path FROM CURRENT SET enable_seqscan = off SET enable_bitmapscan = off
  SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
  v_live INTEGER;
  v_at BIGINT;
  v_n INTEGER;
  v_slots INTEGER;
  v_first BIGINT;
  v_ids TEXT[];
  v_opted TEXT[];
  v_claimed INTEGER;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM calls WHERE status = 'scheduled' AND due_at <= p_at) THEN
    RETURN NEXT json_build_object('outcome', 'none_due');
    RETURN;
  END IF;
  SELECT live INTO v_live FROM dial_gate WHERE id = 1 FOR UPDATE;
  -- The caller's time plus what this statement has taken so far (the wait for the gate above all), measured on the
  -- server's clock: the slots are stamped when the dials can really start, in the caller's time scale.
  v_at := p_at + floor(1000 * extract(epoch FROM clock_timestamp() - statement_timestamp()))::BIGINT;
  v_n := LEAST(p_max, p_max_live - v_live);
  IF v_n <= 0 THEN
    RETURN NEXT json_build_object('outcome', 'no_channel');
    RETURN;
  END IF;
  IF p_per_window IS NOT NULL THEN
    SELECT count(*), min(at) INTO v_slots, v_first FROM (SELECT at FROM dial_slots WHERE at > v_at - p_window_ms ORDER BY at DESC LIMIT p_per_window) s;
    IF v_slots >= p_per_window THEN
      RETURN NEXT json_build_object('outcome', 'rate', 'wait_ms', GREATEST(1, v_first + p_window_ms - v_at));
      RETURN;
    END IF;
    v_n := LEAST(v_n, p_per_window - v_slots);
  END IF;
  -- In the pick's order, which the claimed rows keep: the dials start fairly too. A picked call whose number opted
  -- out is found here, by its key (one probe each), so the usual batch, none opted out, costs no second statement.
  SELECT array_agg(id ORDER BY pos) FILTER (WHERE NOT opted), array_agg(id) FILTER (WHERE opted) INTO v_ids, v_opted
  FROM (
    -- OFFSET 0: one probe per call, not one per aggregate that reads `opted`.
    SELECT picked.id, picked.pos, EXISTS (SELECT 1 FROM calls c JOIN do_not_call d ON d.number = c.to_number WHERE c.id = picked.id) AS opted
    FROM ({fair_pick}) picked OFFSET 0
  ) p;
  IF v_opted IS NOT NULL THEN
    WITH canceled AS (
      UPDATE calls c SET status = 'canceled', reason = p_opted_out, updated_at = p_at, ended_at = p_at
      WHERE c.id = ANY (v_opted) AND c.status IS NOT DISTINCT FROM 'scheduled'
      RETURNING c.id
    )
    INSERT INTO call_events (call_id, at, kind, name, detail)
      SELECT id, p_at, 'status', 'canceled', json_build_object('from', 'scheduled', 'reason', p_opted_out)::TEXT FROM canceled;
  END IF;
  IF v_ids IS NULL THEN
    -- Due calls wait, but each of their accounts holds its share: the next ending frees a place. (Or every pick
    -- was opted out and is canceled now: the next claim picks again.)
    RETURN NEXT json_build_object('outcome', CASE WHEN v_opted IS NULL THEN 'no_channel' ELSE 'not_scheduled' END);
    RETURN;
  END IF;
  RETURN QUERY
    WITH claimed AS (
      UPDATE calls c SET status = 'dialing', attempt = attempt + 1, claimed_at = v_at, lateness_ms = v_at - due_at, updated_at = v_at,
        call_control_id = NULL, lease_owner = p_owner, lease_until = p_until
      WHERE c.id = ANY (v_ids) AND c.status IS NOT DISTINCT FROM 'scheduled'
      RETURNING c.*
    ), events AS (
      INSERT INTO call_events (call_id, at, kind, name, detail)
        SELECT id, v_at, 'status', 'dialing', json_build_object('from', 'scheduled', 'latenessMs', v_at - due_at)::TEXT FROM claimed
    )
    SELECT row_to_json(claimed) FROM claimed ORDER BY array_position(v_ids, claimed.id);
  GET DIAGNOSTICS v_claimed = ROW_COUNT;
  IF v_claimed = 0 THEN
    RETURN NEXT json_build_object('outcome', 'not_scheduled');
  ELSIF p_per_window IS NOT NULL THEN
    DELETE FROM dial_slots WHERE at < v_at - 10000;
    INSERT INTO dial_slots (at) SELECT v_at FROM generate_series(1, v_claimed);
  END IF;
END
$fn$;
-- The one-call claim it replaced (migration 7); gone already when migration 12 runs this file again.
DROP FUNCTION IF EXISTS daj_claim_dial(TEXT, BIGINT, INTEGER, INTEGER, BIGINT, TEXT, BIGINT, TEXT);
