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
            + " next_attempt_at, created_at, delivered_at, test";

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

    /**
     * Inserts a test-send: one pending delivery of one event, due now, allowed one attempt, marked {@code test}. Its
     * event is no tenant event (it has no {@code events} row; its {@code event_seq} is 0, which no event has). False
     * when the endpoint is gone.
     */
    public boolean insertTest(String tenantId, String endpointId, String id, String eventType, String eventId, byte[] body,
                              Instant now) {
        return db.inTransaction(c -> {
            // why: inserted only while the endpoint exists, in the same statement, so a delete cannot slip between
            int n = Sql.update(c, "INSERT INTO deliveries (id, tenant_id, endpoint_id, status, event_type, event_count, body,"
                            + " attempt_count, attempt_limit, next_attempt_at, created_at, test)"
                            + " SELECT ?, tenant_id, id, 'pending', ?, 1, ?, 0, 1, ?, ?, TRUE FROM endpoints"
                            + " WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL",
                    id, eventType, body, now.toEpochMilli(), now.toEpochMilli(), tenantId, endpointId);
            if (n == 1) {
                Sql.update(c, "INSERT INTO delivery_events (delivery_id, position, event_seq, event_id) VALUES (?, 0, 0, ?)",
                        id, eventId);
            }
            return n == 1;
        });
    }

    /**
     * Recover, one chunk: makes up to {@code limit} of the endpoint's failed deliveries that finished in
     * [{@code since}, {@code until}) due now, each with one more attempt allowed (as {@link #retry}); test-sends are
     * left alone. Answers how many; a recovered delivery no longer matches, so the next call takes the next ones.
     */
    public int recover(String tenantId, String endpointId, Instant since, Instant until, Instant now, int limit) {
        return db.inTransaction(c -> Sql.update(c, "UPDATE deliveries SET status = 'pending', attempt_limit = attempt_count + 1,"
                        + " next_attempt_at = ?, finished_at = NULL, lease_token = NULL, lease_expires_at = NULL"
                        + " WHERE id IN (SELECT id FROM deliveries WHERE endpoint_id = ? AND status = 'failed'"
                        + " AND finished_at >= ? AND finished_at < ? AND test = FALSE AND tenant_id = ? LIMIT ?)"
                        // why: of two recovers at once on PostgreSQL, each delivery is taken by one
                        + " AND status = 'failed'",
                now.toEpochMilli(), endpointId, since.toEpochMilli(), until.toEpochMilli(), tenantId, limit));
    }

    /**
     * How many of the endpoint's failed deliveries (test-sends aside) finished in [{@code since}, {@code until}): read
     * from the index alone. The caller has found the endpoint among its tenant's.
     */
    public long countFailed(String endpointId, Instant since, Instant until) {
        return db.read(c -> Sql.one(c, "SELECT COUNT(*) FROM deliveries WHERE endpoint_id = ? AND status = 'failed'"
                        + " AND finished_at >= ? AND finished_at < ? AND test = FALSE",
                rs -> rs.getLong(1), endpointId, since.toEpochMilli(), until.toEpochMilli()).orElse(0L));
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
                rs.getBoolean("test"),
                eventIds,
                attempts);
    }

    private static Attempt attempt(ResultSet rs) throws SQLException {
        Long code = Sql.nullableLong(rs, "status_code");
        return new Attempt(rs.getInt("n"), Instant.ofEpochMilli(rs.getLong("at")), code == null ? null : code.intValue(),
                rs.getLong("duration_ms"), rs.getString("error"), rs.getString("response_body"));
    }
}
