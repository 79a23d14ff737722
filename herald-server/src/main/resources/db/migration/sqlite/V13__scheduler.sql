-- The scheduler: ordering per key, endpoint ownership across nodes, and the nodes that share the database.

-- A delivery's ordering key (from its events, when its endpoint orders by key) and its place in publish order
-- (the seq of its first event): of the pending deliveries of one key, only the first may be claimed.
ALTER TABLE deliveries ADD COLUMN ordering_key TEXT;
ALTER TABLE deliveries ADD COLUMN order_seq INTEGER;
CREATE INDEX deliveries_by_key ON deliveries (endpoint_id, ordering_key, order_seq)
    WHERE status = 'pending' AND ordering_key IS NOT NULL;

-- The node that sends an endpoint's deliveries, until when: caps, rate limits and ordering are then counted
-- in one process. A node renews its endpoints while it runs; another takes over once the time has passed.
ALTER TABLE endpoints ADD COLUMN owner TEXT;
ALTER TABLE endpoints ADD COLUMN owner_until INTEGER;

-- Every running node's heartbeat: how many nodes share the work.
CREATE TABLE nodes (
    id            TEXT    PRIMARY KEY,
    heartbeat_at  INTEGER NOT NULL
);
