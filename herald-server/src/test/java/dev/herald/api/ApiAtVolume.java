package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.Database;
import dev.herald.store.ReplayStore;
import dev.herald.store.StatsStore;
import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test: the stats of an endpoint with 1,000,000 deliveries and attempts, and the longest wait
 * of a single publish while 100,000 events are replayed. It asserts only that the answers are right, never how
 * fast they came (the machine is shared). Its name keeps it out of {@code mvn verify}; run it by hand:
 *
 * <pre>mvn -B -q -pl herald-server test -Dtest=ApiAtVolume -Dsurefire.failIfNoSpecifiedTests=false
 * [-Dvolume.database=postgresql]</pre>
 *
 * The figures are printed, and written into docs/benchmarks.md ("API at volume") by hand.
 */
class ApiAtVolume {
    private static final Instant END = Instant.parse("2024-03-21T10:00:00Z");
    private static final Instant START = END.minus(Duration.ofHours(24));
    private static final int DELIVERIES = 1_000_000;
    private static final int REPLAYED = 100_000;
    private static final int ROWS_PER_TRANSACTION = 100_000;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private static TestHerald.Builder herald(SettableClock clock) {
        TestHerald.Builder b = TestHerald.builder().clock(clock);
        return "postgresql".equals(System.getProperty("volume.database")) ? b.postgres() : b;
    }

