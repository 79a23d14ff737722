-- The event catalogue: a JSON Schema (draft 2020-12) and an example per type, and a version number that every
-- change of the catalogue raises, so each node notices another node's change with one small read.
ALTER TABLE event_types ADD COLUMN schema_json TEXT;                    -- null: events of the type are not validated
ALTER TABLE event_types ADD COLUMN example_json TEXT;                   -- null: the type has no example
ALTER TABLE event_types ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE event_types SET updated_at = created_at;

CREATE TABLE catalog_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);
