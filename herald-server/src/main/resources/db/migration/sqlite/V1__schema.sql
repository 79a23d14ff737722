-- Herald's schema. Times are Unix epoch milliseconds (UTC). Same tables as the PostgreSQL migration.

CREATE TABLE tenants (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

-- A tenant key is shown once; only its SHA-256 is kept.
CREATE TABLE tenant_keys (
    key_hash    TEXT    PRIMARY KEY,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    prefix      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX tenant_keys_by_tenant ON tenant_keys (tenant_id);

CREATE TABLE event_types (
    name        TEXT    PRIMARY KEY,
    description TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE endpoints (
    id                          TEXT    PRIMARY KEY,
    tenant_id                   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url                         TEXT    NOT NULL,
    description                 TEXT    NOT NULL,
    event_types                 TEXT    NOT NULL, -- JSON array; empty means every type
    format                      TEXT    NOT NULL,
    batch_max_events            INTEGER NOT NULL,
    batch_window_ms             INTEGER NOT NULL,
    retry_policy                TEXT    NOT NULL,
    retry_max_attempts          INTEGER NOT NULL,
    retry_horizon_ms            INTEGER,
    retry_initial_delay_ms      INTEGER,
    retry_on                    TEXT    NOT NULL,
    headers                     TEXT    NOT NULL, -- JSON object
    secret                      TEXT    NOT NULL,
    previous_secret             TEXT,             -- still signs until previous_secret_expires_at
    previous_secret_expires_at  INTEGER,
    tls_client_certificate      TEXT,
    tls_client_key              TEXT,
    tls_ca_certificates         TEXT,
    timeout_ms                  INTEGER NOT NULL,
    max_concurrency             INTEGER NOT NULL,
    status                      TEXT    NOT NULL,
    paused_reason               TEXT,
    last_sealed_at              INTEGER,          -- the batcher's window starts here
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL
);
CREATE INDEX endpoints_by_tenant ON endpoints (tenant_id, id);

-- seq is the global publish order: batches keep it within and across deliveries.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE INDEX events_by_time ON events (created_at);

-- One row per (endpoint, event) that waits to be sealed into a delivery.
CREATE TABLE queue (
    endpoint_id TEXT    NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    event_seq   INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
    PRIMARY KEY (endpoint_id, event_seq)
);
CREATE INDEX queue_by_event ON queue (event_seq); -- retention: is an old event still waiting anywhere?

-- A sealed delivery: its body is frozen, every attempt sends these bytes.
CREATE TABLE deliveries (
    id               TEXT    PRIMARY KEY,
    tenant_id        TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    endpoint_id      TEXT    NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL,  -- pending | delivered | failed
    event_type       TEXT    NOT NULL,  -- X-Webhook-Event: the event's type, or 'batch'
    event_count      INTEGER NOT NULL,
    body             BLOB    NOT NULL,
    attempt_count    INTEGER NOT NULL DEFAULT 0,
    attempt_limit    INTEGER,           -- set by a manual retry; otherwise the endpoint's policy decides
    next_attempt_at  INTEGER,           -- due time while pending
    lease_token      TEXT,              -- fencing: every write after a claim checks it
                                        -- a claim also moves next_attempt_at to the lease's end, so an
                                        -- expired lease makes the delivery due again by itself
    lease_expires_at INTEGER,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER,
    finished_at      INTEGER            -- delivered or failed; retention counts from here
);
CREATE INDEX deliveries_due ON deliveries (endpoint_id, status, next_attempt_at);
CREATE INDEX deliveries_by_status ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_tenant ON deliveries (tenant_id, id);
CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint_id, id);
CREATE INDEX deliveries_finished ON deliveries (finished_at);

CREATE TABLE delivery_events (
    delivery_id TEXT    NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    event_seq   INTEGER NOT NULL,
    event_id    TEXT    NOT NULL,
    PRIMARY KEY (delivery_id, position)
);

CREATE TABLE attempts (
    delivery_id   TEXT    NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    n             INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    status_code   INTEGER,
    duration_ms   INTEGER NOT NULL,
    error         TEXT,
    response_body TEXT,
    PRIMARY KEY (delivery_id, n)
);
