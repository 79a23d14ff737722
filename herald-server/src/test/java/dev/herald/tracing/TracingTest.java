package dev.herald.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.config.HeraldConfig;
import dev.herald.json.Json;
import dev.herald.testing.Eventually;
import dev.herald.testing.TestHerald;
import dev.herald.tracing.OtlpReceiver.Link;
import dev.herald.tracing.OtlpReceiver.ReceivedSpan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Spans for publish, seal and attempt, exported over OTLP/HTTP to a receiver on loopback, decoded there; the link
 * from each attempt back to what made its delivery goes through the database, on SQLite and PostgreSQL.
 */
class TracingTest {
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String PARENT_SPAN = "b7ad6b7169203331";
    private static final String SECRET_DATA = "data-s3cret-4242";
    private static final String SECRET_HEADER = "hdr-s3cret-value";
    private static final String ANSWER = "answer-s3cret-body";

    private final MockWebServer receiver = new MockWebServer();
    private OtlpReceiver otlp;
    private TestHerald h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        if (otlp != null) {
            otlp.close();
        }
        receiver.close();
    }

    @ParameterizedTest(name = "postgres={0}")
    @ValueSource(booleans = {false, true})
    void publishSealAndAttemptSpansAreExportedAndLinked(boolean postgres) throws Exception {
        for (int i = 0; i < 3; i++) {
            receiver.enqueue(new MockResponse.Builder().code(200).body(ANSWER).build());
        }
        receiver.start();
        otlp = new OtlpReceiver();
        TestHerald.Builder b = TestHerald.builder().set(HeraldConfig.OTEL_ENDPOINT, otlp.endpoint());
        h = (postgres ? b.postgres() : b).start();
        h.seed("acme", "order.paid");
        JsonNode perEvent = endpoint(Map.of("format", "event"));
        JsonNode batch = endpoint(Map.of("format", "batch"));
        JsonNode unreachable = endpoint(Map.of("format", "event", "url", "http://127.0.0.1:1/closed"));

        HttpResponse<String> published = publish("{\"events\":[{\"type\":\"order.paid\",\"data\":{\"card\":\"" + SECRET_DATA
                + "\"}},{\"type\":\"order.paid\",\"data\":{\"card\":\"" + SECRET_DATA + "\"}}]}",
                "00-" + TRACE_ID + "-" + PARENT_SPAN + "-01");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
        awaitDeliveries(perEvent, 2, "delivered");
        awaitDeliveries(batch, 1, "delivered");
        awaitDeliveries(unreachable, 2, "failed");
        Map<String, Object> stored = traceparents();
        List<String> perEventDeliveries = deliveryIds(perEvent);
        h.close(); // why: a stop exports the spans still waiting
        h = null;

        ReceivedSpan publish = only(otlp.named("publish"));
        assertThat(publish.traceId()).as("the publisher's trace is continued").isEqualTo(TRACE_ID);
        assertThat(publish.parentSpanId()).isEqualTo(PARENT_SPAN);
        assertThat(publish.kind()).as("SERVER").isEqualTo(2);
        assertThat(publish.attributes()).containsEntry("herald.tenant.id", "acme").containsEntry("herald.event.count", 2L);
        assertThat(publish.resource()).containsEntry("service.name", "herald");
        Link toPublish = new Link(publish.traceId(), publish.spanId());

        ReceivedSpan seal = only(otlp.named("seal"));
        assertThat(seal.attributes()).containsEntry("herald.endpoint.id", id(batch)).containsEntry("herald.event.count", 2L)
                .containsEntry("herald.delivery.count", 1L);
        assertThat(seal.links()).containsExactly(toPublish);
        assertThat(seal.parentSpanId()).isEmpty();

        List<ReceivedSpan> attempts = otlp.named("attempt");
        assertThat(attempts).hasSize(5);
        List<ReceivedSpan> delivered = attempts.stream().filter(a -> id(perEvent).equals(a.attribute("herald.endpoint.id"))).toList();
        assertThat(delivered).hasSize(2).allSatisfy(a -> {
            assertThat(a.links()).as("an attempt links to the publish that caused it").containsExactly(toPublish);
            assertThat(a.traceId()).as("an attempt is a trace of its own").isNotEqualTo(TRACE_ID);
            assertThat(a.parentSpanId()).isEmpty();
            assertThat(a.kind()).as("CLIENT").isEqualTo(3);
            assertThat(a.attributes()).containsEntry("herald.attempt.number", 1L).containsEntry("http.response.status_code", 200L)
                    .containsEntry("herald.delivery.outcome", "delivered").containsEntry("herald.tenant.id", "acme")
                    .doesNotContainKey("error.type");
            assertThat(a.attribute("herald.delivery.id")).isIn(perEventDeliveries);
        });
        ReceivedSpan batchAttempt = only(attempts.stream().filter(a -> id(batch).equals(a.attribute("herald.endpoint.id"))).toList());
        assertThat(batchAttempt.links()).as("a batch's attempt links to its seal").containsExactly(new Link(seal.traceId(), seal.spanId()));
        assertThat(attempts.stream().filter(a -> id(unreachable).equals(a.attribute("herald.endpoint.id"))).toList())
                .hasSize(2).allSatisfy(a -> {
                    assertThat(a.attributes()).containsEntry("error.type", "connection").containsEntry("herald.delivery.outcome", "failed")
                            .doesNotContainKey("http.response.status_code");
                    assertThat(a.statusCode()).as("STATUS_CODE_ERROR").isEqualTo(2);
                    assertThat(a.links()).containsExactly(toPublish);
                });

        assertThat(stored.values()).as("events and deliveries keep the traceparent of what made them")
                .allSatisfy(tp -> assertThat((String) tp).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]"));

        List<String> values = new ArrayList<>();
        otlp.spans().forEach(s -> s.attributes().values().forEach(v -> values.add(String.valueOf(v))));
        assertThat(values).isNotEmpty().allSatisfy(v -> assertThat(v).doesNotContain("s3cret")
                .doesNotContain(secret(perEvent)).doesNotContain(TestHerald.ADMIN).doesNotContain("/hook").doesNotContain("closed"));
    }

    @Test
    void aMalformedTraceparentStartsANewTrace() throws Exception {
        receiver.start();
        otlp = new OtlpReceiver();
        h = TestHerald.builder().set(HeraldConfig.OTEL_ENDPOINT, otlp.endpoint() + "/v1/traces").start();
        h.seed("acme", "order.paid");

        assertThat(publish("{\"type\":\"order.paid\",\"data\":{}}", "00-not-a-trace-01").statusCode()).isEqualTo(202);
        h.close();
        h = null;

        ReceivedSpan publish = only(otlp.named("publish"));
        assertThat(publish.parentSpanId()).isEmpty();
        assertThat(publish.traceId()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
        assertThat(otlp.contentTypes).first().isEqualTo("application/x-protobuf");
    }

    @Test
    void offNothingIsWrittenToTheNewColumnsAndNoSdkIsMade() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        receiver.start();
        h = TestHerald.sqlite();
        h.seed("acme", "order.paid");
        JsonNode perEvent = endpoint(Map.of("format", "event"));
        JsonNode batch = endpoint(Map.of("format", "batch"));

        publish("{\"type\":\"order.paid\",\"data\":{}}", "00-" + TRACE_ID + "-" + PARENT_SPAN + "-01");
        awaitDeliveries(perEvent, 1, "delivered");
        awaitDeliveries(batch, 1, "delivered");

        assertThat(traceparents()).hasSize(3).containsOnlyKeys("event", "delivery:" + deliveryIds(perEvent).getFirst(),
                "delivery:" + deliveryIds(batch).getFirst()).allSatisfy((k, v) -> assertThat(v).isNull());
        assertThat(Tracing.start(Optional.empty())).isSameAs(Tracing.off());
        assertThat(Tracing.off().on()).isFalse();
    }

    @Test
    void theEndpointIsABaseUrlOrTheTracesUrl() {
        assertThat(Tracing.tracesUrl("http://collector:4318")).isEqualTo("http://collector:4318/v1/traces");
        assertThat(Tracing.tracesUrl("http://collector:4318/")).isEqualTo("http://collector:4318/v1/traces");
        assertThat(Tracing.tracesUrl("https://otel.example/otlp")).isEqualTo("https://otel.example/otlp/v1/traces");
        assertThat(Tracing.tracesUrl("http://collector:4318/v1/traces")).isEqualTo("http://collector:4318/v1/traces");
    }

    private JsonNode endpoint(Map<String, String> settings) {
        ObjectNode e = Json.object();
        e.put("url", receiver.url("/hook").toString());
        settings.forEach(e::put);
        if ("batch".equals(settings.get("format"))) {
            e.putObject("batch").put("max_events", 2).put("window_ms", 60_000);
        }
        e.put("timeout_ms", 2000);
        e.putObject("retry").put("max_attempts", 1);
        e.putObject("headers").put("X-Api-Key", SECRET_HEADER);
        TestHerald.Response created = h.post("/v1/tenants/acme/endpoints", Json.write(e));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json();
    }

    private static String id(JsonNode endpoint) {
        return endpoint.get("id").stringValue();
    }

    private static String secret(JsonNode endpoint) {
        return endpoint.has("secret") ? endpoint.get("secret").stringValue() : "whsec_";
    }

    private HttpResponse<String> publish(String body, String traceparent) throws Exception {
        String path = body.startsWith("{\"events\"") ? "/v1/tenants/acme/events/bulk" : "/v1/tenants/acme/events";
        HttpRequest request = HttpRequest.newBuilder(URI.create(h.baseUrl() + path))
                .header("Authorization", "Bearer " + TestHerald.ADMIN).header("Content-Type", "application/json")
                .header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    private void awaitDeliveries(JsonNode endpoint, int count, String status) {
        Eventually.until(count + " " + status + " deliveries of " + id(endpoint), Duration.ofSeconds(20),
                () -> h.get("/v1/tenants/acme/deliveries?endpoint_id=" + id(endpoint)).json().get("data"),
                l -> l.size() == count && java.util.stream.StreamSupport.stream(l.spliterator(), false)
                        .allMatch(d -> status.equals(d.get("status").stringValue())));
    }

    private List<String> deliveryIds(JsonNode endpoint) {
        List<String> ids = new ArrayList<>();
        h.get("/v1/tenants/acme/deliveries?endpoint_id=" + id(endpoint)).json().get("data").forEach(d -> ids.add(d.get("id").stringValue()));
        return ids;
    }

    /** {@code events.traceparent} (one key per distinct value) and every {@code deliveries.traceparent}, read from the database. */
    private Map<String, Object> traceparents() {
        return h.herald().database().read(c -> {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT DISTINCT traceparent FROM events")) {
                while (rs.next()) {
                    out.put(out.containsKey("event") ? "event:" + rs.getString(1) : "event", rs.getString(1));
                }
            }
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT id, traceparent FROM deliveries")) {
                while (rs.next()) {
                    out.put("delivery:" + rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }

    private static ReceivedSpan only(List<ReceivedSpan> spans) {
        assertThat(spans).hasSize(1);
        return spans.getFirst();
    }
}
