-- name: live streams: one row per open stream, so the per-account limit holds across every instance
-- A row is a lease: its instance renews `expires_at` while the stream is open and deletes the row when it ends; the
-- rows of an instance that died (kill -9) stop counting once they expire, and any instance's sweep deletes them. An
-- account holds at most `live.streamsPerAccount` unexpired rows, each instance at most `live.streamsPerInstance`.
CREATE TABLE live_streams (
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  instance_id TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  opened_at {bigint} NOT NULL,
  expires_at {bigint} NOT NULL,
  PRIMARY KEY (account_id, instance_id, stream_id)
) {strict};
CREATE INDEX live_streams_instance ON live_streams (instance_id);
CREATE INDEX live_streams_expiry ON live_streams (expires_at);
