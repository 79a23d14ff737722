-- Auto-pause: when an endpoint's attempts began failing with no 2xx since (null while it succeeds).
ALTER TABLE endpoints ADD COLUMN failing_since INTEGER;
