-- Hardening: deletion in the background, lost attempts, a probe for writability.

-- A tenant or endpoint being deleted is hidden at once and its rows are purged in small transactions.
ALTER TABLE tenants ADD COLUMN deleted_at INTEGER;
ALTER TABLE endpoints ADD COLUMN deleted_at INTEGER;

-- When the current lease was taken: a lost attempt (its node died) is recorded at that time on reclaim.
ALTER TABLE deliveries ADD COLUMN leased_at INTEGER;

-- One row that a write probe updates: the store is writable when this commits.
CREATE TABLE store_probe (
    id          INTEGER PRIMARY KEY,
    written_at  INTEGER NOT NULL
);
INSERT INTO store_probe (id, written_at) VALUES (1, 0);

-- Retention of failed deliveries counts from finished_at, as for delivered ones.
CREATE INDEX deliveries_failed ON deliveries (status, finished_at);
