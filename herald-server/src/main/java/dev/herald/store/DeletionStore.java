package dev.herald.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Purges what was deleted (tenants and endpoints marked {@code deleted_at}), one small transaction at a time:
 * a tenant with a million events would otherwise be one long transaction that holds SQLite's writer (and
 * every publish behind it) for seconds. Each call deletes at most one chunk and answers how many rows went;
 * zero means nothing deleted is left.
 */
public final class DeletionStore {
    /** Deliveries per transaction: each takes its attempts and up to 1,000 event rows with it. */
    static final int DELIVERIES_PER_CHUNK = 100;
    static final int ROWS_PER_CHUNK = 1000;

    private final Database db;

    public DeletionStore(Database db) {
        this.db = db;
    }

    /** Deletes one chunk of the first deleted endpoint or tenant found; answers how many rows went. */
    public int purgeChunk() {
        return db.inRelaxedTransaction(c -> {
            Optional<String> endpoint = Sql.one(c, "SELECT id FROM endpoints WHERE deleted_at IS NOT NULL"
                    + " ORDER BY deleted_at, id LIMIT 1", rs -> rs.getString(1));
            if (endpoint.isPresent()) {
                return purgeEndpoint(c, endpoint.get());
            }
            Optional<String> tenant = Sql.one(c, "SELECT id FROM tenants WHERE deleted_at IS NOT NULL"
                    + " ORDER BY deleted_at, id LIMIT 1", rs -> rs.getString(1));
            return tenant.isPresent() ? purgeTenant(c, tenant.get()) : 0;
        });
    }

    private static int purgeEndpoint(Connection c, String id) throws SQLException {
        int n = Sql.update(c, "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE endpoint_id = ? LIMIT ?)",
                id, DELIVERIES_PER_CHUNK);
        if (n == 0) {
            n = Sql.update(c, "DELETE FROM queue WHERE endpoint_id = ? AND event_seq IN"
                    + " (SELECT event_seq FROM queue WHERE endpoint_id = ? LIMIT ?)", id, id, ROWS_PER_CHUNK);
        }
        if (n == 0) {
            n = Sql.update(c, "DELETE FROM endpoints WHERE id = ?", id);
        }
        return n;
    }

    /** Called once the tenant's endpoints are gone (they are purged first, each in its own chunks). */
    private static int purgeTenant(Connection c, String id) throws SQLException {
        int n = Sql.update(c, "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE tenant_id = ? LIMIT ?)",
                id, DELIVERIES_PER_CHUNK);
        if (n == 0) {
            n = Sql.update(c, "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE tenant_id = ? LIMIT ?)",
                    id, ROWS_PER_CHUNK);
        }
        if (n == 0) {
            n = Sql.update(c, "DELETE FROM tenants WHERE id = ?", id);
        }
        return n;
    }
}
