package dev.herald.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Tenant keys and portal sessions, stored only as the SHA-256 of their tokens. A lookup answers only live
 * credentials (not revoked, not expired, of a tenant that is not being deleted), read from the database on
 * every request, so a revocation takes effect at once on every node.
 */
public final class CredentialStore {
    /** A tenant key as listed: never the key, only its first characters. */
    public record Key(String id, String tenantId, String prefix, Instant createdAt, Instant lastUsedAt) {
    }

    /** A portal session as listed: never the token. */
    public record Session(String id, String tenantId, boolean readOnly, Instant createdAt, Instant expiresAt) {
    }

    private final Database db;

    public CredentialStore(Database db) {
        this.db = db;
    }

    public void addKey(String id, String tenantId, String keyHash, String prefix, Instant now) {
        db.inTransaction(c -> Sql.update(c, "INSERT INTO tenant_keys (id, key_hash, tenant_id, prefix, created_at)"
                + " VALUES (?, ?, ?, ?, ?)", id, keyHash, tenantId, prefix, now.toEpochMilli()));
    }

    /** The tenant's live keys, oldest first. */
    public List<Key> keys(String tenantId) {
        return db.read(c -> Sql.list(c, "SELECT id, tenant_id, prefix, created_at, last_used_at FROM tenant_keys"
                + " WHERE tenant_id = ? AND revoked_at IS NULL ORDER BY created_at, id", CredentialStore::key, tenantId));
    }

    /** The live key with this hash. */
    public Optional<Key> keyByHash(String keyHash) {
        return db.read(c -> Sql.one(c, "SELECT k.id, k.tenant_id, k.prefix, k.created_at, k.last_used_at FROM tenant_keys k"
                + " JOIN tenants t ON t.id = k.tenant_id WHERE k.key_hash = ? AND k.revoked_at IS NULL"
                + " AND t.deleted_at IS NULL", CredentialStore::key, keyHash));
    }

    /** Revokes a live key of the tenant; false when it has no such key. */
    public boolean revokeKey(String tenantId, String id, Instant now) {
        return db.inTransaction(c -> Sql.update(c, "UPDATE tenant_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ?"
                + " AND revoked_at IS NULL", now.toEpochMilli(), tenantId, id) == 1);
    }

    /** Records that a key was used (callers write this at most once a minute per key). */
    public void keyUsed(String id, Instant now) {
        db.inRelaxedTransaction(c -> Sql.update(c, "UPDATE tenant_keys SET last_used_at = ? WHERE id = ?", now.toEpochMilli(), id));
    }

    public void addSession(Session s, String tokenHash) {
        db.inTransaction(c -> Sql.update(c, "INSERT INTO portal_sessions (id, tenant_id, token_hash, read_only, created_at,"
                        + " expires_at) VALUES (?, ?, ?, ?, ?, ?)", s.id(), s.tenantId(), tokenHash, s.readOnly(),
                s.createdAt().toEpochMilli(), s.expiresAt().toEpochMilli()));
    }

    /** The tenant's live sessions at {@code now}, newest first. */
    public List<Session> sessions(String tenantId, Instant now) {
        return db.read(c -> Sql.list(c, "SELECT id, tenant_id, read_only, created_at, expires_at FROM portal_sessions"
                        + " WHERE tenant_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY id DESC",
                CredentialStore::session, tenantId, now.toEpochMilli()));
    }

    /** The session with this token hash, if it is live at {@code now}. */
    public Optional<Session> sessionByHash(String tokenHash, Instant now) {
        return db.read(c -> Sql.one(c, "SELECT s.id, s.tenant_id, s.read_only, s.created_at, s.expires_at"
                + " FROM portal_sessions s JOIN tenants t ON t.id = s.tenant_id WHERE s.token_hash = ?"
                + " AND s.revoked_at IS NULL AND s.expires_at > ? AND t.deleted_at IS NULL",
                CredentialStore::session, tokenHash, now.toEpochMilli()));
    }

    /** Revokes a session of the tenant; false when it has no such session. Revoking twice is harmless. */
    public boolean revokeSession(String tenantId, String id, Instant now) {
        return db.inTransaction(c -> Sql.update(c, "UPDATE portal_sessions SET revoked_at = COALESCE(revoked_at, ?)"
                + " WHERE tenant_id = ? AND id = ?", now.toEpochMilli(), tenantId, id) == 1);
    }

    /** Deletes keys revoked and sessions ended (expired or revoked) before {@code cutoff}; answers how many went. */
    public int purge(Instant cutoff) {
        return db.inRelaxedTransaction(c -> Sql.update(c, "DELETE FROM tenant_keys WHERE revoked_at < ?", cutoff.toEpochMilli())
                + Sql.update(c, "DELETE FROM portal_sessions WHERE expires_at < ? OR revoked_at < ?",
                cutoff.toEpochMilli(), cutoff.toEpochMilli()));
    }

    private static Key key(ResultSet rs) throws SQLException {
        Long used = Sql.nullableLong(rs, "last_used_at");
        return new Key(rs.getString("id"), rs.getString("tenant_id"), rs.getString("prefix"),
                Instant.ofEpochMilli(rs.getLong("created_at")), used == null ? null : Instant.ofEpochMilli(used));
    }

    private static Session session(ResultSet rs) throws SQLException {
        return new Session(rs.getString("id"), rs.getString("tenant_id"), rs.getBoolean("read_only"),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("expires_at")));
    }
}
