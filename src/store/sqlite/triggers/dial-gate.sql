-- The dial gate's counts (migration 8), kept as a call moves in or out of a live status; a claim (scheduled →
-- dialing) also stamps its account's last claim, which the fair share reads.
CREATE TRIGGER calls_live_moved AFTER UPDATE OF status ON calls
  WHEN (OLD.status IN ('dialing', 'ringing', 'in_progress')) <> (NEW.status IN ('dialing', 'ringing', 'in_progress'))
BEGIN
  UPDATE dial_gate SET live = live + (NEW.status IN ('dialing', 'ringing', 'in_progress')) - (OLD.status IN ('dialing', 'ringing', 'in_progress')) WHERE id = 1;
  INSERT INTO account_dials (account_id, live, last_claim_at)
    SELECT NEW.account_id, (NEW.status IN ('dialing', 'ringing', 'in_progress')) - (OLD.status IN ('dialing', 'ringing', 'in_progress')),
      CASE WHEN OLD.status = 'scheduled' AND NEW.status = 'dialing' THEN NEW.claimed_at END
    WHERE NEW.account_id IS NOT NULL
  ON CONFLICT (account_id) DO UPDATE SET live = live + excluded.live,
    last_claim_at = coalesce(max(last_claim_at, excluded.last_claim_at), last_claim_at, excluded.last_claim_at);
END;
