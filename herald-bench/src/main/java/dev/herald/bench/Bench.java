package dev.herald.bench;

import dev.herald.delivery.NoDelaySocketFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs every scenario {@code runs} times, each run against a fresh child Herald (warmed up first), and
 * collects the figures into a {@link Report}. Asserts nothing about speed: a scenario that fails, or does not
 * deliver every event it published, is recorded as such.
 */
final class Bench {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final double MIB = 1024.0 * 1024.0;
    /** Receiver slots: 0..19 measured endpoints, 40/41 the limit, 63 the warm-up endpoint. */
    private static final int WARM_SLOT = 63;
    private static final int LIMIT_EVENT_SLOT = 40;
    private static final int LIMIT_BATCH_SLOT = 41;

    private final Sizes sizes;
    private final String classpath;
    private final Optional<String> databaseUrl;
    private final PrintStream out;
    private final Report report;
    private final OkHttpClient http;
    private final long started = System.nanoTime();

    private final java.util.Set<String> only;

    Bench(Sizes sizes, String classpath, Optional<String> databaseUrl, PrintStream out, java.util.Set<String> only) {
        this.only = only;
        this.sizes = sizes;
        this.classpath = classpath;
        this.databaseUrl = databaseUrl;
        this.out = out;
        this.report = new Report(sizes, databaseUrl.isPresent() ? "postgresql" : "sqlite");
        this.http = client();
    }

    /** One shared OkHttp client: 256 requests in flight at most, keep-alive, loopback only. */
    static OkHttpClient client() {
        Dispatcher d = new Dispatcher();
        d.setMaxRequests(256);
        d.setMaxRequestsPerHost(256);
        return new OkHttpClient.Builder()
                .dispatcher(d)
                .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
                // why: a keep-alive connection the server has just closed is retried on a new one, not reported as a failure
                .retryOnConnectionFailure(true)
                .connectTimeout(Duration.ofSeconds(10))
                .callTimeout(Duration.ofSeconds(120))
                .readTimeout(Duration.ofSeconds(120))
                // why: as Herald's delivery client does; with Nagle on, a body written after its headers waits
                // for the receiver's delayed ACK (40 ms), which capped the limit at 1,400 batch requests/s
                .socketFactory(new NoDelaySocketFactory())
                .build();
    }

