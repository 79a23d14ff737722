-- Hardening: deletion in the background, lost attempts, a probe for writability.

-- A tenant or endpoint being deleted is hidden at once and its rows are purged in small transactions.
ALTER TABLE tenants ADD COLUMN deleted_at BIGINT;
ALTER TABLE endpoints ADD COLUMN deleted_at BIGINT;

-- When the current lease was taken: a lost attempt (its node died) is recorded at that time on reclaim.
ALTER TABLE deliveries ADD COLUMN leased_at BIGINT;

-- The write probe's table: readiness and the recorder insert a row larger than a page here and delete it in
-- the same transaction, so it is always empty; it proves the store takes writes (a full disk does not).
CREATE TABLE store_probe (
    id       BIGINT  PRIMARY KEY,
    payload  TEXT    NOT NULL
);

-- Retention of failed deliveries counts from finished_at, as for delivered ones.
CREATE INDEX deliveries_failed ON deliveries (status, finished_at);