    @Test
    void statsOfAMillionDeliveries() {
        try (TestHerald h = herald(new SettableClock(END)).start()) {
            h.seed("acme");
            String e = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/h\",\"status\":\"paused\"}")
                    .json().get("id").stringValue();
            Database db = h.herald().database();
            long filling = System.nanoTime();
            // one a day's worth, every 86 ms: 5 % failed after a second attempt, 5 % pending, the rest delivered
            for (int from = 1; from <= DELIVERIES; from += ROWS_PER_TRANSACTION) {
                String n = "(" + (from - 1) + " + g.n)";
                String status = "CASE WHEN " + n + " % 20 = 0 THEN 'failed' WHEN " + n + " % 20 = 1 THEN 'pending' ELSE 'delivered' END";
                String created = START.toEpochMilli() + " + " + n + " * 86";
                RecoverReplayTest.execute(db, "INSERT INTO deliveries (id, tenant_id, endpoint_id, status, event_type,"
                        + " event_count, body, attempt_count, next_attempt_at, created_at, finished_at)"
                        + " SELECT 'v' || " + n + ", 'acme', ?, " + status + ", 'batch', 1, ?, 1, NULL, " + created + ","
                        + " CASE WHEN " + n + " % 20 = 1 THEN NULL ELSE " + created + " + 50 END"
                        + " FROM (" + RecoverReplayTest.numbers(ROWS_PER_TRANSACTION) + ") g", e, "{}".getBytes(StandardCharsets.UTF_8));
                RecoverReplayTest.execute(db, "INSERT INTO attempts (delivery_id, n, at, status_code, duration_ms, endpoint_id, test)"
                        + " SELECT 'v' || " + n + ", 1, " + created + ", CASE WHEN " + n + " % 20 = 0 THEN 500 WHEN " + n
                        + " % 20 = 1 THEN 503 ELSE 200 END, (" + n + " * 7919) % 2000, ?, FALSE"
                        + " FROM (" + RecoverReplayTest.numbers(ROWS_PER_TRANSACTION) + ") g", e);
                RecoverReplayTest.execute(db, "INSERT INTO attempts (delivery_id, n, at, status_code, duration_ms, endpoint_id, test)"
                        + " SELECT 'v' || " + n + ", 2, " + created + " + 50, 500, 30, ?, FALSE"
                        + " FROM (" + RecoverReplayTest.numbers(ROWS_PER_TRANSACTION) + ") g WHERE " + n + " % 20 = 0", e);
            }
            analyze(db);
            long attempts = TestSendTest.count(db, "SELECT COUNT(*) FROM attempts");
            report("filled %,d deliveries and %,d attempts in %.1f s", DELIVERIES, attempts, seconds(filling));

            StatsStore stats = new StatsStore(db);
            for (Duration range : List.of(Duration.ofHours(24), Duration.ofHours(6), Duration.ofHours(1))) {
                Duration width = range.compareTo(Duration.ofHours(6)) <= 0 ? Duration.ofMinutes(5) : Duration.ofHours(1);
                List<Double> store = new ArrayList<>();
                List<Double> cpu = new ArrayList<>();
                List<Double> http = new ArrayList<>();
                StatsStore.Stats s = null;
                for (int i = 0; i < 5; i++) {
                    long t = System.nanoTime();
                    long c = CPU.getCurrentThreadCpuTime();
                    s = stats.stats(e, END.minus(range), END, width);
                    store.add(millis(t));
                    cpu.add((CPU.getCurrentThreadCpuTime() - c) / 1e6);
                    t = System.nanoTime();
                    var r = h.get("/v1/tenants/acme/endpoints/" + e + "/stats?since=" + END.minus(range) + "&until=" + END);
                    http.add(millis(t));
                    assertThat(r.status()).isEqualTo(200);
                }
                assertThat(s.delivered() + s.failed() + s.pending()).isPositive();
                // why: on SQLite the query runs on the calling thread, so its CPU time is the query's cost whatever else
                // the shared machine is doing; the wall time is what a caller waited
                report("stats over %s (%d buckets, %,d deliveries, %,d attempts): store median %.0f ms (first %.0f),"
                                + " CPU of the calling thread median %.0f ms, over HTTP median %.0f ms (first %.0f)", range,
                        s.buckets().size(), s.delivered() + s.failed() + s.pending(), s.attempts(), median(store), store.getFirst(),
                        median(cpu), median(http), http.getFirst());
            }
            // the alternative that was not chosen: attempts found through their deliveries
            long t = System.nanoTime();
            long c = CPU.getCurrentThreadCpuTime();
            long joined = TestSendTest.count(db, "SELECT COUNT(*) FROM deliveries d JOIN attempts a ON a.delivery_id = d.id"
                    + " WHERE d.endpoint_id = '" + e + "' AND d.created_at >= " + START.toEpochMilli()
                    + " AND d.created_at < " + END.toEpochMilli() + " AND a.status_code >= 200 AND a.status_code < 300");
            report("for comparison, counting the 2xx attempts through a join of deliveries (by endpoint_id, created_at): %.0f ms,"
                    + " CPU %.0f ms (%,d rows)", millis(t), (CPU.getCurrentThreadCpuTime() - c) / 1e6, joined);
            plans(db, e);
        }
    }

    @Test
    void aSinglePublishWhileOneHundredThousandEventsAreReplayed() throws Exception {
        try (TestHerald h = herald(new SettableClock(END)).start()) {
            h.seed("acme", "order.paid");
            String batch = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/h\",\"status\":\"paused\","
                    + "\"event_types\":[\"order.paid\"]}").json().get("id").stringValue();
            String perEvent = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/h\",\"status\":\"paused\","
                    + "\"format\":\"event\",\"event_types\":[\"order.paid\"]}").json().get("id").stringValue();
            Instant at = END.minus(Duration.ofHours(2));
            RecoverReplayTest.execute(h.herald().database(), "INSERT INTO events (tenant_id, id, type, data, created_at)"
                    + " SELECT 'acme', 'old-' || n, 'order.paid', '{\"order\":\"A-1001\",\"amount\":4200}', ? + n / 100"
                    + " FROM (" + RecoverReplayTest.numbers(REPLAYED) + ") g", at.toEpochMilli());
            analyze(h.herald().database());

            List<Double> alone = publishWhile(h, () -> sleep(3_000));
            report("single publish, nothing else running: %d publishes, p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                    alone.size(), percentile(alone, 50), percentile(alone, 99), Collections.max(alone));
            for (String endpoint : List.of(batch, perEvent)) {
                double[] took = new double[1];
                List<Double> during = publishWhile(h, () -> {
                    long t = System.nanoTime();
                    var r = h.post("/v1/tenants/acme/endpoints/" + endpoint + "/replay",
                            "{\"since\":\"" + at + "\",\"until\":\"" + END + "\"}");
                    took[0] = millis(t);
                    assertThat(r.json().get("events").longValue()).as(r.text()).isEqualTo(REPLAYED);
                });
                report("replay of %,d events to a %s endpoint: %.2f s; meanwhile %d single publishes, p50 %.1f ms,"
                                + " p99 %.1f ms, longest %.1f ms", REPLAYED, endpoint.equals(batch) ? "batch" : "per-event",
                        took[0] / 1000, during.size(), percentile(during, 50), percentile(during, 99), Collections.max(during));
            }
            // the same chunks through the store on this thread: their CPU time is the replay's own cost, whatever else
            // the shared machine is doing (on SQLite the statements run on the calling thread)
            ReplayStore replays = new ReplayStore(h.herald().database(), dev.herald.batching.DeliveryBodies::event);
            for (String endpoint : List.of(batch, perEvent)) {
                long t = System.nanoTime();
                long c = CPU.getCurrentThreadCpuTime();
                long n = 0;
                int chunks = 0;
                ReplayStore.Position position = null;
                do {
                    ReplayStore.Chunk chunk = replays.replay("acme", endpoint, List.of("order.paid"), at, END, position,
                            EndpointOperationRoutes.CHUNK, END);
                    n += chunk.replayed();
                    chunks++;
                    position = chunk.next();
                } while (position != null);
                report("the same replay through the store, to a %s endpoint: %,d events in %d transactions, %.2f s, CPU of the"
                                + " calling thread %.2f s", endpoint.equals(batch) ? "batch" : "per-event", n, chunks, seconds(t),
                        (CPU.getCurrentThreadCpuTime() - c) / 1e9);
            }
        }
    }

    /** Publishes one event at a time, timing each, while {@code work} runs; answers the times in ms. */
    private static List<Double> publishWhile(TestHerald h, Runnable work) throws InterruptedException {
        List<Double> times = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        Thread publisher = Thread.ofPlatform().start(() -> {
            int i = 0;
            while (running.get()) {
                long t = System.nanoTime();
                var r = h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{\"n\":" + i++ + "}}");
                times.add(millis(t));
                if (r.status() != 202) {
                    throw new IllegalStateException("publish failed: " + r.text());
                }
            }
        });
        try {
            work.run();
        } finally {
            running.set(false);
            publisher.join();
        }
        return new ArrayList<>(times);
    }

    private static void plans(Database db, String endpoint) {
        if (db.dialect() != dev.herald.store.Dialect.SQLITE) {
            return;
        }
        // the shapes of StatsStore's queries, and of the dispatcher's look for a paused endpoint's test-sends
        for (String sql : List.of(
                "SELECT COUNT(*), SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) FROM deliveries"
                        + " WHERE endpoint_id = ? AND created_at >= 0 AND created_at < 1 AND test = FALSE",
                "WITH RECURSIVE b(lo) AS (SELECT 0 UNION ALL SELECT lo + 10 FROM b WHERE lo + 10 < 100) SELECT lo,"
                        + " (SELECT COUNT(*) FROM deliveries WHERE endpoint_id = ?1 AND status = 'delivered' AND finished_at >= b.lo"
                        + " AND finished_at < b.lo + 10 AND test = FALSE),"
                        + " (SELECT COUNT(*) FROM attempts WHERE endpoint_id = ?1 AND at >= b.lo AND at < b.lo + 10 AND test = FALSE)"
                        + " FROM b ORDER BY lo",
                "SELECT duration_ms / 10 AS v, COUNT(*) FROM attempts WHERE endpoint_id = ? AND at >= 0 AND at < 1 AND test = FALSE GROUP BY 1",
                "SELECT COUNT(*) FROM deliveries WHERE endpoint_id = ? AND test = TRUE AND status = 'pending' AND next_attempt_at <= 1",
                "SELECT seq FROM events WHERE tenant_id = ? AND created_at >= 0 AND created_at < 1 AND (created_at > 0 OR seq > 0)"
                        + " AND type IN ('a') ORDER BY created_at, seq LIMIT 1000")) {
            List<String> plan = db.read(c -> {
                List<String> out = new ArrayList<>();
                try (var ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
                    ps.setString(1, endpoint);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(rs.getString(4));
                        }
                    }
                }
                return out;
            });
            report("plan: %s%n      %s", sql, String.join(" / ", plan));
        }
    }

    /**
     * PostgreSQL's autovacuum would analyze tables this size within a minute; SQLite has no statistics unless asked,
     * and Herald never asks, so its plans are measured as they are in production.
     */
    private static void analyze(Database db) {
        if (db.dialect() == dev.herald.store.Dialect.POSTGRESQL) {
            db.inTransaction(c -> {
                try (var s = c.createStatement()) {
                    return s.execute("ANALYZE");
                }
            });
        }
    }

    private static void report(String format, Object... args) {
        System.out.println("[api-at-volume] " + String.format(format, args));
    }

    private static double millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e6;
    }

    private static double seconds(long startedNanos) {
        return millis(startedNanos) / 1000;
    }

    private static double median(List<Double> xs) {
        return percentile(xs, 50);
    }

    private static double percentile(List<Double> xs, int p) {
        List<Double> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        return sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
