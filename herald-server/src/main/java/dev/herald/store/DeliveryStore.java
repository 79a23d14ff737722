package dev.herald.store;

import dev.herald.store.Delivery.Status;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reading deliveries for the API, and sending a failed one again by hand. */
public final class DeliveryStore {
    private static final String COLUMNS = "d.id, d.tenant_id, d.endpoint_id, d.status, d.event_count, d.attempt_count,"
            + " d.next_attempt_at, d.created_at, d.delivered_at, d.test";

    public enum RetryOutcome { RETRYING, NOT_FOUND, NOT_FAILED }

    private final Database db;

    public DeliveryStore(Database db) {
        this.db = db;
    }

    /**
     * What a delivery list is narrowed to; a null field does not narrow it. {@code since} and {@code until} bound
     * {@code created_at} as [since, until). {@code eventId} and {@code eventType} match any event a delivery holds
     * (a batch holds many), and keep matching after retention purged the events themselves.
     */
    public record Filter(String endpointId, Status status, String eventId, String eventType, Instant since, Instant until) {
        public static final Filter NONE = new Filter(null, null, null, null, null, null);

        /** The FROM and WHERE of {@code tenantId}'s deliveries that pass this filter; every condition has an index. */
        Where where(String tenantId) {
            Where where = eventId == null ? Where.from("deliveries d")
                    // why: an event is in a few deliveries, so the list starts from them. SQLite keeps no statistics to
                    // see that and would walk every delivery of the tenant; CROSS JOIN fixes the order on SQLite, and
                    // PostgreSQL plans it as any join
                    : Where.from("(SELECT DISTINCT de.delivery_id FROM delivery_events de WHERE de.event_id = ?) e"
                            + " CROSS JOIN deliveries d", eventId).and("d.id = e.delivery_id");
            return where
                    .and("d.tenant_id = ?", tenantId)
                    .andIf("d.endpoint_id = ?", endpointId)
                    .andIf("d.status = ?", status == null ? null : status.toString())
                    .andIf("d.created_at >= ?", since == null ? null : since.toEpochMilli())
                    .andIf("d.created_at < ?", until == null ? null : until.toEpochMilli())
                    // why: walks the tenant's deliveries newest first, one index probe each, and stops at a page; a
                    // type few of them hold reads further (PostgreSQL then starts from the type's index instead)
                    .andIf("EXISTS (SELECT 1 FROM delivery_events de WHERE de.delivery_id = d.id AND de.event_type = ?)",
                            eventType);
        }
    }

    /** Newest first (by creation time, then id); {@code after} is where the previous page stopped, null for the first. */
    public Page<Delivery> list(String tenantId, Filter filter, Position after, int limit) {
        Statement list = listing(tenantId, filter, after, limit);
        return db.read(c -> Page.of(Sql.list(c, list.sql(), r -> delivery(r, List.of(), List.of()), list.params()),
                limit, d -> Position.of(d.createdAt(), d.id()).key()));
    }

    /** The list's query: up to {@code limit + 1} rows, the extra one only telling that more follow. */
    static Statement listing(String tenantId, Filter filter, Position after, int limit) {
        Where where = filter.where(tenantId);
        if (after != null) {
            where.and("(d.created_at, d.id) < (?, ?)", after.createdAt(), after.last());
        }
        return new Statement("SELECT " + COLUMNS + where.sql() + " ORDER BY d.created_at DESC, d.id DESC LIMIT ?",
                where.params(limit + 1));
    }

    /** One delivery with its event ids (in body order) and every attempt. */
    public Optional<Delivery> get(String tenantId, String id) {
        return db.read(c -> {
            Optional<Delivery> found = Sql.one(c, "SELECT " + COLUMNS + " FROM deliveries d WHERE d.tenant_id = ? AND d.id = ?",
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
