package dev.herald.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One endpoint's delivery statistics over a time range, computed by the database over indexes that cover every
 * column read (V6): a handful of aggregate queries whose answers are a few rows per time bucket and a few hundred
 * latency values at most, never the deliveries or attempts themselves. Test-sends are left out.
 *
 * <p>What is counted (docs/api.md, "Endpoint stats"): deliveries by {@code created_at} in the range, by their
 * status now; attempts by {@code at} in the range, succeeded when the answer was 2xx; the buckets' delivered and
 * failed by {@code finished_at}. Buckets are aligned to multiples of their width since the epoch (UTC hours, or
 * five-minute marks), found by integer division of epoch milliseconds, which both databases do alike.
 */
public final class StatsStore {
    /** Latency values up to this many milliseconds are kept exactly; above, to two significant digits. */
    static final long EXACT_LATENCY_BELOW_MS = 100;

    /** One time bucket: what finished in it, and how many attempts were made in it. */
    public record Bucket(Instant start, long delivered, long failed, long attempts) {
    }

    /** The range's figures; the latencies are null when no attempt got an answer. */
    public record Stats(long delivered, long failed, long pending, long attempts, long succeeded, Long p50, Long p99,
                        List<Bucket> buckets) {
    }

    private final Database db;

    public StatsStore(Database db) {
        this.db = db;
    }

    /** The endpoint's figures over [{@code since}, {@code until}), in buckets of {@code width}. */
    public Stats stats(String endpointId, Instant since, Instant until, Duration width) {
        long from = since.toEpochMilli();
        long to = until.toEpochMilli();
        long w = width.toMillis();
        return db.read(c -> {
            Map<String, Long> byStatus = new TreeMap<>();
            Sql.each(c, "SELECT status, COUNT(*) FROM deliveries WHERE endpoint_id = ? AND created_at >= ? AND created_at < ?"
                            + " AND test = FALSE GROUP BY status",
                    rs -> byStatus.put(rs.getString(1), rs.getLong(2)), endpointId, from, to);

            // why: the width is a number Herald chose, written into the SQL so that both databases see the same
            // expression in the SELECT and the GROUP BY
            Map<Long, long[]> buckets = new TreeMap<>();
            for (long start = Math.floorDiv(from, w) * w; start < to; start += w) {
                buckets.put(start, new long[3]);
            }
            long[] attempts = new long[2];
            Sql.each(c, "SELECT at / " + w + " AS b, COUNT(*),"
                            + " SUM(CASE WHEN status_code >= 200 AND status_code < 300 THEN 1 ELSE 0 END)"
                            + " FROM attempts WHERE endpoint_id = ? AND at >= ? AND at < ? AND test = FALSE GROUP BY at / " + w,
                    rs -> {
                        buckets.get(rs.getLong(1) * w)[2] = rs.getLong(2);
                        attempts[0] += rs.getLong(2);
                        attempts[1] += rs.getLong(3);
                        return null;
                    }, endpointId, from, to);
            Sql.each(c, "SELECT finished_at / " + w + " AS b, status, COUNT(*) FROM deliveries"
                            + " WHERE endpoint_id = ? AND status IN ('delivered', 'failed') AND finished_at >= ? AND finished_at < ?"
                            + " AND test = FALSE GROUP BY finished_at / " + w + ", status",
                    rs -> {
                        buckets.get(rs.getLong(1) * w)["delivered".equals(rs.getString(2)) ? 0 : 1] = rs.getLong(3);
                        return null;
                    }, endpointId, from, to);

            // why: a histogram, not the durations: exact below 100 ms, two significant digits above, so at most a
            // few hundred rows whatever the number of attempts
            TreeMap<Long, Long> latency = new TreeMap<>();
            Sql.each(c, "SELECT " + LATENCY_VALUE + " AS v, COUNT(*) FROM attempts WHERE endpoint_id = ? AND at >= ?"
                            + " AND at < ? AND test = FALSE AND status_code IS NOT NULL GROUP BY " + LATENCY_VALUE,
                    rs -> latency.put(rs.getLong(1), rs.getLong(2)), endpointId, from, to);

            List<Bucket> out = new ArrayList<>(buckets.size());
            buckets.forEach((start, n) -> out.add(new Bucket(Instant.ofEpochMilli(start), n[0], n[1], n[2])));
            return new Stats(byStatus.getOrDefault("delivered", 0L), byStatus.getOrDefault("failed", 0L),
                    byStatus.getOrDefault("pending", 0L), attempts[0], attempts[1],
                    percentile(latency, 50), percentile(latency, 99), out);
        });
    }

    /** An attempt's duration as the histogram keeps it. */
    private static final String LATENCY_VALUE = "CASE WHEN duration_ms < " + EXACT_LATENCY_BELOW_MS + " THEN duration_ms"
            + " WHEN duration_ms < 1000 THEN duration_ms / 10 * 10"
            + " WHEN duration_ms < 10000 THEN duration_ms / 100 * 100"
            + " WHEN duration_ms < 100000 THEN duration_ms / 1000 * 1000"
            + " ELSE duration_ms / 10000 * 10000 END";

    /**
     * The nearest-rank percentile: the smallest value with at least {@code percent} % of all counts at or below it
     * (in whole numbers, so no rounding of a fraction moves the rank).
     */
    static Long percentile(TreeMap<Long, Long> histogram, int percent) {
        long total = histogram.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return null;
        }
        long rank = Math.max(1, (percent * total + 99) / 100);
        long seen = 0;
        for (Map.Entry<Long, Long> e : histogram.entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                return e.getKey();
            }
        }
        return histogram.lastKey();
    }
}
