package dev.herald.store;

import dev.herald.tenant.Tenant;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** Tenants and their (hashed) keys. */
public final class TenantStore {
    private final Database db;

    public TenantStore(Database db) {
        this.db = db;
    }

    /** Inserts the tenant; false when the id is taken. */
    public boolean create(Tenant t) {
        return db.inTransaction(c -> Sql.update(c,
                "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
                t.id(), t.name(), t.createdAt().toEpochMilli()) == 1);
    }

    public Optional<Tenant> get(String id) {
        return db.read(c -> Sql.one(c, "SELECT id, name, created_at FROM tenants WHERE id = ?", TenantStore::tenant, id));
    }

    public Page<Tenant> list(String after, int limit) {
        return db.read(c -> Page.of(Sql.list(c,
                "SELECT id, name, created_at FROM tenants WHERE id > ? ORDER BY id LIMIT ?",
                TenantStore::tenant, after == null ? "" : after, limit + 1), limit, Tenant::id));
    }

    /** Deletes the tenant with everything it owns: keys, endpoints, events, deliveries. */
    public boolean delete(String id) {
        return db.inTransaction(c -> Sql.update(c, "DELETE FROM tenants WHERE id = ?", id) == 1);
    }

    public void addKey(String tenantId, String keyHash, String prefix, Instant now) {
        db.inTransaction(c -> Sql.update(c,
                "INSERT INTO tenant_keys (key_hash, tenant_id, prefix, created_at) VALUES (?, ?, ?, ?)",
                keyHash, tenantId, prefix, now.toEpochMilli()));
    }

    /** The tenant a key belongs to, found by the key's hash. */
    public Optional<String> tenantOfKey(String keyHash) {
        return db.read(c -> Sql.one(c, "SELECT tenant_id FROM tenant_keys WHERE key_hash = ?",
                rs -> rs.getString(1), keyHash));
    }

    private static Tenant tenant(ResultSet rs) throws SQLException {
        return new Tenant(rs.getString("id"), rs.getString("name"), Instant.ofEpochMilli(rs.getLong("created_at")));
    }
}
