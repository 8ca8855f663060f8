-- name: proof-of-work solutions already spent (replay store shared by every instance)
-- One row per accepted proof-of-work solution, keyed by its challenge's nonce (random, signed by us), kept until the
-- challenge expires: a solution sent twice is refused on any instance. Rows past expires_at are purged with the
-- other ended auth state, and a row exists only for a solution that cost its sender the work, so the table stays small.
CREATE TABLE pow_spent (
  nonce TEXT PRIMARY KEY,
  expires_at {bigint} NOT NULL
) {strict};
CREATE INDEX pow_spent_expiry ON pow_spent (expires_at);
