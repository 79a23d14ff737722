package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.json.Json;
import dev.herald.testing.Databases;
import dev.herald.testing.Eventually;
import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two nodes sharing one PostgreSQL: an endpoint's cap and rate limit hold for both together, its keys keep their
 * order, a node killed mid-load loses nothing, and both ride out a database restart.
 */
class ClusterTest {
    private final MockWebServer receiver = new MockWebServer();
    private final List<AutoCloseable> open = new ArrayList<>();
    /** Per event id (data.n), how often it arrived. */
    private final Map<String, AtomicInteger> byEvent = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private final Map<String, List<Integer>> byKey = new ConcurrentHashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        receiver.close();
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    private void receive(Duration each) throws Exception {
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) throws InterruptedException {
                mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(each.toMillis());
                    JsonNode data = Json.parse(r.getBody().string(StandardCharsets.UTF_8)).get("data");
                    byEvent.computeIfAbsent(data.get("n").asString(), k -> new AtomicInteger()).incrementAndGet();
                    if (data.has("key")) {
                        byKey.computeIfAbsent(data.get("key").stringValue(), k -> new CopyOnWriteArrayList<>())
                                .add(data.get("n").intValue());
                    }
                    return new MockResponse.Builder().code(200).build();
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        });
        receiver.start();
    }

    private static String bulk(int from, int count, String key) {
        StringBuilder b = new StringBuilder("{\"events\":[");
        for (int i = from; i < from + count; i++) {
            b.append(i > from ? "," : "").append("{\"type\":\"t\",")
                    .append(key == null ? "" : "\"ordering_key\":\"" + key + "\",")
                    .append("\"data\":{\"n\":").append(i).append(key == null ? "" : ",\"key\":\"" + key + "\"").append("}}");
        }
        return b.append("]}").toString();
    }

    @Test
    void theCapAndTheRateLimitHoldForBothNodesTogether() throws Exception {
        receive(Duration.ofMillis(40));
        String url = Databases.freshPostgres();
        TestHerald a = opened(TestHerald.builder().databaseUrl(url).start());
        TestHerald b = opened(TestHerald.builder().databaseUrl(url).start());
        a.seed("acme", "t");
        assertThat(a.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\","
                + "\"max_concurrency\":3,\"rate_limit_per_s\":40}").status()).isEqualTo(201);

        for (int chunk = 0; chunk < 4; chunk++) {
            TestHerald node = chunk % 2 == 0 ? a : b;
            assertThat(node.post("/v1/tenants/acme/events/bulk", bulk(chunk * 30, 30, null)).status()).isEqualTo(202);
        }

        Eventually.until("every event arrives", Duration.ofSeconds(60), byEvent::size, n -> n == 120);
        assertThat(byEvent.values()).allSatisfy(n -> assertThat(n.get()).as("sent once").isEqualTo(1));
        assertThat(mostInFlight.get()).as("requests in flight at once, both nodes together").isLessThanOrEqualTo(3);
        List<Long> starts = a.herald().database().read(c -> {
            List<Long> out = new ArrayList<>();
            try (var rs = c.createStatement().executeQuery("SELECT at FROM attempts ORDER BY at")) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        });
        for (int i = 40; i < starts.size(); i++) {
            assertThat(starts.get(i) - starts.get(i - 40)).as("41 starts within a second, both nodes together")
                    .isGreaterThanOrEqualTo(980);
        }
    }

    @Test
    void eachKeyKeepsItsOrderWhenBothNodesPublishAndSend() throws Exception {
        receive(Duration.ofMillis(5));
        String url = Databases.freshPostgres();
        TestHerald a = opened(TestHerald.builder().databaseUrl(url).start());
        TestHerald b = opened(TestHerald.builder().databaseUrl(url).start());
        a.seed("acme", "t");
        a.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\",\"ordering\":\"key\"}");

        List<String> keys = List.of("k1", "k2", "k3");
        for (int n = 0; n < 15; n++) {
            for (String key : keys) {
                TestHerald node = (n + key.hashCode()) % 2 == 0 ? a : b;
                // why: each publish is acknowledged before the next of its key, so publish order is this loop's order
                assertThat(node.post("/v1/tenants/acme/events", "{\"type\":\"t\",\"ordering_key\":\"" + key + "\","
                        + "\"data\":{\"n\":" + n + ",\"key\":\"" + key + "\"}}").status()).isEqualTo(202);
            }
        }

        Eventually.until("every event arrives", Duration.ofSeconds(60),
                () -> byKey.values().stream().mapToInt(List::size).sum(), n -> n == 45);
        for (String key : keys) {
            assertThat(byKey.get(key)).as(key).isSorted().hasSize(15);
        }
    }

    @Test
    void aNodeKilledMidLoadLosesNothingAndTheOtherTakesOverItsEndpoints() throws Exception {
        receive(Duration.ofMillis(100));
        String url = Databases.freshPostgres();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("herald-cluster");
        Process child = startChild(url, dir, port);
        try {
            RecoveryTest.Remote remote = new RecoveryTest.Remote("http://127.0.0.1:" + port);
            remote.awaitReady(Duration.ofSeconds(60));
            remote.post("/v1/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
            remote.post("/v1/event-types", "{\"name\":\"t\"}");
            remote.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\","
                    + "\"max_concurrency\":4,\"timeout_ms\":2000}");
            assertThat(remote.post("/v1/tenants/acme/events/bulk", bulk(0, 200, null))).isEqualTo(202);
            Eventually.until("the child is sending", Duration.ofSeconds(30), byEvent::size, n -> n >= 10);
        } finally {
            child.destroyForcibly(); // SIGKILL: it holds its endpoint and four leases
            child.waitFor(30, TimeUnit.SECONDS);
        }
        int before = byEvent.size();
        assertThat(before).as("the kill came mid-run").isLessThan(200);

        // why: the survivor's clock is a minute ahead, so the dead node's hold and leases have run out for it
        SettableClock later = new SettableClock(Instant.now().plus(Duration.ofMinutes(1)));
        TestHerald survivor = opened(TestHerald.builder().databaseUrl(url).clock(later).start());

        Eventually.until("every event arrives through the survivor", Duration.ofSeconds(60), byEvent::size, n -> n == 200);
        long twice = byEvent.values().stream().filter(n -> n.get() > 1).count();
        // why: an attempt is in flight from its claim until its outcome is written: the cap sending (4), and those
        // answered since the last cycle committed, a few more on a loaded machine; never the run (200)
        assertThat(twice).as("only what was not yet recorded at the kill is sent again").isLessThanOrEqualTo(12);
        JsonNode pending = Eventually.until("nothing stays pending", Duration.ofSeconds(10),
                () -> survivor.get("/v1/tenants/acme/deliveries?status=pending").json().get("data"), JsonNode::isEmpty);
        assertThat(pending).isEmpty();
    }

    @Test
    void bothNodesRideOutADatabaseRestartAndLoseNothing() throws Exception {
        receive(Duration.ofMillis(10));
        Path data = Files.createTempDirectory("herald-cluster-pg");
        int pgPort;
        try (ServerSocket s = new ServerSocket(0)) {
            pgPort = s.getLocalPort();
        }
        EmbeddedPostgres[] pg = {EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(pgPort).start()};
        open.add(() -> pg[0].close());
        String url = pg[0].getJdbcUrl("postgres", "postgres");
        TestHerald a = opened(TestHerald.builder().databaseUrl(url).start());
        TestHerald b = opened(TestHerald.builder().databaseUrl(url).start());
        a.seed("acme", "t");
        a.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\"}");
        assertThat(a.post("/v1/tenants/acme/events/bulk", bulk(0, 100, null)).status()).isEqualTo(202);
        assertThat(b.post("/v1/tenants/acme/events/bulk", bulk(100, 100, null)).status()).isEqualTo(202);
        Eventually.until("deliveries flow", Duration.ofSeconds(30), byEvent::size, n -> n >= 20);

        pg[0].close();
        Thread.sleep(1_500);
        pg[0] = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(pgPort).start();

        Eventually.until("both nodes are ready again", Duration.ofSeconds(30),
                () -> a.get("/readyz").status() + b.get("/readyz").status(), sum -> sum == 400);
        assertThat(b.post("/v1/tenants/acme/events/bulk", bulk(200, 50, null)).status()).isEqualTo(202);
        Eventually.until("every acknowledged event arrives", Duration.ofSeconds(90), byEvent::size, n -> n == 250);
        JsonNode pending = Eventually.until("nothing stays pending", Duration.ofSeconds(60),
                () -> a.get("/v1/tenants/acme/deliveries?status=pending").json().get("data"), JsonNode::isEmpty);
        assertThat(pending).isEmpty();
    }

    private static Process startChild(String databaseUrl, Path dir, int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.herald.cli.Main", "serve");
        pb.environment().put("HERALD_PORT", Integer.toString(port));
        pb.environment().put("HERALD_BIND", "127.0.0.1");
        pb.environment().put("HERALD_DATA_DIR", dir.toString());
        pb.environment().put("HERALD_DATABASE_URL", databaseUrl);
        pb.environment().put("HERALD_ADMIN_TOKEN", TestHerald.ADMIN);
        pb.environment().put("HERALD_ALLOW_PRIVATE_TARGETS", "true");
        pb.redirectErrorStream(true).redirectOutput(new File(dir.toFile(), "child.log"));
        return pb.start();
    }
}
