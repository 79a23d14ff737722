package dev.herald.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One endpoint's delivery statistics over a time range, computed by the database over indexes that cover every
 * column read (V11): three aggregate queries whose answers are one row per time bucket and a few hundred latency
 * values at most, never the deliveries or attempts themselves. Test-sends are left out.
 *
 * <p>What is counted (docs/api.md, "Endpoint stats"): deliveries by {@code created_at} in the range, by their
 * status now; attempts by {@code at} in the range, succeeded when the answer was 2xx; the buckets' delivered and
 * failed by {@code finished_at}. Buckets are aligned to multiples of their width since the epoch (UTC hours, or
 * five-minute marks); the first and last are cut to the range. Their bounds are made by the query itself (a
 * recursive CTE), which both databases run alike.
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
            // why: conditional sums in one pass over the index; a GROUP BY status would sort every row first
            long[] deliveries = new long[3];
            Sql.each(c, "SELECT COUNT(*), SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END),"
                            + " SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) FROM deliveries"
                            + " WHERE endpoint_id = ? AND created_at >= ? AND created_at < ? AND test = FALSE",
                    rs -> {
                        deliveries[0] = rs.getLong(2);
                        deliveries[1] = rs.getLong(3);
                        deliveries[2] = rs.getLong(1) - deliveries[0] - deliveries[1];
                        return null;
                    }, endpointId, from, to);

            // why: every bucket is a row of its own, and each figure in it a count over one range of an index; a GROUP
            // BY of the time would sort every attempt first (about three times slower on SQLite at a million rows).
            // The numbers are Herald's own, written into the SQL so that both databases type them alike.
            List<Bucket> buckets = new ArrayList<>();
            String bounds = "WITH RECURSIVE b(lo) AS (SELECT " + Math.floorDiv(from, w) * w + " UNION ALL SELECT lo + " + w
                    + " FROM b WHERE lo + " + w + " < " + to + "), r(lo, f, t) AS (SELECT lo,"
                    + " CASE WHEN lo < " + from + " THEN " + from + " ELSE lo END,"
                    + " CASE WHEN lo + " + w + " > " + to + " THEN " + to + " ELSE lo + " + w + " END FROM b)";
            Sql.each(c, bounds + " SELECT lo,"
                            + " (SELECT COUNT(*) FROM deliveries WHERE endpoint_id = ? AND status = 'delivered'"
                            + " AND finished_at >= r.f AND finished_at < r.t AND test = FALSE),"
                            + " (SELECT COUNT(*) FROM deliveries WHERE endpoint_id = ? AND status = 'failed'"
                            + " AND finished_at >= r.f AND finished_at < r.t AND test = FALSE),"
                            + " (SELECT COUNT(*) FROM attempts WHERE endpoint_id = ? AND at >= r.f AND at < r.t AND test = FALSE)"
                            + " FROM r ORDER BY lo",
                    rs -> buckets.add(new Bucket(Instant.ofEpochMilli(rs.getLong(1)), rs.getLong(2), rs.getLong(3), rs.getLong(4))),
                    endpointId, endpointId, endpointId);

            // why: a histogram, not the durations: exact below 100 ms, two significant digits above, so at most a few
            // hundred rows whatever the number of attempts; the attempts' totals come in the same pass
            long[] attempts = new long[2];
            TreeMap<Long, Long> latency = new TreeMap<>();
            Sql.each(c, "SELECT CASE WHEN status_code IS NULL THEN NULL ELSE " + LATENCY_VALUE + " END AS v, COUNT(*),"
                            + " SUM(CASE WHEN status_code >= 200 AND status_code < 300 THEN 1 ELSE 0 END)"
                            + " FROM attempts WHERE endpoint_id = ? AND at >= ? AND at < ? AND test = FALSE GROUP BY 1",
                    rs -> {
                        Long v = Sql.nullableLong(rs, "v");
                        if (v != null) {
                            latency.put(v, rs.getLong(2));
                        }
                        attempts[0] += rs.getLong(2);
                        attempts[1] += rs.getLong(3);
                        return null;
                    }, endpointId, from, to);

            return new Stats(deliveries[0], deliveries[1], deliveries[2], attempts[0], attempts[1],
                    percentile(latency, 50), percentile(latency, 99), buckets);
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
