package dev.herald.store;

import java.time.Instant;
import java.util.List;

/**
 * Queue health for operators ({@code GET /v1/queue}): what is due, what is being retried, how late the oldest
 * due delivery is, and which endpoints hold the largest backlogs. Aggregates over pending deliveries only;
 * delivered and failed rows are never scanned. Endpoints and tenants being deleted are left out.
 */
public final class QueueStore {
    /** The totals and the endpoints with the largest backlogs (most due first). */
    public record Health(long pending, long due, long retrying, Instant oldestDueAt, List<EndpointBacklog> endpoints) {
    }

    /** One endpoint's pending deliveries: all of them, those due now, those already attempted. */
    public record EndpointBacklog(String tenantId, String endpointId, String url, String status, long pending, long due,
                                  long retrying, Instant oldestDueAt) {
    }

    private final Database db;

    public QueueStore(Database db) {
        this.db = db;
    }

    public Health health(Instant now, int endpointLimit) {
        long at = now.toEpochMilli();
        return db.read(c -> {
            String live = " FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id JOIN tenants t ON t.id = e.tenant_id"
                    + " WHERE d.status = 'pending' AND e.deleted_at IS NULL AND t.deleted_at IS NULL";
            // why: aggregates over no rows are one row of NULLs (SUM, MIN) and a zero (COUNT)
            Health totals = Sql.list(c, "SELECT COUNT(*) AS pending,"
                            + " SUM(CASE WHEN d.next_attempt_at <= ? THEN 1 ELSE 0 END) AS due,"
                            + " SUM(CASE WHEN d.attempt_count > 0 THEN 1 ELSE 0 END) AS retrying,"
                            + " MIN(CASE WHEN d.next_attempt_at <= ? THEN d.next_attempt_at END) AS oldest_due" + live,
                    rs -> new Health(rs.getLong("pending"), rs.getLong("due"), rs.getLong("retrying"),
                            instant(Sql.nullableLong(rs, "oldest_due")), List.of()), at, at).getFirst();
            List<EndpointBacklog> endpoints = Sql.list(c, "SELECT e.tenant_id, d.endpoint_id, e.url, e.status, COUNT(*) AS pending,"
                            + " SUM(CASE WHEN d.next_attempt_at <= ? THEN 1 ELSE 0 END) AS due,"
                            + " SUM(CASE WHEN d.attempt_count > 0 THEN 1 ELSE 0 END) AS retrying,"
                            + " MIN(CASE WHEN d.next_attempt_at <= ? THEN d.next_attempt_at END) AS oldest_due" + live
                            + " GROUP BY e.tenant_id, d.endpoint_id, e.url, e.status"
                            + " ORDER BY due DESC, pending DESC, d.endpoint_id LIMIT ?",
                    rs -> new EndpointBacklog(rs.getString("tenant_id"), rs.getString("endpoint_id"), rs.getString("url"),
                            rs.getString("status"), rs.getLong("pending"), rs.getLong("due"), rs.getLong("retrying"),
                            instant(Sql.nullableLong(rs, "oldest_due"))), at, at, endpointLimit);
            return new Health(totals.pending(), totals.due(), totals.retrying(), totals.oldestDueAt(), endpoints);
        });
    }

    private static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
