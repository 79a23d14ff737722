package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.json.Json;
import dev.herald.testing.Eventually;
import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Endpoints that fail for HERALD_PAUSE_FAILING_AFTER are paused, and the operator hears of pauses and failed
 * deliveries through its own tenant's endpoints, as any partner would. Days pass on a settable clock.
 */
class OperationalEventsTest {
    private final SettableClock clock = new SettableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    private final MockWebServer receiver = new MockWebServer();
    /** What the operator's endpoint received: each body's {@code event} and {@code data}. */
    private final List<JsonNode> operatorGot = new CopyOnWriteArrayList<>();
    private TestHerald h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        receiver.close();
    }

    private void start(String database, String pauseAfter) throws Exception {
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                if (r.getTarget().startsWith("/ops")) {
                    operatorGot.add(Json.parse(r.getBody().string(StandardCharsets.UTF_8)));
                    return new MockResponse.Builder().code(204).build();
                }
                return new MockResponse.Builder().code(r.getTarget().startsWith("/ok") ? 200 : 500).build();
            }
        });
        receiver.start();
        var b = TestHerald.builder().clock(clock).set("HERALD_OPERATOR_TENANT", "ops").set("HERALD_PAUSE_FAILING_AFTER", pauseAfter);
        if (database.equals("postgresql")) {
            b.postgres();
        }
        h = b.start();
        h.seed("acme", "t");
        assertThat(h.post("/v1/tenants/ops/endpoints", "{\"url\":\"" + receiver.url("/ops") + "\",\"format\":\"event\","
                + "\"event_types\":[\"herald.endpoint.paused\",\"herald.delivery.failed\"]}").status())
                .as("the operator tenant and its event types exist from the start").isEqualTo(201);
    }

    private String endpoint(String tenant, String path, int maxAttempts) {
        return h.post("/v1/tenants/" + tenant + "/endpoints", "{\"url\":\"" + receiver.url(path) + "\",\"format\":\"event\","
                + "\"retry\":{\"max_attempts\":" + maxAttempts + ",\"initial_delay_ms\":3600000}}").json().get("id").stringValue();
    }

    private void publish(String tenant, String id) {
        assertThat(h.post("/v1/tenants/" + tenant + "/events", "{\"id\":\"" + id + "\",\"type\":\"t\",\"data\":{}}").status())
                .isEqualTo(202);
    }

    private int awaitAttempts(String tenant, int n) {
        return Eventually.until(tenant + " has " + n + " attempt(s)", Duration.ofSeconds(10), () -> {
            h.herald().engine().wake();
            int total = 0;
            for (JsonNode d : h.get("/v1/tenants/" + tenant + "/deliveries").json().get("data")) {
                total += d.get("attempt_count").intValue();
            }
            return total;
        }, total -> total >= n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void anEndpointFailingForFiveDaysIsPausedAndTheOperatorIsTold(String database) throws Exception {
        start(database, "5d");
        String id = endpoint("acme", "/fail", 10);
        publish("acme", "e1");
        awaitAttempts("acme", 1);

        clock.tick(Duration.ofDays(4));
        publish("acme", "e2");
        awaitAttempts("acme", 2);
        assertThat(h.get("/v1/tenants/acme/endpoints/" + id).json().get("status").stringValue())
                .as("four days of failures is not enough").isEqualTo("active");

        clock.tick(Duration.ofDays(1));
        publish("acme", "e3");

        JsonNode paused = Eventually.until("the endpoint is paused", Duration.ofSeconds(10),
                () -> h.get("/v1/tenants/acme/endpoints/" + id).json(), e -> e.get("status").stringValue().equals("paused"));
        assertThat(paused.get("paused_reason").stringValue()).startsWith("every attempt failed since")
                .contains("no 2xx for 5d");
        JsonNode notice = Eventually.until("the operator hears of it", Duration.ofSeconds(10), () -> operatorGot,
                got -> !got.isEmpty()).getFirst();
        assertThat(notice.get("event").stringValue()).isEqualTo("herald.endpoint.paused");
        assertThat(notice.get("data").get("tenant_id").stringValue()).isEqualTo("acme");
        assertThat(notice.get("data").get("endpoint_id").stringValue()).isEqualTo(id);
        assertThat(notice.get("data").get("reason").stringValue()).isEqualTo(paused.get("paused_reason").stringValue());

        // resumed, it starts a fresh streak: the next failure does not pause it again
        assertThat(h.patch("/v1/tenants/acme/endpoints/" + id, "{\"status\":\"active\"}").status()).isEqualTo(200);
        publish("acme", "e4");
        awaitAttempts("acme", 4);
        assertThat(h.get("/v1/tenants/acme/endpoints/" + id).json().get("status").stringValue()).isEqualTo("active");
    }

    @Test
    void aSuccessEndsTheFailingStreak() throws Exception {
        start("sqlite", "5d");
        String failing = endpoint("acme", "/fail", 10);
        publish("acme", "e1");
        awaitAttempts("acme", 1);
        clock.tick(Duration.ofDays(3));
        h.patch("/v1/tenants/acme/endpoints/" + failing, "{\"url\":\"" + receiver.url("/ok") + "\"}");
        publish("acme", "e2");
        awaitAttempts("acme", 2);

        clock.tick(Duration.ofDays(3));
        h.patch("/v1/tenants/acme/endpoints/" + failing, "{\"url\":\"" + receiver.url("/fail") + "\"}");
        publish("acme", "e3");
        awaitAttempts("acme", 3);

        assertThat(h.get("/v1/tenants/acme/endpoints/" + failing).json().get("status").stringValue()).isEqualTo("active");
    }

    @Test
    void zeroNeverPausesForFailing() throws Exception {
        start("sqlite", "0");
        String id = endpoint("acme", "/fail", 10);
        publish("acme", "e1");
        awaitAttempts("acme", 1);
        clock.tick(Duration.ofDays(30));
        publish("acme", "e2");
        awaitAttempts("acme", 2);

        assertThat(h.get("/v1/tenants/acme/endpoints/" + id).json().get("status").stringValue()).isEqualTo("active");
    }

    @Test
    void aFailedDeliveryIsReportedButNotOneOfTheOperatorsOwnEndpoints() throws Exception {
        start("sqlite", "5d");
        endpoint("acme", "/fail", 1);
        endpoint("ops", "/fail", 1);
        publish("acme", "e1");

        JsonNode notice = Eventually.until("the operator hears of the failure", Duration.ofSeconds(10), () -> operatorGot,
                got -> !got.isEmpty()).getFirst();
        assertThat(notice.get("event").stringValue()).isEqualTo("herald.delivery.failed");
        assertThat(notice.get("data").get("tenant_id").stringValue()).isEqualTo("acme");
        assertThat(notice.get("data").get("attempts").intValue()).isEqualTo(1);
        assertThat(notice.get("data").get("last_error").stringValue()).isEqualTo("HTTP 500");
        String delivery = notice.get("data").get("delivery_id").stringValue();
        assertThat(h.get("/v1/tenants/acme/deliveries/" + delivery).json().get("status").stringValue()).isEqualTo("failed");

        // the operator's own failing endpoint: its deliveries fail, and nobody is told about it
        publish("ops", "own");
        Eventually.until("the operator's own delivery fails", Duration.ofSeconds(10),
                () -> h.get("/v1/tenants/ops/deliveries?status=failed").json().get("data").size(), n -> n >= 1);
        assertThat(operatorGot).hasSize(1);
    }
}
