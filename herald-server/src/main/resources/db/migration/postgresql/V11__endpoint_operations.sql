-- Endpoint operations: test-sends, and the indexes behind recover, replay and the per-endpoint stats.

-- A test-send (POST .../endpoints/{id}/test): listed in the delivery log, left out of the stats and of recover,
-- claimed even while its endpoint is paused.
ALTER TABLE deliveries ADD COLUMN test BOOLEAN NOT NULL DEFAULT FALSE;

-- Attempts carry their delivery's endpoint and test mark, so an endpoint's attempts in a time range are read from
-- one index, never joined to their deliveries row by row.
ALTER TABLE attempts ADD COLUMN endpoint_id TEXT;
ALTER TABLE attempts ADD COLUMN test BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE attempts SET endpoint_id = (SELECT d.endpoint_id FROM deliveries d WHERE d.id = attempts.delivery_id);

-- Stats: attempts by time, covering what the counts, success rate and latency histogram read.
CREATE INDEX attempts_by_endpoint ON attempts (endpoint_id, at, test, status_code, duration_ms);
-- Stats: deliveries by creation time, covering their status.
CREATE INDEX deliveries_by_endpoint_created ON deliveries (endpoint_id, created_at, status, test);
-- Recover (failed ones by finish time) and the stats' delivered/failed buckets.
CREATE INDEX deliveries_by_endpoint_finished ON deliveries (endpoint_id, status, finished_at, test);
-- The dispatcher finds test-sends due on paused endpoints here; only pending test-sends are in it.
CREATE INDEX deliveries_test_due ON deliveries (endpoint_id, next_attempt_at) WHERE test = TRUE AND status = 'pending';
