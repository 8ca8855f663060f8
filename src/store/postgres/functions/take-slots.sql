-- Dial slots for dials outside a claim (a retry, a recovered dial, a dial sent too long after its claim's slot), in
-- one statement under the dial gate's row lock (migration 13): up to `p_n` slots, as many as the window has free,
-- stamped with the time the gate was held (the caller's `p_at` plus the wait, as the claim does). Returns how many
-- were taken and, when fewer than asked, the milliseconds until the next frees. It replaces a transaction of four
-- statements per slot: the gate was held across every round trip, and under a burst of such dials the claims
-- queued behind them.
CREATE OR REPLACE FUNCTION daj_take_slots(p_at BIGINT, p_n INTEGER, p_per_window INTEGER, p_window_ms BIGINT, p_history_ms BIGINT,
                              OUT taken INTEGER, OUT wait_ms BIGINT)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  v_at BIGINT;
  v_used INTEGER;
  v_oldest BIGINT;
BEGIN
  PERFORM 1 FROM dial_gate WHERE id = 1 FOR UPDATE;
  v_at := p_at + floor(1000 * extract(epoch FROM clock_timestamp() - statement_timestamp()))::BIGINT;
  SELECT count(*) INTO v_used FROM (SELECT 1 FROM dial_slots WHERE at > v_at - p_window_ms ORDER BY at DESC LIMIT p_per_window) s;
  taken := GREATEST(0, LEAST(p_n, p_per_window - v_used));
  wait_ms := 0;
  IF taken > 0 THEN
    DELETE FROM dial_slots WHERE at < v_at - p_history_ms;
    INSERT INTO dial_slots (at) SELECT v_at FROM generate_series(1, taken);
  END IF;
  IF taken < p_n THEN
    -- The window is full now: the next slot frees when the oldest of its newest p_per_window leaves it.
    SELECT at INTO v_oldest FROM dial_slots WHERE at > v_at - p_window_ms ORDER BY at DESC OFFSET p_per_window - 1 LIMIT 1;
    wait_ms := GREATEST(1, coalesce(v_oldest + p_window_ms - v_at, 1));
  END IF;
END
$fn$;
