-- Ordering per key and rate limits: accepted, validated, stored and shown (the scheduler enforces them).
ALTER TABLE endpoints ADD COLUMN rate_limit_per_s BIGINT;           -- null: no limit
ALTER TABLE endpoints ADD COLUMN ordering TEXT NOT NULL DEFAULT 'none'; -- none | key
ALTER TABLE events ADD COLUMN ordering_key TEXT;                    -- null: the event has no key
