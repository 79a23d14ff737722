-- Credentials: tenant keys get ids (listed, revoked) and a last-use time; portal sessions for the partner portal.

ALTER TABLE tenant_keys ADD COLUMN id TEXT;
ALTER TABLE tenant_keys ADD COLUMN last_used_at BIGINT;
ALTER TABLE tenant_keys ADD COLUMN revoked_at BIGINT;
-- why: keys made before ids existed get one derived from their hash (never the key itself)
UPDATE tenant_keys SET id = 'key_' || substr(key_hash, 1, 24) WHERE id IS NULL;
CREATE UNIQUE INDEX tenant_keys_by_id ON tenant_keys (id);

-- A portal session is shown once (its token, in a link); only the token's SHA-256 is kept.
CREATE TABLE portal_sessions (
    id            TEXT    PRIMARY KEY,
    tenant_id     TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash    TEXT    NOT NULL UNIQUE,
    read_only     BOOLEAN NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    revoked_at    BIGINT
);
CREATE INDEX portal_sessions_by_tenant ON portal_sessions (tenant_id, id);
CREATE INDEX portal_sessions_by_expiry ON portal_sessions (expires_at);
