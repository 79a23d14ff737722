package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.standardwebhooks.Webhook;
import dev.herald.json.Json;
import dev.herald.store.Database;
import dev.herald.testing.Eventually;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** POST .../endpoints/{id}/test: one delivery of one event, sent once, marked, over real HTTP on both databases. */
class TestSendTest {
    private final MockWebServer receiver = new MockWebServer();
    private TestHerald h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        receiver.close();
    }

    private TestHerald start(String database) throws Exception {
        receiver.start();
        h = database.equals("sqlite") ? TestHerald.sqlite() : TestHerald.postgres();
        h.seed("acme", "order.paid", "order.refunded", "journey.started");
        return h;
    }

    private JsonNode endpoint(String settings) {
        var r = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\"" + settings + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json();
    }

    private static String id(JsonNode endpoint) {
        return endpoint.get("id").stringValue();
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest r = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(r).as("the test reached the receiver").isNotNull();
        return r;
    }

    private JsonNode awaitFinished(String deliveryId) {
        return Eventually.until("test delivery " + deliveryId + " finishes", Duration.ofSeconds(10),
                () -> h.get("/v1/tenants/acme/deliveries/" + deliveryId).json(),
                d -> d != null && !"pending".equals(d.path("status").stringValue()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aTestToAPausedEndpointArrivesOnceMarkedAndSignedAndIsListedAsATest(String database) throws Exception {
        start(database);
        receiver.enqueue(new MockResponse.Builder().code(200).body("got it").build());
        JsonNode e = endpoint(",\"format\":\"event\",\"event_types\":[\"order.paid\"],\"status\":\"paused\"");
        // a publish to the paused endpoint waits, as it should: only the test goes out
        assertThat(h.post("/v1/tenants/acme/events", "{\"id\":\"real-1\",\"type\":\"order.paid\",\"data\":{}}").status()).isEqualTo(202);

        var answer = h.post("/v1/tenants/acme/endpoints/" + id(e) + "/test", "{\"type\":\"order.paid\",\"data\":{\"amount\":42}}");

        assertThat(answer.status()).as(answer.text()).isEqualTo(202);
        String deliveryId = answer.json().get("delivery_id").stringValue();
        RecordedRequest r = take();
        String body = r.getBody().string(StandardCharsets.UTF_8);
        assertThat(body).isEqualTo("{\"event\":\"order.paid\",\"data\":{\"amount\":42},\"delivery_key\":\"" + deliveryId + "\"}");
        assertThat(r.getHeaders().get("X-Webhook-Test")).isEqualTo("true");
        assertThat(r.getHeaders().get("X-Webhook-Delivery")).isEqualTo(deliveryId);
        assertThat(r.getHeaders().get("X-Webhook-Event")).isEqualTo("order.paid");
        assertThat(r.getHeaders().get("X-Webhook-Retry")).isEqualTo("0");
        new Webhook(e.get("secret").stringValue()).verify(body, headers(r));

        JsonNode d = awaitFinished(deliveryId);
        assertThat(d.get("status").stringValue()).isEqualTo("delivered");
        assertThat(d.get("test").booleanValue()).isTrue();
        assertThat(d.get("event_ids").get(0).stringValue()).startsWith("test_");
        assertThat(d.get("attempts").get(0).get("status_code").intValue()).isEqualTo(200);
        assertThat(d.get("attempts").get(0).get("response_body").stringValue()).isEqualTo("got it");
        JsonNode log = h.get("/v1/tenants/acme/deliveries?endpoint_id=" + id(e)).json().get("data");
        assertThat(log).hasSize(2);
        assertThat(log).filteredOn(x -> x.get("id").stringValue().equals(deliveryId))
                .singleElement().satisfies(x -> assertThat(x.get("test").booleanValue()).isTrue());
        assertThat(log).filteredOn(x -> !x.get("id").stringValue().equals(deliveryId))
                .singleElement().satisfies(x -> {
                    assertThat(x.get("test").booleanValue()).isFalse();
                    assertThat(x.get("status").stringValue()).as("the paused endpoint's real delivery waits").isEqualTo("pending");
                });
        // not a tenant event, not in the stats
        assertThat(count(h.herald().database(), "SELECT COUNT(*) FROM events WHERE id LIKE 'test_%'")).isZero();
        JsonNode stats = h.get("/v1/tenants/acme/endpoints/" + id(e) + "/stats").json();
        assertThat(stats.get("attempts").get("total").longValue()).isZero();
        assertThat(stats.get("deliveries").get("delivered").longValue()).isZero();
        assertThat(stats.get("deliveries").get("pending").longValue()).as("the real one").isEqualTo(1);
        assertThat(receiver.takeRequest(300, TimeUnit.MILLISECONDS)).as("nothing else was sent to the paused endpoint").isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aFailingTestIsNotRetriedAndA410DoesNotPauseTheEndpoint(String database) throws Exception {
        start(database);
        receiver.enqueue(new MockResponse.Builder().code(503).build());
        receiver.enqueue(new MockResponse.Builder().code(410).build());
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        JsonNode e = endpoint(",\"format\":\"event\",\"retry\":{\"policy\":\"exponential\",\"max_attempts\":5,\"initial_delay_ms\":100}");

        String first = h.post("/v1/tenants/acme/endpoints/" + id(e) + "/test", "{\"type\":\"order.paid\",\"data\":{}}")
                .json().get("delivery_id").stringValue();
        assertThat(take().getHeaders().get("X-Webhook-Delivery")).isEqualTo(first);
        JsonNode failed = awaitFinished(first);
        assertThat(failed.get("status").stringValue()).isEqualTo("failed");
        assertThat(failed.get("attempt_count").intValue()).isEqualTo(1);

        String second = h.post("/v1/tenants/acme/endpoints/" + id(e) + "/test", "{\"type\":\"order.paid\",\"data\":{}}")
                .json().get("delivery_id").stringValue();
        assertThat(take().getHeaders().get("X-Webhook-Delivery")).as("the first was not retried").isEqualTo(second);
        assertThat(awaitFinished(second).get("status").stringValue()).isEqualTo("failed");
        assertThat(h.get("/v1/tenants/acme/endpoints/" + id(e)).json().get("status").stringValue()).isEqualTo("active");
        assertThat(receiver.takeRequest(500, TimeUnit.MILLISECONDS)).as("no retry of either test").isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aBatchEndpointGetsABatchOfOneWithTheCataloguesExampleOfItsFirstTypeThatHasOne(String database) throws Exception {
        start(database);
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        setExample("order.refunded", "{\"order\":\"A-1\",\"amount\":5}");
        JsonNode e = endpoint(",\"event_types\":[\"order.paid\",\"order.refunded\"]");

        var answer = h.post("/v1/tenants/acme/endpoints/" + id(e) + "/test", null);

        assertThat(answer.status()).as(answer.text()).isEqualTo(202);
        String deliveryId = answer.json().get("delivery_id").stringValue();
        RecordedRequest r = take();
        JsonNode body = Json.parse(r.getBody().string(StandardCharsets.UTF_8));
        assertThat(body.propertyNames()).containsExactly("batch_id", "timestamp", "count", "events");
        assertThat(body.get("batch_id").stringValue()).isEqualTo(deliveryId);
        assertThat(body.get("count").intValue()).isEqualTo(1);
        JsonNode event = body.get("events").get(0);
        assertThat(event.propertyNames()).containsExactly("id", "createdAt", "type", "data");
        assertThat(event.get("id").stringValue()).matches("test_[0-9a-f-]{36}");
        assertThat(event.get("type").stringValue()).as("order.paid has no example").isEqualTo("order.refunded");
        assertThat(Json.write(event.get("data"))).isEqualTo("{\"order\":\"A-1\",\"amount\":5}");
        assertThat(r.getHeaders().get("X-Webhook-Event")).isEqualTo("batch");
        assertThat(r.getHeaders().get("X-Webhook-Test")).isEqualTo("true");
        new Webhook(e.get("secret").stringValue()).verify(r.getBody().string(StandardCharsets.UTF_8), headers(r));

        // an endpoint of every type takes the first catalogue type (by name) with an example
        setExample("journey.started", "{\"journey\":7}");
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        JsonNode every = endpoint(",\"format\":\"event\"");
        assertThat(h.post("/v1/tenants/acme/endpoints/" + id(every) + "/test", "{}").status()).isEqualTo(202);
        assertThat(take().getBody().string(StandardCharsets.UTF_8)).startsWith("{\"event\":\"journey.started\",\"data\":{\"journey\":7}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void whatCannotBeChosenIsA422NamingTheFieldAndAStrangerGetsA404(String database) throws Exception {
        start(database);
        setExample("journey.started", "null");
        String e = id(endpoint(",\"event_types\":[\"order.paid\"]"));
        String path = "/v1/tenants/acme/endpoints/" + e + "/test";

        var none = h.post(path, "{}");
        assertInvalid(none, "type");
        assertThat(none.json().get("detail").stringValue()).contains("example").contains("send type and data");
        var noExample = h.post(path, "{\"type\":\"order.paid\"}");
        assertInvalid(noExample, "data");
        assertThat(noExample.json().get("detail").stringValue()).contains("order.paid has no example");
        assertInvalid(h.post(path, "{\"type\":\"no.such\",\"data\":{}}"), "type");
        assertInvalid(h.post(path, "{\"type\":\"order.paid\",\"data\":[1]}"), "data");
        assertInvalid(h.post(path, "{\"type\":\"order.paid\",\"data\":{},\"id\":\"x\"}"), "id");
        // data alone: the endpoint's first type by name
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        assertThat(h.post(path, "{\"data\":{}}").status()).isEqualTo(202);
        assertThat(take().getBody().string(StandardCharsets.UTF_8)).contains("\"order.paid\"");
        // an endpoint of every type needs the type named when there is no example to choose by
        String every = id(endpoint(""));
        assertInvalid(h.post("/v1/tenants/acme/endpoints/" + every + "/test", "{\"data\":{}}"), "type");

        assertProblem(h.post("/v1/tenants/acme/endpoints/no-such-endpoint/test", "{}"), 404);
        h.seed("other");
        assertProblem(h.post("/v1/tenants/other/endpoints/" + e + "/test", "{}"), 404);
        String readOnly = h.post("/v1/tenants/acme/portal-sessions", "{\"read_only\": true}").json().get("token").stringValue();
        assertProblem(h.send("POST", path, "{\"type\":\"order.paid\",\"data\":{}}", readOnly), 403);
    }

    /** Sets (or, with {@code null}, clears) a catalogue example through the API. */
    private void setExample(String type, String exampleJson) {
        assertThat(h.patch("/v1/event-types/" + type, "{\"example\": " + exampleJson + "}").status()).isEqualTo(200);
    }

    static long count(Database db, String sql) {
        return db.read(c -> {
            try (var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    static Map<String, List<String>> headers(RecordedRequest r) {
        Map<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : r.getHeaders().names()) {
            out.put(name.toLowerCase(java.util.Locale.ROOT), r.getHeaders().values(name));
        }
        return out;
    }
}
