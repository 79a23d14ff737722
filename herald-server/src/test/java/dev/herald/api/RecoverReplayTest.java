package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.json.Json;
import dev.herald.store.Database;
import dev.herald.testing.Eventually;
import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Recover (failed deliveries sent again) and replay (events queued again), over real HTTP on both databases. */
class RecoverReplayTest {
    private static final Instant T0 = Instant.parse("2024-03-21T10:00:00Z");

    private final MockWebServer receiver = new MockWebServer();
    private final SettableClock clock = new SettableClock(T0);
    private volatile int answer = 200;
    private TestHerald h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        receiver.close();
    }

    private void start(String database) throws Exception {
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(answer).build();
            }
        });
        receiver.start();
        TestHerald.Builder b = TestHerald.builder().clock(clock);
        h = (database.equals("sqlite") ? b : b.postgres()).start();
        h.seed("acme", "order.paid", "order.refunded");
    }

    private String endpoint(String settings) {
        var r = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\"" + settings + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").stringValue();
    }

    private void publish(String id, String type) {
        assertThat(h.post("/v1/tenants/acme/events", "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"data\":{\"id\":\"" + id + "\"}}")
                .status()).isEqualTo(202);
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest r = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the receiver").isNotNull();
        return r;
    }

    /** Takes the next request and waits until its delivery is recorded delivered, so a move of the clock cannot end its lease. */
    private RecordedRequest delivered() throws InterruptedException {
        RecordedRequest r = take();
        await(r.getHeaders().get("X-Webhook-Delivery"), "delivered");
        return r;
    }

    private JsonNode delivery(String id) {
        return h.get("/v1/tenants/acme/deliveries/" + id).json();
    }

    private JsonNode await(String deliveryId, String status) {
        return Eventually.until("delivery " + deliveryId + " is " + status, Duration.ofSeconds(10),
                () -> delivery(deliveryId), d -> d != null && status.equals(d.path("status").stringValue()));
    }

    /** Publishes one event at {@code at}; its delivery fails at once (one attempt allowed); answers the delivery id. */
    private String failedAt(Instant at, String eventId) throws InterruptedException {
        clock.set(at);
        publish(eventId, "order.paid");
        String id = take().getHeaders().get("X-Webhook-Delivery");
        await(id, "failed");
        return id;
    }

    private static String range(Instant since, Instant until) {
        return "{\"since\":\"" + since + "\"" + (until == null ? "" : ",\"until\":\"" + until + "\"") + "}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void recoverSendsAgainWhatFailedInTheRangeSameIdAndBodyAndNothingElse(String database) throws Exception {
        start(database);
        answer = 500;
        String e = endpoint(",\"format\":\"event\",\"retry\":{\"policy\":\"exponential\",\"max_attempts\":1,\"initial_delay_ms\":100}");
        String path = "/v1/tenants/acme/endpoints/" + e + "/recover";
        String d1 = failedAt(T0, "e1");
        String d2 = failedAt(T0.plus(Duration.ofHours(1)), "e2");
        String d3 = failedAt(T0.plus(Duration.ofHours(2)), "e3");
        // a failed test-send in the range is not recovered
        clock.set(T0.plus(Duration.ofMinutes(150)));
        String test = h.post("/v1/tenants/acme/endpoints/" + e + "/test", "{\"type\":\"order.paid\",\"data\":{}}")
                .json().get("delivery_id").stringValue();
        take();
        await(test, "failed");
        answer = 200;

        // [since, until): the one that failed exactly at until is left for later
        var first = h.post(path, range(T0.plus(Duration.ofMinutes(30)), T0.plus(Duration.ofHours(2))));

        assertThat(first.status()).as(first.text()).isEqualTo(202);
        assertThat(first.json().get("deliveries").longValue()).isEqualTo(1);
        RecordedRequest again = take();
        assertThat(again.getHeaders().get("X-Webhook-Delivery")).isEqualTo(d2);
        assertThat(again.getHeaders().get("X-Webhook-Retry")).isEqualTo("1");
        assertThat(Json.parse(again.getBody().string(StandardCharsets.UTF_8)).get("delivery_key").stringValue()).isEqualTo(d2);
        assertThat(await(d2, "delivered").get("attempt_count").intValue()).isEqualTo(2);
        assertThat(delivery(d1).get("status").stringValue()).isEqualTo("failed");
        assertThat(delivery(d3).get("status").stringValue()).isEqualTo("failed");

        // until defaults to now
        clock.set(T0.plus(Duration.ofHours(3)));
        var rest = h.post(path, range(T0, null));
        assertThat(rest.json().get("deliveries").longValue()).as(rest.text()).isEqualTo(2);
        List<String> sent = new ArrayList<>(List.of(take().getHeaders().get("X-Webhook-Delivery"),
                take().getHeaders().get("X-Webhook-Delivery")));
        assertThat(sent).containsExactlyInAnyOrder(d1, d3);
        await(d1, "delivered");
        await(d3, "delivered");
        assertThat(delivery(test).get("status").stringValue()).isEqualTo("failed");
        assertThat(h.post(path, range(T0, null)).json().get("deliveries").longValue()).as("nothing failed is left").isZero();
        assertThat(receiver.takeRequest(300, TimeUnit.MILLISECONDS)).as("nothing else was sent").isNull();
        // the attempts as the dispatcher wrote them are the endpoint's, the test's left out
        JsonNode stats = h.get("/v1/tenants/acme/endpoints/" + e + "/stats?since=" + T0 + "&until=" + T0.plus(Duration.ofHours(4))).json();
        assertThat(stats.get("attempts").toString()).isEqualTo("{\"total\":6,\"succeeded\":3,\"failed\":3}");
        assertThat(stats.get("deliveries").toString()).isEqualTo("{\"delivered\":3,\"failed\":0,\"pending\":0}");

        assertInvalid(h.post(path, "{}"), "since");
        assertInvalid(h.post(path, range(T0, T0)), "since");
        assertInvalid(h.post(path, "{\"since\":\"yesterday\"}"), "since");
        assertInvalid(h.post(path, "{\"since\":\"" + T0 + "\",\"until\":\"soon\"}"), "until");
        assertInvalid(h.post(path, "{\"since\":\"" + T0 + "\",\"limit\":5}"), "limit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void recoverGoesThroughThousandsInChunks(String database) throws Exception {
        start(database);
        String e = endpoint(",\"status\":\"paused\"");
        Instant finished = T0.minus(Duration.ofHours(1));
        sql("INSERT INTO deliveries (id, tenant_id, endpoint_id, status, event_type, event_count, body, attempt_count,"
                + " created_at, finished_at) SELECT 'd-' || n, 'acme', '" + e + "', 'failed', 'batch', 1, ?, 1, ?, ? FROM ("
                + numbers(2_500) + ") g", "{}".getBytes(StandardCharsets.UTF_8), finished.toEpochMilli(), finished.toEpochMilli());

        var r = h.post("/v1/tenants/acme/endpoints/" + e + "/recover", range(finished, null));

        assertThat(r.json().get("deliveries").longValue()).as(r.text()).isEqualTo(2_500);
        assertThat(TestSendTest.count(h.herald().database(), "SELECT COUNT(*) FROM deliveries WHERE status = 'pending'"
                + " AND attempt_limit = 2 AND finished_at IS NULL")).isEqualTo(2_500);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void replayQueuesTheRangesSubscribedEventsAgainWithTheirIdsAndTimes(String database) throws Exception {
        start(database);
        String e = endpoint(",\"event_types\":[\"order.paid\"],\"batch\":{\"max_events\":1000,\"window_ms\":60000}");
        String path = "/v1/tenants/acme/endpoints/" + e + "/replay";
        // why: the first seal is at once, later ones a window after the last, so each jump of the clock seals
        publish("p1", "order.paid");
        delivered();
        clock.set(T0.plus(Duration.ofHours(1)));
        publish("p2", "order.paid");
        publish("r2", "order.refunded");
        delivered();
        clock.set(T0.plus(Duration.ofHours(2)));
        publish("p3", "order.paid");
        delivered();

        var r = h.post(path, range(T0.plus(Duration.ofMinutes(30)), T0.plus(Duration.ofHours(2))));

        assertThat(r.status()).as(r.text()).isEqualTo(202);
        assertThat(r.json().get("events").longValue()).as("p2 only: r2 is not subscribed, p3 is at until").isEqualTo(1);
        clock.tick(Duration.ofMinutes(1));
        h.herald().engine().wake();
        JsonNode batch = Json.parse(take().getBody().string(StandardCharsets.UTF_8));
        assertThat(batch.get("count").intValue()).isEqualTo(1);
        assertThat(batch.get("events").get(0).get("id").stringValue()).isEqualTo("p2");
        assertThat(batch.get("events").get(0).get("createdAt").stringValue()).isEqualTo("2024-03-21T11:00:00Z");

        // a per-event endpoint of every type gets new deliveries of the same events
        String every = endpoint(",\"format\":\"event\"");
        var all = h.post("/v1/tenants/acme/endpoints/" + every + "/replay", range(T0, null));
        assertThat(all.json().get("events").longValue()).as(all.text()).isEqualTo(4);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            bodies.add(Json.parse(take().getBody().string(StandardCharsets.UTF_8)).get("data").get("id").stringValue());
        }
        assertThat(bodies).containsExactlyInAnyOrder("p1", "p2", "r2", "p3");
        JsonNode log = h.get("/v1/tenants/acme/deliveries?endpoint_id=" + every).json().get("data");
        assertThat(log).hasSize(4);

        assertInvalid(h.post(path, "{}"), "since");
        assertInvalid(h.post(path, range(T0.plus(Duration.ofHours(1)), T0)), "since");
    }

    /**
     * Runs once endpoints may subscribe by pattern (another change adds {@code prefix.*} to the validator and to
     * {@code EndpointSpec.subscribes}); until then the endpoint is refused and the test is skipped.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aPatternSubscriptionIsJudgedByTheEndpointsOwnRule(String database) throws Exception {
        start(database);
        h.seed("acme", "journey.started");
        publish("p1", "order.paid");
        publish("r1", "order.refunded");
        publish("j1", "journey.started");
        var created = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\","
                + "\"event_types\":[\"order.*\"]}");
        Assumptions.assumeTrue(created.status() == 201, "pattern subscriptions are not accepted yet: " + created.text());

        var r = h.post("/v1/tenants/acme/endpoints/" + created.json().get("id").stringValue() + "/replay", range(T0, null));

        assertThat(r.json().get("events").longValue()).as(r.text()).isEqualTo(2);
        List<String> types = new ArrayList<>(List.of(take().getHeaders().get("X-Webhook-Event"), take().getHeaders().get("X-Webhook-Event")));
        assertThat(types).containsExactlyInAnyOrder("order.paid", "order.refunded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void anEventAlreadyWaitingIsNotQueuedTwice(String database) throws Exception {
        start(database);
        String e = endpoint(",\"batch\":{\"max_events\":1000,\"window_ms\":60000}");
        publish("p1", "order.paid");
        delivered(); // the first seal: the window starts now, and the clock stands still
        publish("p2", "order.paid");
        publish("p3", "order.paid");
        assertThat(queued(e)).isEqualTo(2);

        var r = h.post("/v1/tenants/acme/endpoints/" + e + "/replay", range(T0, T0.plusMillis(1)));

        assertThat(r.json().get("events").longValue()).as(r.text()).isEqualTo(3);
        assertThat(queued(e)).as("p1 queued again, p2 and p3 once each").isEqualTo(3);
        clock.tick(Duration.ofMinutes(1));
        JsonNode batch = Json.parse(take().getBody().string(StandardCharsets.UTF_8));
        assertThat(batch.get("events")).extracting(x -> x.get("id").stringValue()).containsExactly("p1", "p2", "p3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void overOneHundredThousandIsRefusedBeforeAnythingIsQueuedAndLargeRangesGoInChunks(String database) throws Exception {
        start(database);
        String e = endpoint(",\"event_types\":[\"order.refunded\"],\"status\":\"paused\"");
        Instant base = T0.minus(Duration.ofDays(1));
        // why: few distinct times, so chunk boundaries fall among events of the same millisecond
        sql("INSERT INTO events (tenant_id, id, type, data, created_at) SELECT 'acme', 'big-' || n, 'order.refunded',"
                + " '{}', ? + n % 7 FROM (" + numbers(100_001) + ") g", base.toEpochMilli());
        sql("INSERT INTO events (tenant_id, id, type, data, created_at) SELECT 'acme', 'other-' || n, 'order.paid',"
                + " '{}', ? + n % 7 FROM (" + numbers(5_000) + ") g", base.toEpochMilli());

        var refused = h.post("/v1/tenants/acme/endpoints/" + e + "/replay", range(base, base.plusSeconds(1)));

        assertInvalid(refused, "since");
        assertThat(refused.json().get("detail").stringValue()).contains("100001").contains("100000");
        assertThat(queuedOrSealed(e)).isZero();

        Instant later = base.plus(Duration.ofHours(1));
        sql("UPDATE events SET created_at = ? + seq % 3 WHERE id LIKE 'big-%' AND CAST(SUBSTR(id, 5) AS INTEGER) % 40 = 0",
                later.toEpochMilli());
        var replayed = h.post("/v1/tenants/acme/endpoints/" + e + "/replay", range(later, later.plusSeconds(1)));
        assertThat(replayed.json().get("events").longValue()).as(replayed.text()).isEqualTo(2_500);
        assertThat(queuedOrSealed(e)).isEqualTo(2_500);
        assertThat(TestSendTest.count(h.herald().database(), "SELECT COUNT(DISTINCT seq) FROM ("
                + "SELECT event_seq AS seq FROM queue WHERE endpoint_id = '" + e + "' UNION ALL SELECT de.event_seq FROM"
                + " delivery_events de JOIN deliveries d ON d.id = de.delivery_id WHERE d.endpoint_id = '" + e + "') s"))
                .as("every event once").isEqualTo(2_500);
    }

    /** Rows waiting in the endpoint's queue. */
    private long queued(String endpointId) {
        return TestSendTest.count(h.herald().database(), "SELECT COUNT(*) FROM queue WHERE endpoint_id = '" + endpointId + "'");
    }

    /** Events waiting in the endpoint's queue or sealed into its deliveries, in one statement (the batcher moves them). */
    private long queuedOrSealed(String endpointId) {
        return TestSendTest.count(h.herald().database(), "SELECT (SELECT COUNT(*) FROM queue WHERE endpoint_id = '" + endpointId
                + "') + (SELECT COUNT(*) FROM delivery_events de JOIN deliveries d ON d.id = de.delivery_id"
                + " WHERE d.endpoint_id = '" + endpointId + "')");
    }

    /** A query of the numbers 1 to {@code n} as column {@code n}, in both databases. */
    static String numbers(int n) {
        return "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < " + n + ") SELECT n FROM g";
    }

    private void sql(String sql, Object... params) {
        execute(h.herald().database(), sql, params);
    }

    static void execute(Database db, String sql, Object... params) {
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                return ps.executeUpdate();
            }
        });
    }
}
