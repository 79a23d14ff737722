package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.standardwebhooks.Webhook;
import dev.herald.testing.Eventually;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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

/** What an endpoint receives, byte for byte, on both databases, over real HTTP on loopback. */
class DeliveryTest {
    private final MockWebServer receiver = new MockWebServer();
    private TestHerald herald;

    @AfterEach
    void stop() {
        if (herald != null) {
            herald.close();
        }
        receiver.close();
    }

    private TestHerald start(String database) throws Exception {
        receiver.start();
        herald = database.equals("sqlite") ? TestHerald.sqlite() : TestHerald.postgres();
        herald.seed("acme", "order.paid", "order.refunded");
        return herald;
    }

    private static MockResponse ok() {
        return new MockResponse.Builder().code(200).body("thanks").build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void perEventBodyHeadersAndSignature(String database) throws Exception {
        TestHerald h = start(database);
        receiver.enqueue(ok());
        JsonNode endpoint = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\","
                + "\"format\":\"event\",\"event_types\":[\"order.paid\"],\"headers\":{\"X-Partner-Account\":\"42\"}}").json();
        long before = System.currentTimeMillis() / 1000;
        assertThat(h.post("/v1/tenants/acme/events", "{\"id\":\"e-1\",\"type\":\"order.paid\",\"data\":{\"amount\":42,\"note\":\"é\",\"ratio\":0.1,\"huge\":1e400}}")
                .status()).isEqualTo(202);

        RecordedRequest r = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(r).as("the endpoint received the event").isNotNull();
        String id = r.getHeaders().get("X-Webhook-Delivery");
        String body = r.getBody().string(StandardCharsets.UTF_8);
        // numbers pass through as published: no rounding to binary, no Infinity
        assertThat(body).isEqualTo("{\"event\":\"order.paid\",\"data\":{\"amount\":42,\"note\":\"é\",\"ratio\":0.1,\"huge\":1E+400},"
                + "\"delivery_key\":\"" + id + "\"}");
        assertThat(r.getMethod()).isEqualTo("POST");
        assertThat(r.getHeaders().get("Content-Type")).isEqualTo("application/json; charset=utf-8".substring(0, 16));
        assertThat(r.getHeaders().get("User-Agent")).isEqualTo("Herald-Webhook-Sender/1.0");
        assertThat(r.getHeaders().get("X-Request-ID")).matches("[0-9a-f-]{36}");
        assertThat(r.getHeaders().get("X-Webhook-Retry")).isEqualTo("0");
        assertThat(r.getHeaders().get("webhook-id")).isEqualTo(id);
        assertThat(r.getHeaders().get("X-Webhook-Event")).isEqualTo("order.paid");
        long timestamp = Long.parseLong(r.getHeaders().get("X-Webhook-Timestamp"));
        assertThat(timestamp).isBetween(before, before + 10);
        assertThat(r.getHeaders().get("webhook-timestamp")).isEqualTo(Long.toString(timestamp));
        assertThat(r.getHeaders().get("X-Webhook-Signature")).startsWith("v1,").isEqualTo(r.getHeaders().get("webhook-signature"));
        assertThat(r.getHeaders().get("X-Partner-Account")).isEqualTo("42");

        // an independent check: the public Standard Webhooks library verifies the signature
        new Webhook(endpoint.get("secret").stringValue()).verify(body, headers(r));

        h.herald().engine().wake();
        JsonNode delivery = awaitStatus(h, id, "delivered");
        assertThat(delivery.get("event_ids").get(0).stringValue()).isEqualTo("e-1");
        assertThat(delivery.get("attempts").get(0).get("status_code").intValue()).isEqualTo(200);
        assertThat(delivery.get("attempts").get(0).get("response_body").stringValue()).isEqualTo("thanks");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void batchesSealedByCountThenByWindowInOrderOnlySubscribedTypes(String database) throws Exception {
        TestHerald h = start(database);
        for (int i = 0; i < 3; i++) {
            receiver.enqueue(ok());
        }
        h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"event_types\":[\"order.paid\"],"
                + "\"batch\":{\"max_events\":3,\"window_ms\":1500}}");
        StringBuilder bulk = new StringBuilder("{\"events\":[");
        for (int i = 1; i <= 7; i++) {
            bulk.append(i > 1 ? "," : "").append("{\"id\":\"p").append(i).append("\",\"type\":\"order.paid\",\"data\":{\"n\":").append(i).append("}}");
            bulk.append(",{\"id\":\"r").append(i).append("\",\"type\":\"order.refunded\",\"data\":{}}");
        }
        assertThat(h.post("/v1/tenants/acme/events/bulk", bulk.append("]}").toString()).status()).isEqualTo(202);

        // why: deliveries go out concurrently, so they may arrive in any order; batch ids sort in seal order
        Map<String, JsonNode> batches = new TreeMap<>();
        for (int b = 0; b < 3; b++) {
            RecordedRequest r = receiver.takeRequest(10, TimeUnit.SECONDS);
            assertThat(r).as("batch %d arrived", b).isNotNull();
            JsonNode body = dev.herald.json.Json.parse(r.getBody().string(StandardCharsets.UTF_8));
            assertThat(r.getHeaders().get("X-Webhook-Event")).isEqualTo("batch");
            assertThat(body.get("batch_id").stringValue()).isEqualTo(r.getHeaders().get("X-Webhook-Delivery"));
            assertThat(body.get("timestamp").stringValue()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
            assertThat(body.propertyNames()).containsExactly("batch_id", "timestamp", "count", "events");
            batches.put(body.get("batch_id").stringValue(), body);
        }
        List<String> ids = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (JsonNode body : batches.values()) {
            counts.add(body.get("count").intValue());
            for (JsonNode e : body.get("events")) {
                assertThat(e.propertyNames()).containsExactly("id", "createdAt", "type", "data");
                assertThat(e.get("type").stringValue()).isEqualTo("order.paid");
                ids.add(e.get("id").stringValue());
            }
        }
        assertThat(counts).containsExactly(3, 3, 1);
        assertThat(ids).containsExactly("p1", "p2", "p3", "p4", "p5", "p6", "p7");
        assertThat(receiver.takeRequest(300, TimeUnit.MILLISECONDS)).as("nothing else was sent").isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void charactersOutsideTheBasicPlaneArriveIntact(String database) throws Exception {
        TestHerald h = start(database);
        receiver.enqueue(ok());
        receiver.enqueue(ok());
        h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\"}");
        // as a JSON escape pair, and as UTF-8, in a value and in a key
        assertThat(h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{\"s\":\"\\ud83d\\ude00\",\"\\ud834\\udd1e\":\"😀𝄞\"}}")
                .status()).isEqualTo(202);
        RecordedRequest r = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(r).as("the endpoint received the event").isNotNull();
        byte[] body = r.getBody().toByteArray();
        String expected = "{\"event\":\"order.paid\",\"data\":{\"s\":\"😀\",\"𝄞\":\"😀𝄞\"},\"delivery_key\":\""
                + r.getHeaders().get("X-Webhook-Delivery") + "\"}";
        assertThat(body).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(body, StandardCharsets.UTF_8)).contains("\uD83D\uDE00");
    }

    static Map<String, List<String>> headers(RecordedRequest r) {
        Map<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : r.getHeaders().names()) {
            out.put(name.toLowerCase(java.util.Locale.ROOT), r.getHeaders().values(name));
        }
        return out;
    }

    static JsonNode awaitStatus(TestHerald h, String deliveryId, String status) {
        return Eventually.until("delivery " + deliveryId + " becomes " + status, Duration.ofSeconds(10),
                () -> h.get("/v1/tenants/acme/deliveries/" + deliveryId).json(),
                d -> d != null && status.equals(d.path("status").stringValue()));
    }
}
