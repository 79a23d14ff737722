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
        return db.read(c -> Sql.one(c, "SELECT id, name, created_at FROM tenants WHERE id = ? AND deleted_at IS NULL",
                TenantStore::tenant, id));
    }

    public Page<Tenant> list(String after, int limit) {
        return db.read(c -> Page.of(Sql.list(c,
                "SELECT id, name, created_at FROM tenants WHERE id > ? AND deleted_at IS NULL ORDER BY id LIMIT ?",
                TenantStore::tenant, after == null ? "" : after, limit + 1), limit, Tenant::id));
    }

    /**
     * Deletes the tenant with everything it owns: at once it is gone for the API, its keys stop working and its
     * endpoints are paused; its rows are purged afterwards in small transactions ({@link DeletionStore}), so
     * that deleting a large tenant never holds the database for long.
     */
    public boolean delete(String id, Instant now) {
        return db.inTransaction(c -> {
            if (Sql.update(c, "UPDATE tenants SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", now.toEpochMilli(), id) == 0) {
                return false;
            }
            Sql.update(c, "UPDATE endpoints SET deleted_at = ?, status = 'paused', paused_reason = 'the tenant was deleted'"
                    + " WHERE tenant_id = ? AND deleted_at IS NULL", now.toEpochMilli(), id);
            return true;
        });
    }

    /** Whether a tenant with this id is being deleted (its id is still taken until its rows are purged). */
    public boolean deleting(String id) {
        return db.read(c -> Sql.one(c, "SELECT 1 FROM tenants WHERE id = ? AND deleted_at IS NOT NULL", rs -> true, id)).isPresent();
    }

    /** Renames the tenant; false when there is no such tenant. */
    public boolean rename(String id, String name) {
        return db.inTransaction(c -> Sql.update(c, "UPDATE tenants SET name = ? WHERE id = ? AND deleted_at IS NULL", name, id) == 1);
    }

    private static Tenant tenant(ResultSet rs) throws SQLException {
        return new Tenant(rs.getString("id"), rs.getString("name"), Instant.ofEpochMilli(rs.getLong("created_at")));
    }
}