    Report run() throws IOException {
        try (Receiver receiver = new Receiver()) {
            for (int r = 1; r <= sizes.runs(); r++) {
                scenario("ingest-bulk", r, () -> withHerald(h -> ingestBulk(h)));
                scenario("ingest-single", r, () -> withHerald(h -> ingestSingle(h)));
                scenario("sqlite-baseline", r, this::sqliteBaseline);
                scenario("delivery-event", r, () -> withHerald(h -> delivery(h, receiver, true)));
                scenario("delivery-batch", r, () -> withHerald(h -> delivery(h, receiver, false)));
                scenario("latency", r, () -> withHerald(h -> latency(h, receiver)));
                if (r == 1) {
                    // why: a million events take a minute and a half to publish and drain; one run keeps the
                    // whole benchmark within ten minutes, and memory, not speed, is what this scenario is for
                    scenario("backlog", r, () -> withHerald(h -> backlog(h, receiver)));
                }
                scenario("failing-partners", r, () -> withHerald(h -> failing(h, receiver, true)));
                scenario("all-healthy", r, () -> withHerald(h -> failing(h, receiver, false)));
                // why: last, so the receiver is as warm as it was for the deliveries it is compared with
                scenario("limit", r, () -> limit(receiver));
                receiver.reset();
            }
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
        report.finish(seconds(System.nanoTime() - started));
        return report;
    }

    interface Scenario {
        Report.Run run() throws Exception;
    }

    interface WithHerald {
        Report.Run run(HeraldProcess h) throws Exception;
    }

    private void scenario(String name, int run, Scenario s) {
        if (!only.isEmpty() && !only.contains(name)) {
            report.skip(name);
            return;
        }
        long t0 = System.nanoTime();
        long retriedBefore = HeraldProcess.RETRIED_503.get();
        Report.Run result;
        try {
            result = s.run();
            long retried = HeraldProcess.RETRIED_503.get() - retriedBefore;
            result.note(retried > 0 ? retried + " calls answered 503 and were sent again" : null);
        } catch (Exception e) {
            result = Report.Run.failed(e.toString());
            System.err.println("herald-bench: " + name + " run " + run + " failed: " + e);
        }
        report.add(name, run, result);
        out.printf("[%6.1f s] %-16s run %d/%d (%.1f s): %s%n", seconds(System.nanoTime() - started), name, run, sizes.runs(),
                seconds(System.nanoTime() - t0), result.summary());
        out.flush();
    }

    private Report.Run withHerald(WithHerald body) throws Exception {
        try (HeraldProcess h = HeraldProcess.start(classpath, databaseUrl, http)) {
            Load.seed(h);
            try {
                Report.Run r = body.run(h);
                return r.withPeakRss(h.peakRss());
            } catch (Exception | Error e) {
                throw new IllegalStateException(e.getMessage() + "\n--- child log ---\n" + h.logTail(), e);
            }
        }
    }

    // ---- ingest ----------------------------------------------------------------------------------------------

    /** Bulk publishes of 1,000 events from 4 posters; one paused batch endpoint is subscribed, so queue rows are written. */
    private Report.Run ingestBulk(HeraldProcess h) throws IOException {
        Load.endpoint(h, "\"url\":\"http://127.0.0.1:9/\",\"event_types\":[\"" + Load.TICK + "\",\"" + Load.WARM + "\"],\"status\":\"paused\"");
        int n = sizes.bulkEvents();
        Load.bulk(h, Load.WARM, "w", warm(50_000, 1_000), 1_000, 4, null, Duration.ofSeconds(120));
        long t0 = System.nanoTime();
        long acked = Load.bulk(h, Load.TICK, "b", n, 1_000, 4, null, Duration.ofSeconds(300));
        double s = seconds(System.nanoTime() - t0);
        return Report.Run.of(n, acked).figure("events/s", acked / s);
    }

    /** Single publishes from 64 posters, one paused batch endpoint subscribed. */
    private Report.Run ingestSingle(HeraldProcess h) throws IOException {
        Load.endpoint(h, "\"url\":\"http://127.0.0.1:9/\",\"event_types\":[\"" + Load.TICK + "\",\"" + Load.WARM + "\"],\"status\":\"paused\"");
        int n = sizes.singleEvents();
        Load.single(h, Load.WARM, "w", warm(80_000, 200), 64, Duration.ofSeconds(120));
        long t0 = System.nanoTime();
        long acked = Load.single(h, Load.TICK, "s", n, 64, Duration.ofSeconds(300));
        double s = seconds(System.nanoTime() - t0);
        return Report.Run.of(n, acked).figure("events/s", acked / s);
    }

    /** The durability cost: raw JDBC SQLite, WAL, synchronous=FULL, one row per transaction. */
    private Report.Run sqliteBaseline() throws IOException, SQLException {
        Path dir = Files.createTempDirectory("herald-bench-sqlite");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("baseline.db"))) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.execute("CREATE TABLE events (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, type TEXT NOT NULL,"
                        + " data TEXT NOT NULL, created_at INTEGER NOT NULL)");
            }
            c.setAutoCommit(true);
            int n = sizes.sqliteRows();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events VALUES (?, ?, ?, ?, ?)")) {
                insertRows(ps, "w", warm(300, 20));
                long t0 = System.nanoTime();
                insertRows(ps, "r", n);
                double s = seconds(System.nanoTime() - t0);
                return Report.Run.of(n, n).figure("rows/s", n / s);
            }
        } finally {
            HeraldProcess.deleteTree(dir);
        }
    }

    private static void insertRows(PreparedStatement ps, String prefix, int n) throws SQLException {
        for (int i = 0; i < n; i++) {
            ps.setString(1, prefix + i + "-" + UUID.randomUUID());
            ps.setString(2, Load.TENANT);
            ps.setString(3, Load.TICK);
            ps.setString(4, "{\"k\":\"" + prefix + i + "\"}");
            ps.setLong(5, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    // ---- delivery --------------------------------------------------------------------------------------------

    /** The settings of a measured delivery endpoint and of its warm-up twin: format, batching, concurrency 64. */
    private static String deliveryFields(boolean perEvent) {
        return perEvent
                ? "\"format\":\"event\",\"max_concurrency\":64"
                : "\"format\":\"batch\",\"batch\":{\"max_events\":100,\"window_ms\":100},\"max_concurrency\":64";
    }

    /** Warm-up for a delivery scenario: an endpoint of the same format on the warm-up slot, and waits until it got everything. */
    private void warmDelivery(HeraldProcess h, Receiver receiver, String format, int events) throws IOException, InterruptedException {
        Load.endpoint(h, "\"url\":\"" + receiver.url("ok", WARM_SLOT) + "\",\"event_types\":[\"" + Load.WARM + "\"],"
                + deliveryFields(format.equals("event")));
        Load.bulk(h, Load.WARM, "w", events, 1_000, 2, null, Duration.ofSeconds(120));
        awaitEvents(receiver, WARM_SLOT, events, Duration.ofSeconds(120));
        receiver.reset();
    }

    /**
     * Live publishing (bulk, 2 posters) to one endpoint; the rate is events received / (last receive − start of
     * publishing). For batches, which a receiver takes faster than Herald ingests, the target figure is delivery
     * alone: the same number of events stored for a paused endpoint first, then resumed.
     */
    private Report.Run delivery(HeraldProcess h, Receiver receiver, boolean perEvent) throws IOException, InterruptedException {
        int n = perEvent ? sizes.deliveryEvents() : sizes.batchEvents();
        String format = perEvent ? "event" : "batch";
        warmDelivery(h, receiver, format, perEvent ? warm(50_000, 200) : warm(50_000, 400));
        String fields = deliveryFields(perEvent);
        Load.endpoint(h, "\"url\":\"" + receiver.url("ok", 0) + "\",\"event_types\":[\"" + Load.TICK + "\"]," + fields);
        long t0 = System.nanoTime();
        long acked = Load.bulk(h, Load.TICK, "d", n, 1_000, 2, null, Duration.ofSeconds(300));
        double ingest = seconds(System.nanoTime() - t0);
        long got = awaitEvents(receiver, 0, n, Duration.ofSeconds(300));
        double s = seconds(receiver.lastAt(0) - t0);
        if (perEvent) {
            return Report.Run.of(n, Math.min(acked, got))
                    .figure("requests/s", receiver.requests(0) / s)
                    .figure("publish-to-receive, whole run (s)", s)
                    .figure("of which publishing (s)", ingest);
        }
        String stored = Load.endpoint(h, "\"url\":\"" + receiver.url("ok", 1) + "\",\"event_types\":[\"" + Load.STORED + "\"],"
                + fields + ",\"status\":\"paused\"");
        long storedAcked = Load.bulk(h, Load.STORED, "s", n, 1_000, 2, null, Duration.ofSeconds(300));
        long t1 = System.nanoTime();
        Load.setStatus(h, stored, "active");
        long storedGot = awaitEvents(receiver, 1, n, Duration.ofSeconds(300));
        double drain = seconds(receiver.lastAt(1) - t1);
        return Report.Run.of(2L * n, Math.min(acked, got) + Math.min(storedAcked, storedGot))
                .figure("events/s", storedGot / drain)
                .figure("events/request", (double) storedGot / Math.max(1, receiver.requests(1)))
                .figure("events/s while publishing", got / s)
                .figure("of which publishing (s)", ingest);
    }

    /** Single POSTs at a steady rate; latency is the 202's arrival to the receiver's, same clock, matched by data.k. */
    private Report.Run latency(HeraldProcess h, Receiver receiver) throws IOException, InterruptedException {
        int rate = sizes.latencyRate();
        Load.endpoint(h, "\"url\":\"" + receiver.url("ok", WARM_SLOT) + "\",\"event_types\":[\"" + Load.WARM + "\"],"
                + "\"format\":\"event\",\"max_concurrency\":64");
        Load.endpoint(h, "\"url\":\"" + receiver.url("ok", 0) + "\",\"event_types\":[\"" + Load.TICK + "\"],"
                + "\"format\":\"event\",\"max_concurrency\":64");
        // why: a burst first, so C2 has compiled the publish and delivery paths (at the steady rate alone it was
        // still compiling, on the cores the measured run needs, ten seconds later); then the steady rate itself
        int burst = warm(40_000, 200);
        Load.single(h, Load.WARM, "b", burst, 64, Duration.ofSeconds(120));
        int warm = warm(rate * 3, rate / 5);
        Load.paced(h, Load.WARM, "w", warm, rate, new long[warm], Duration.ofSeconds(60));
        awaitEvents(receiver, WARM_SLOT, burst + warm, Duration.ofSeconds(120));
        receiver.reset();
        receiver.record(true);
        int n = rate * sizes.latencySeconds();
        long[] ackAt = new long[n];
        // why: bounded: a Herald slower than the rate gets twice the run's length, then publishing stops
        long acked = Load.paced(h, Load.TICK, "l", n, rate, ackAt, Duration.ofSeconds(sizes.latencySeconds() * 2L + 5));
        long got = awaitEvents(receiver, 0, acked, Duration.ofSeconds(60));
        receiver.record(false);
        Histogram hist = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        int early = 0;
        Map<String, Long> received = receiver.receivedAt();
        for (int i = 0; i < n; i++) {
            Long at = received.get("0:l" + i);
            if (at == null || ackAt[i] == 0) {
                continue;
            }
            long micros = (at - ackAt[i]) / 1_000;
            if (micros < 0) {
                early++;
                micros = 0;
            }
            hist.recordValue(Math.min(micros, hist.getHighestTrackableValue()));
        }
        return Report.Run.of(acked, got)
                .note(acked < n ? "Herald acknowledged only " + acked + " of " + n + " events in time at " + rate + "/s" : null)
                .figure("p50 (ms)", hist.getValueAtPercentile(50) / 1_000.0)
                .figure("p99 (ms)", hist.getValueAtPercentile(99) / 1_000.0)
                .figure("p99.9 (ms)", hist.getValueAtPercentile(99.9) / 1_000.0)
                .figure("max (ms)", hist.getMaxValue() / 1_000.0)
                .note(early > 0 ? early + " events arrived before their 202 (counted as 0 ms)" : null);
    }

    /** N events for a paused batch endpoint, then resumed: drain rate, and the child's heap and RSS around it. */
    private Report.Run backlog(HeraldProcess h, Receiver receiver) throws IOException, InterruptedException {
        int n = sizes.backlogEvents();
        warmDelivery(h, receiver, "batch", warm(50_000, 400));
        String id = Load.endpoint(h, "\"url\":\"" + receiver.url("ok", 0) + "\",\"event_types\":[\"" + Load.TICK + "\"],"
                + "\"format\":\"batch\",\"batch\":{\"max_events\":100},\"max_concurrency\":64,\"status\":\"paused\"");
        boolean gc = h.gc();
        long heapIdle = h.heap();
        long acked = Load.bulk(h, Load.TICK, "k", n, 1_000, 4, null, Duration.ofSeconds(600));
        h.gc();
        long heapBefore = h.heap();
        long rssBefore = h.rss();
        long t0 = System.nanoTime();
        Load.setStatus(h, id, "active");
        long heapPeak = heapBefore;
        long rssPeak = rssBefore;
        long deadline = System.nanoTime() + Duration.ofSeconds(600).toNanos();
        while (receiver.events(0) < n && System.nanoTime() < deadline) {
            heapPeak = Math.max(heapPeak, h.heap());
            rssPeak = Math.max(rssPeak, h.rss());
            Thread.sleep(250);
        }
        long got = receiver.events(0);
        double s = seconds(receiver.lastAt(0) - t0);
        h.gc();
        long heapAfter = h.heap();
        long rssAfter = h.rss();
        return Report.Run.of(n, Math.min(acked, got))
                .figure("drain events/s", got / s)
                .figure("heap idle (MiB)", heapIdle / MIB)
                .figure("heap with backlog (MiB)", heapBefore / MIB)
                .figure("heap growth from backlog (MiB)", (heapBefore - heapIdle) / MIB)
                .figure("heap peak while draining (MiB)", heapPeak / MIB)
                .figure("heap after drain (MiB)", heapAfter / MIB)
                .figure("RSS with backlog (MiB)", rssBefore / MIB)
                .figure("RSS peak while draining (MiB)", rssPeak / MIB)
                .figure("RSS after drain (MiB)", rssAfter / MIB)
                .note(gc ? null : "jcmd not found: heap figures are without a forced GC");
    }

    /**
     * 20 per-event endpoints, each subscribed to every event: half healthy, and (when {@code mixed}) 5 answering 500
     * and 5 slower than their 1 s timeout; otherwise all 20 healthy. Figures are for the healthy half (slots 0..9).
     */
    private Report.Run failing(HeraldProcess h, Receiver receiver, boolean mixed) throws IOException, InterruptedException {
        int n = sizes.failingEvents();
        warmDelivery(h, receiver, "event", warm(20_000, 200));
        for (int i = 0; i < 20; i++) {
            String kind = !mixed || i < 10 ? "ok" : i < 15 ? "fail" : "slow";
            Load.endpoint(h, "\"url\":\"" + receiver.url(kind, i) + "\",\"event_types\":[\"" + Load.TICK + "\"],"
                    + "\"format\":\"event\",\"timeout_ms\":1000,\"max_concurrency\":16,"
                    // why: a first attempt that fails by accident costs 1 s, not the default 60 s, and the failing
                    // endpoints are retried within the run as they would be in a real outage
                    + "\"retry\":{\"initial_delay_ms\":1000}");
        }
        receiver.record(true);
        long[] ackAt = new long[n];
        long t0 = System.nanoTime();
        long acked = Load.bulk(h, Load.TICK, "f", n, 100, 2, ackAt, Duration.ofSeconds(300));
        long got = 0;
        long last = 0;
        for (int slot = 0; slot < 10; slot++) {
            got += awaitEvents(receiver, slot, n, Duration.ofSeconds(120));
            last = Math.max(last, receiver.lastAt(slot));
        }
        receiver.record(false);
        Histogram hist = new Histogram(TimeUnit.SECONDS.toMicros(300), 3);
        Map<String, Long> received = receiver.receivedAt();
        for (int slot = 0; slot < 10; slot++) {
            for (int i = 0; i < n; i++) {
                Long at = received.get(slot + ":f" + i);
                if (at != null && ackAt[i] != 0) {
                    hist.recordValue(Math.min(Math.max(0, (at - ackAt[i]) / 1_000), hist.getHighestTrackableValue()));
                }
            }
        }
        double s = seconds(last - t0);
        return Report.Run.of(10L * n, Math.min(10 * acked, got))
                .figure("healthy requests/s", got / s)
                .figure("healthy p99 (ms)", hist.getValueAtPercentile(99) / 1_000.0);
    }

    // ---- the limit -------------------------------------------------------------------------------------------

    /** The same HTTP client (OkHttp, one shared client, 64 concurrent) straight to the same receiver, no Herald. */
    private Report.Run limit(Receiver receiver) {
        OkHttpClient client = client();
        try {
            String one = "{\"event\":\"" + Load.TICK + "\",\"data\":{\"k\":\"x\"},\"delivery_key\":\"" + UUID.randomUUID() + "\"}";
            StringBuilder batch = new StringBuilder("{\"batch_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"count\":100,\"events\":[");
            for (int i = 0; i < 100; i++) {
                batch.append(i > 0 ? "," : "").append("{\"id\":\"").append(UUID.randomUUID()).append("\",\"createdAt\":\"2026-01-01T00:00:00.000Z\",")
                        .append("\"type\":\"").append(Load.TICK).append("\",\"data\":{\"k\":\"b").append(i).append("\"}}");
            }
            String batchBody = batch.append("]}").toString();
            int n = sizes.limitRequests();
            int nb = Math.max(100, n / 10);
            post(client, receiver.url("ok", LIMIT_EVENT_SLOT), one, warm(20_000, 1_000));
            post(client, receiver.url("ok", LIMIT_BATCH_SLOT), batchBody, warm(1_000, 100));
            receiver.reset();
            long t0 = System.nanoTime();
            long sent = post(client, receiver.url("ok", LIMIT_EVENT_SLOT), one, n);
            double s = seconds(System.nanoTime() - t0);
            long t1 = System.nanoTime();
            long sentBatches = post(client, receiver.url("ok", LIMIT_BATCH_SLOT), batchBody, nb);
            double sb = seconds(System.nanoTime() - t1);
            long got = receiver.requests(LIMIT_EVENT_SLOT);
            receiver.reset();
            return Report.Run.of(n, Math.min(sent, got))
                    .figure("event requests/s", sent / s)
                    .figure("batch events/s", sentBatches * 100 / sb);
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    private static long post(OkHttpClient client, String url, String body, int n) {
        return Load.run(64, n, Duration.ofSeconds(120), i -> {
            Request req = new Request.Builder().url(url)
                    .header("X-Request-ID", UUID.randomUUID().toString())
                    .header("X-Webhook-Delivery", "d")
                    .header("X-Webhook-Signature", "v1,x")
                    .post(RequestBody.create(body, HeraldProcess.JSON)).build();
            try (Response r = client.newCall(req).execute()) {
                r.body().bytes();
                if (r.code() != 200) {
                    throw new IOException("receiver answered " + r.code());
                }
            }
            return 1;
        });
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Waits (bounded) until {@code slot} has received {@code n} events; answers how many it got. */
    private static long awaitEvents(Receiver receiver, int slot, long n, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (receiver.events(slot) < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return receiver.events(slot);
    }

    /**
     * A warm-up count: large enough in full mode for C2 to compile the path on two cores it shares with the load
     * (the single-POST rate was still rising after 100,000 requests), and small in quick mode, which measures nothing.
     */
    private int warm(int full, int quick) {
        return sizes.mode().equals("quick") ? quick : full;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static List<String> scenarioOrder() {
        return new ArrayList<>(List.of("ingest-bulk", "ingest-single", "sqlite-baseline", "delivery-event", "delivery-batch",
                "latency", "backlog", "failing-partners", "all-healthy", "limit"));
    }
}
