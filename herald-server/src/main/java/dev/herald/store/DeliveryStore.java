package dev.herald.store;

import dev.herald.store.Delivery.Status;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reading deliveries for the API, and sending a failed one again by hand. */
public final class DeliveryStore {
    private static final String COLUMNS = "id, tenant_id, endpoint_id, status, event_count, attempt_count,"
            + " next_attempt_at, created_at, delivered_at";

    public enum RetryOutcome { RETRYING, NOT_FOUND, NOT_FAILED }

    private final Database db;

    public DeliveryStore(Database db) {
        this.db = db;
    }

    /** Newest first; {@code before} is the id of the last delivery of the previous page. */
    public Page<Delivery> list(String tenantId, String endpointId, Status status, String before, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM deliveries WHERE tenant_id = ?");
        List<Object> params = new ArrayList<>(List.of(tenantId));
        if (endpointId != null) {
            sql.append(" AND endpoint_id = ?");
            params.add(endpointId);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            params.add(status.toString());
        }
        if (before != null) {
            sql.append(" AND id < ?");
            params.add(before);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        params.add(limit + 1);
        return db.read(c -> Page.of(Sql.list(c, sql.toString(), r -> delivery(r, List.of(), List.of()), params.toArray()),
                limit, Delivery::id));
    }

    /** One delivery with its event ids (in body order) and every attempt. */
    public Optional<Delivery> get(String tenantId, String id) {
        return db.read(c -> {
            Optional<Delivery> found = Sql.one(c, "SELECT " + COLUMNS + " FROM deliveries WHERE tenant_id = ? AND id = ?",
                    rs -> delivery(rs, List.of(), List.of()), tenantId, id);
            if (found.isEmpty()) {
                return found;
            }
            List<String> eventIds = Sql.list(c, "SELECT event_id FROM delivery_events WHERE delivery_id = ? ORDER BY position",
                    rs -> rs.getString(1), id);
            List<Attempt> attempts = Sql.list(c, "SELECT n, at, status_code, duration_ms, error, response_body FROM attempts"
                    + " WHERE delivery_id = ? ORDER BY n", DeliveryStore::attempt, id);
            return found.map(d -> d.withDetail(eventIds, attempts));
        });
    }

    /** What a delivery sends on every attempt: its {@code X-Webhook-Event} value and its sealed body. */
    public record Request(String eventType, byte[] body) {
    }

    /** The sealed request of one delivery of the tenant (the portal's delivery detail shows it). */
    public Optional<Request> request(String tenantId, String id) {
        return db.read(c -> Sql.one(c, "SELECT event_type, body FROM deliveries WHERE tenant_id = ? AND id = ?",
                rs -> new Request(rs.getString("event_type"), rs.getBytes("body")), tenantId, id));
    }

    /**
     * Makes a failed delivery due now, with one more attempt allowed: the same id and body are sent again.
     */
    public RetryOutcome retry(String tenantId, String id, Instant now) {
        return db.inTransaction(c -> {
            Optional<String> status = Sql.one(c, "SELECT status FROM deliveries WHERE tenant_id = ? AND id = ?",
                    rs -> rs.getString(1), tenantId, id);
            if (status.isEmpty()) {
                return RetryOutcome.NOT_FOUND;
            }
            if (!status.get().equals(Status.FAILED.toString())) {
                return RetryOutcome.NOT_FAILED;
            }
            int n = Sql.update(c, "UPDATE deliveries SET status = 'pending', attempt_limit = attempt_count + 1,"
                    + " next_attempt_at = ?, finished_at = NULL, lease_token = NULL, lease_expires_at = NULL"
                    + " WHERE id = ? AND status = 'failed'", now.toEpochMilli(), id);
            // why: of two retries at once on PostgreSQL only the one whose update took effect retries
            return n == 1 ? RetryOutcome.RETRYING : RetryOutcome.NOT_FAILED;
        });
    }

    private static Delivery delivery(ResultSet rs, List<String> eventIds, List<Attempt> attempts) throws SQLException {
        Long next = Sql.nullableLong(rs, "next_attempt_at");
        Long delivered = Sql.nullableLong(rs, "delivered_at");
        return new Delivery(
                rs.getString("id"),
                rs.getString("tenant_id"),
                rs.getString("endpoint_id"),
                Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
                rs.getInt("event_count"),
                rs.getInt("attempt_count"),
                next == null ? null : Instant.ofEpochMilli(next),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                delivered == null ? null : Instant.ofEpochMilli(delivered),
                eventIds,
                attempts);
    }

    private static Attempt attempt(ResultSet rs) throws SQLException {
        Long code = Sql.nullableLong(rs, "status_code");
        return new Attempt(rs.getInt("n"), Instant.ofEpochMilli(rs.getLong("at")), code == null ? null : code.intValue(),
                rs.getLong("duration_ms"), rs.getString("error"), rs.getString("response_body"));
    }
}
