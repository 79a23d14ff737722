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
 * Runs every scenario {@code runs} times, each run against a fresh Herald started by the launcher
 * ({@code ./herald serve}), and collects the figures into a {@link Report}. Every scenario runs first on the
 * defaults a user gets (an endpoint given only its URL, format and event types: {@code max_concurrency} 8);
 * a {@code -tuned} twin with {@code max_concurrency} 64 is reported beside it. Only scenarios that say so are
 * warmed up ({@code latency}, and the limit, which is the client's ceiling); every other one measures a Herald
 * straight after its start. Asserts nothing about speed: a scenario that fails, or does not deliver every event
 * it published, is recorded as such.
 */
final class Bench {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final double MIB = 1024.0 * 1024.0;
    /** Receiver slots: 0..19 measured endpoints, 40/41 the limit, 63 the warm-up endpoint. */
    private static final int WARM_SLOT = 63;
    private static final int LIMIT_EVENT_SLOT = 40;
    private static final int LIMIT_BATCH_SLOT = 41;
    /** An endpoint's {@code max_concurrency} when it is not given (DESIGN.md), and the tuned rows' setting. */
    static final int DEFAULT_CONCURRENCY = 8;
    static final int TUNED_CONCURRENCY = 64;

    private final Sizes sizes;
    private final Path launcher;
    private final Optional<String> databaseUrl;
    private final PrintStream out;
    private final Report report;
    private final OkHttpClient http;
    private final long started = System.nanoTime();

    private final java.util.Set<String> only;
    /** The loopback receiver, while {@link #run} runs; forgets everything before each scenario. */
    private Receiver receiver;

    /** Settings given to every Herald on top of the bench's own ({@code --herald-env}). */
    private final Map<String, String> heraldEnv;
    /** Heralds per scenario: 1, or 2 sharing one PostgreSQL database. */
    private final int nodes;

    Bench(Sizes sizes, Path launcher, Optional<String> databaseUrl, Map<String, String> heraldEnv, int nodes, PrintStream out,
          java.util.Set<String> only) {
        this.only = only;
        this.heraldEnv = Map.copyOf(heraldEnv);
        this.nodes = nodes;
        this.sizes = sizes;
        this.launcher = launcher;
        this.databaseUrl = databaseUrl;
        this.out = out;
        // why: names only, never values: a setting may hold a credential
        this.report = new Report(sizes, (databaseUrl.isPresent() ? "postgresql" : "sqlite") + (nodes == 2 ? ", 2 nodes" : "")
                + (heraldEnv.isEmpty() ? "" : ", Herald given " + String.join(", ", new java.util.TreeSet<>(heraldEnv.keySet()))));
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
            this.receiver = receiver;
            prepare();
            for (int r = 1; r <= sizes.runs(); r++) {
                scenario("start", r, this::start);
                scenario("ingest-bulk", r, () -> withHerald(h -> ingestBulk(h)));
                scenario("ingest-single", r, () -> withHerald(h -> ingestSingle(h)));
                scenario("sqlite-baseline", r, this::sqliteBaseline);
                scenario("delivery-event", r, () -> withHerald(h -> delivery(h, receiver, true, false)));
                scenario("delivery-event-tuned", r, () -> withHerald(h -> delivery(h, receiver, true, true)));
                scenario("delivery-batch", r, () -> withHerald(h -> delivery(h, receiver, false, false)));
                scenario("delivery-batch-tuned", r, () -> withHerald(h -> delivery(h, receiver, false, true)));
                scenario("latency", r, () -> withHerald(h -> latency(h, receiver)));
                scenario("latency-cold", r, () -> withHerald(h -> latencyCold(h, receiver)));
                if (r == 1) {
                    // why: a million events take a minute and a half to publish and drain; one run keeps the
                    // whole benchmark within twelve minutes, and memory, not speed, is what this scenario is for
                    scenario("backlog", r, () -> withHerald(h -> backlog(h, receiver)));
                }
                scenario("failing-partners", r, () -> withHerald(h -> failing(h, receiver, true, false)));
                scenario("all-healthy", r, () -> withHerald(h -> failing(h, receiver, false, false)));
                if (r == 1) {
                    // why: beside the default pair, once: the isolation they show does not depend on the setting
                    scenario("failing-partners-tuned", r, () -> withHerald(h -> failing(h, receiver, true, true)));
                    scenario("all-healthy-tuned", r, () -> withHerald(h -> failing(h, receiver, false, true)));
                }
                // why: last, so the receiver is as warm as it was for the deliveries it is compared with
                scenario("limit", r, () -> limit(receiver, DEFAULT_CONCURRENCY));
                scenario("limit-tuned", r, () -> limit(receiver, TUNED_CONCURRENCY));
            }
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
        report.finish(seconds(System.nanoTime() - started));
        return report;
    }

    /**
     * One Herald started and stopped before anything is measured: the launcher builds the jar and trains its
     * start-up cache here when it needs to (after a build), as it would for a user's first start. Records the JVM's
     * command line, and fails when the launcher did not {@code exec} the JVM (the resident size would be bash's).
     */
    private void prepare() throws IOException {
        long t0 = System.nanoTime();
        try (HeraldProcess h = HeraldProcess.start(launcher, databaseUrl, heraldEnv, http)) {
            List<String> cmd = h.commandLine();
            if (!cmd.isEmpty() && !Path.of(cmd.get(0)).getFileName().toString().startsWith("java")) {
                throw new IllegalStateException("the launcher did not exec the JVM (process " + h.pid + " runs " + cmd.get(0)
                        + "); the bench measures the resident size of the process it started, so it needs the launcher's exec");
            }
            report.heraldCommand(cmd);
            boolean cached = cmd.stream().anyMatch(a -> a.startsWith("-XX:AOTCache="));
            out.printf("[%6.1f s] prepared  ./herald serve ready after %.1f s (a build and the cache's training included, when the"
                            + " launcher needed them); %s%n", seconds(System.nanoTime() - started), seconds(System.nanoTime() - t0),
                    cached ? "with its start-up cache" : "WITHOUT a start-up cache (HERALD_AOT_CACHE=off, or the training failed:"
                            + " see herald-server/target/herald-aot-training.log)");
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while preparing", e);
        }
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
        if (receiver != null) {
            receiver.reset();
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
        out.printf("[%6.1f s] %-22s run %d/%d (%.1f s): %s%n", seconds(System.nanoTime() - started), name, run, sizes.runs(),
                seconds(System.nanoTime() - t0), result.summary());
        out.flush();
    }

    private Report.Run withHerald(WithHerald body) throws Exception {
        try (HeraldProcess h = HeraldProcess.start(launcher, databaseUrl, heraldEnv, http)) {
            Load.seed(h);
            if (nodes == 1) {
                return measure(body, h, null);
            }
            // why: a second node on the same database claims and delivers beside the first; load goes to the first
            try (HeraldProcess second = h.peer(launcher, heraldEnv)) {
                return measure(body, h, second);
            }
        }
    }

    private static Report.Run measure(WithHerald body, HeraldProcess h, HeraldProcess second) throws Exception {
        try {
            Report.Run r = body.run(h);
            if (second != null) {
                r.figure("peak RSS, second node (MiB)", second.peakRss() / (1024.0 * 1024.0));
            }
            return r.withPeakRss(h.peakRss());
        } catch (Exception | Error e) {
            throw new IllegalStateException(e.getMessage() + "\n--- child log ---\n" + h.logTail()
                    + (second == null ? "" : "\n--- second node's log ---\n" + second.logTail()), e);
        }
    }

    // ---- start -----------------------------------------------------------------------------------------------

    /** Launches of {@code ./herald serve} on a fresh data directory (the jar built): each one's time to {@code /readyz} 200. */
    private Report.Run start() throws IOException, InterruptedException {
        int n = sizes.startLaunches();
        List<Double> ready = new ArrayList<>();
        long rss = 0;
        for (int i = 0; i < n; i++) {
            try (HeraldProcess h = HeraldProcess.start(launcher, databaseUrl, heraldEnv, http)) {
                ready.add(h.startToReady.toNanos() / 1e6);
                rss = Math.max(rss, h.peakRss());
            }
        }
        return Report.Run.of(n, ready.size()).samples("ready (ms)", ready).withPeakRss(rss);
    }

    // ---- ingest ----------------------------------------------------------------------------------------------

    /** Bulk publishes of 1,000 events from 4 posters; one paused batch endpoint is subscribed, so queue rows are written. */
    private Report.Run ingestBulk(HeraldProcess h) throws IOException {
        Load.endpoint(h, "\"url\":\"http://127.0.0.1:9/\",\"event_types\":[\"" + Load.TICK + "\"],\"status\":\"paused\"");
        int n = sizes.bulkEvents();
        long t0 = System.nanoTime();
        long acked = Load.bulk(h, Load.TICK, "b", n, 1_000, 4, null, Duration.ofSeconds(300));
        double s = seconds(System.nanoTime() - t0);
        return Report.Run.of(n, acked).figure("events/s", acked / s);
    }

    /** Single publishes from 64 posters, one paused batch endpoint subscribed. */
    private Report.Run ingestSingle(HeraldProcess h) throws IOException {
        Load.endpoint(h, "\"url\":\"http://127.0.0.1:9/\",\"event_types\":[\"" + Load.TICK + "\"],\"status\":\"paused\"");
        int n = sizes.singleEvents();
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

    /**
     * The settings of a measured endpoint beyond its URL and event types. Default: only the format, so batching
     * (100 events or 1 s), concurrency (8), timeout and retries are what a user gets. Tuned: {@code max_concurrency}
     * 64, and batches sealed after 100 ms rather than 1 s.
     */
    static String endpointFields(boolean perEvent, boolean tuned) {
        if (perEvent) {
            return "\"format\":\"event\"" + (tuned ? ",\"max_concurrency\":" + TUNED_CONCURRENCY : "");
        }
        return "\"format\":\"batch\"" + (tuned ? ",\"batch\":{\"max_events\":100,\"window_ms\":100},\"max_concurrency\":" + TUNED_CONCURRENCY : "");
    }

    /**
     * Live publishing (bulk, 2 posters) to one endpoint of a Herald just started; the rate is events received /
     * (last receive − start of publishing). For batches, which a receiver takes faster than Herald ingests, the
     * target figure is delivery alone: the same number of events stored for a paused endpoint first, then resumed.
     */
    private Report.Run delivery(HeraldProcess h, Receiver receiver, boolean perEvent, boolean tuned) throws IOException, InterruptedException {
        int n = perEvent ? sizes.deliveryEvents() : sizes.batchEvents();
        String fields = endpointFields(perEvent, tuned);
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

    /**
     * Warm: single POSTs at a steady rate to a default per-event endpoint, after a warm-up (a burst, so C2 has
     * compiled the publish and delivery paths, then the steady rate itself); latency is the 202's arrival to the
     * receiver's, same clock, matched by data.k.
     */
    private Report.Run latency(HeraldProcess h, Receiver receiver) throws IOException, InterruptedException {
        int rate = sizes.latencyRate();
        Load.endpoint(h, "\"url\":\"" + receiver.url("ok", WARM_SLOT) + "\",\"event_types\":[\"" + Load.WARM + "\"],"
                + endpointFields(true, false));
        Load.endpoint(h, "\"url\":\"" + receiver.url("ok", 0) + "\",\"event_types\":[\"" + Load.TICK + "\"],"
                + endpointFields(true, false));
        // why: a burst first, so C2 has compiled the publish and delivery paths (at the steady rate alone it was
        // still compiling, on the cores the measured run needs, ten seconds later); then the steady rate itself
        int burst = warm(40_000, 200);
        Load.single(h, Load.WARM, "b", burst, 64, Duration.ofSeconds(120));
        int warm = warm(rate * 3, rate / 5);
        Load.paced(h, Load.WARM, "w", warm, rate, new long[warm], Duration.ofSeconds(60));
        awaitEvents(receiver, WARM_SLOT, burst + warm, Duration.ofSeconds(120));
        receiver.reset();
        return pacedLatency(h, receiver, rate, sizes.latencySeconds(), Report.Run.of(0, 0));
    }

    /**
     * Cold: straight after {@code /readyz} answered 200 (and the tenant, event types and one default per-event
     * endpoint were created), single POSTs at {@code coldRate}/s, no warm-up: what the first seconds after a start
     * or a deploy look like.
     */
    private Report.Run latencyCold(HeraldProcess h, Receiver receiver) throws IOException, InterruptedException {
        long readyAt = h.readyAt;
        Load.endpoint(h, "\"url\":\"" + receiver.url("ok", 0) + "\",\"event_types\":[\"" + Load.TICK + "\"],"
                + endpointFields(true, false));
        double setup = (System.nanoTime() - readyAt) / 1e6;
        Report.Run run = Report.Run.of(0, 0)
                .figure("start to ready (ms)", h.startToReady.toNanos() / 1e6)
                .figure("ready to first publish (ms)", setup);
        return pacedLatency(h, receiver, sizes.coldRate(), sizes.coldSeconds(), run);
    }

    /** Paced single POSTs for {@code seconds} at {@code rate}/s to slot 0, and the latency figures of what arrived. */
    private Report.Run pacedLatency(HeraldProcess h, Receiver receiver, int rate, int seconds, Report.Run before)
            throws InterruptedException {
        receiver.record(true);
        int n = rate * seconds;
        long[] ackAt = new long[n];
        // why: bounded: a Herald slower than the rate gets twice the run's length, then publishing stops
        long acked = Load.paced(h, Load.TICK, "l", n, rate, ackAt, Duration.ofSeconds(seconds * 2L + 5));
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
        Report.Run run = Report.Run.of(acked, got);
        before.figures.forEach(run::figure);
        return run
                .note(acked < n ? "Herald acknowledged only " + acked + " of " + n + " events in time at " + rate + "/s" : null)
                .figure("p50 (ms)", hist.getValueAtPercentile(50) / 1_000.0)
                .figure("p99 (ms)", hist.getValueAtPercentile(99) / 1_000.0)
                .figure("p99.9 (ms)", hist.getValueAtPercentile(99.9) / 1_000.0)
                .figure("max (ms)", hist.getMaxValue() / 1_000.0)
                .note(early > 0 ? early + " events arrived before their 202 (counted as 0 ms)" : null);
    }

    /** N events for a paused default batch endpoint, then resumed: drain rate, and the child's heap and RSS around it. */
    private Report.Run backlog(HeraldProcess h, Receiver receiver) throws IOException, InterruptedException {
        int n = sizes.backlogEvents();
        String id = Load.endpoint(h, "\"url\":\"" + receiver.url("ok", 0) + "\",\"event_types\":[\"" + Load.TICK + "\"],"
                + endpointFields(false, false) + ",\"status\":\"paused\"");
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
     * Concurrency is the default (8), or 64 when {@code tuned}; the timeout and first retry delay are set on every
     * endpoint, failing or not, because they are what makes the scenario a partner outage within a run.
     */
    private Report.Run failing(HeraldProcess h, Receiver receiver, boolean mixed, boolean tuned) throws IOException, InterruptedException {
        int n = sizes.failingEvents();
        for (int i = 0; i < 20; i++) {
            String kind = !mixed || i < 10 ? "ok" : i < 15 ? "fail" : "slow";
            Load.endpoint(h, "\"url\":\"" + receiver.url(kind, i) + "\",\"event_types\":[\"" + Load.TICK + "\"],"
                    + endpointFields(true, tuned) + ",\"timeout_ms\":1000,"
                    // why: the slow half (3 s answers) times out after 1 s, not the default 10 s; a first attempt that
                    // fails costs 1 s, not the default 60 s, so the failing endpoints are retried within the run as
                    // they would be in a real outage
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

    /**
     * The same HTTP client as Herald's (OkHttp, configured as {@link HeraldLikeClient} says), {@code concurrency}
     * calls in flight, straight to the same receiver, no Herald: what the client reaches on this machine at the
     * concurrency of the Herald rows it is compared with. Warm: it is the ceiling, not a start.
     */
    private Report.Run limit(Receiver receiver, int concurrency) {
        HeraldLikeClient client = new HeraldLikeClient();
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
            client.post(receiver.url("ok", LIMIT_EVENT_SLOT), one, Load.TICK, warm(20_000, 1_000), concurrency);
            client.post(receiver.url("ok", LIMIT_BATCH_SLOT), batchBody, "batch", warm(1_000, 100), concurrency);
            receiver.reset();
            long t0 = System.nanoTime();
            long sent = client.post(receiver.url("ok", LIMIT_EVENT_SLOT), one, Load.TICK, n, concurrency);
            double s = seconds(System.nanoTime() - t0);
            long t1 = System.nanoTime();
            long sentBatches = client.post(receiver.url("ok", LIMIT_BATCH_SLOT), batchBody, "batch", nb, concurrency);
            double sb = seconds(System.nanoTime() - t1);
            long got = receiver.requests(LIMIT_EVENT_SLOT);
            receiver.reset();
            return Report.Run.of(n, Math.min(sent, got))
                    .figure("event requests/s", sent / s)
                    .figure("batch events/s", sentBatches * 100 / sb)
                    .note(client.retried() > 0 ? client.retried() + " calls failed on a reused connection and were sent again, as Herald does" : null);
        } finally {
            client.close();
        }
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
     * A warm-up count, for the scenarios that are warm: large enough in full mode for C2 to compile the path on two
     * cores it shares with the load, and small in quick mode, which measures nothing.
     */
    private int warm(int full, int quick) {
        return sizes.isQuick() ? quick : full;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static List<String> scenarioOrder() {
        return new ArrayList<>(List.of("start", "ingest-bulk", "ingest-single", "sqlite-baseline",
                "delivery-event", "delivery-event-tuned", "delivery-batch", "delivery-batch-tuned",
                "latency", "latency-cold", "backlog", "failing-partners", "all-healthy",
                "failing-partners-tuned", "all-healthy-tuned", "limit", "limit-tuned"));
    }
}
